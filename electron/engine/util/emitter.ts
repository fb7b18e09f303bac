/** A tiny typed event emitter; `on` returns the function that unsubscribes. */
export class Emitter<M extends { [K in keyof M]: unknown }> {
  private listeners = new Map<keyof M, Set<(v: never) => void>>();

  on<K extends keyof M>(event: K, cb: (payload: M[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(cb as (v: never) => void);
    return () => set.delete(cb as (v: never) => void);
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    for (const cb of this.listeners.get(event) ?? []) {
      try {
        (cb as (v: M[K]) => void)(payload);
      } catch (err) {
        console.error(`vigil: listener for ${String(event)} failed:`, err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
