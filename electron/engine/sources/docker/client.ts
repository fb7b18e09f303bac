// The few Docker API calls the source makes, each cancellable. dockerode accepts an
// `abortSignal` on all of them; its type declarations omit it on some, hence this seam.
// dockerode is loaded on first use: it costs ~200 ms at startup, which users without a
// docker source should not pay.
import type Docker from 'dockerode';
import type { Endpoint } from './endpoint.js';

type Signal = { abortSignal?: AbortSignal };

interface Untyped {
  ping(o: Signal): Promise<unknown>;
  info(o: Signal): Promise<{ SystemTime?: string }>;
  getEvents(o: Signal & { since?: string; filters?: Record<string, string[]> }): Promise<NodeJS.ReadableStream>;
}

export class DockerClient {
  private constructor(readonly api: Docker) {}

  static async create(endpoint: Endpoint): Promise<DockerClient> {
    const { default: Dockerode } = await import('dockerode');
    return new DockerClient(new Dockerode(endpoint.options));
  }

  async ping(signal: AbortSignal, timeoutMs: number): Promise<void> {
    await (this.api as unknown as Untyped).ping({ abortSignal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
  }

  /** The engine's own clock (RFC3339Nano): `since` and `start: end` are judged by it, not ours. */
  async systemTime(signal: AbortSignal): Promise<string | null> {
    return (await (this.api as unknown as Untyped).info({ abortSignal: signal })).SystemTime ?? null;
  }

  /** Container events from `since` (`seconds.nanos`, inclusive), replayed from the engine's buffer then live. */
  events(since: string, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
    return (this.api as unknown as Untyped).getEvents({ since, filters: { type: ['container'] }, abortSignal: signal });
  }

  containers(signal: AbortSignal): Promise<Docker.ContainerInfo[]> {
    return this.api.listContainers({ all: true, abortSignal: signal } as Docker.ContainerListOptions);
  }
}
