/**
 * Runs a call unless the same one is out already, and lists it in the store's `busy`
 * meanwhile, so its button can wait: a double click on a slow link sent two tests, and
 * said a removal had failed that had in fact been made.
 */
export function oneAtATime(
  get: () => { busy: string[] },
  set: (s: { busy: string[] }) => void,
): (key: string, fn: () => Promise<void>) => Promise<void> {
  return async (key, fn) => {
    if (get().busy.includes(key)) return;
    set({ busy: [...get().busy, key] });
    try {
      await fn();
    } finally {
      set({ busy: get().busy.filter((k) => k !== key) });
    }
  };
}
