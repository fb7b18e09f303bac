// The few Docker API calls the source makes, each cancellable. dockerode accepts an
// `abortSignal` on all of them; its type declarations omit it on some, hence this seam.
// dockerode is loaded on first use: it costs ~200 ms at startup, which users without a
// docker source should not pay.
import type Docker from 'dockerode';
import type { Endpoint } from './endpoint.js';

type Signal = { abortSignal?: AbortSignal };

interface Untyped {
  ping(o: Signal): Promise<unknown>;
  info(o: Signal): Promise<unknown>;
  getEvents(o: Signal & { since?: string; filters?: Record<string, string[]> }): Promise<NodeJS.ReadableStream>;
}

export class DockerClient {
  private constructor(readonly api: Docker) {}

  static async create(endpoint: Endpoint): Promise<DockerClient> {
    const { default: Dockerode } = await import('dockerode');
    return new DockerClient(new Dockerode(endpoint.options));
  }

  async ping(signal: AbortSignal, timeoutMs: number): Promise<void> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const said: unknown = await (this.api as unknown as Untyped).ping({ abortSignal: AbortSignal.any([signal, timeout]) });
      // A Docker engine (and Podman's API) says "OK". Another web service answering 200 on
      // every path failed later, as "the engine closed the event stream" or "list3 is not iterable".
      const text = Buffer.isBuffer(said) ? said.toString('utf8') : String(said ?? '');
      if (text.trim() !== 'OK') throw new Error(`it answered its ping with something other than a Docker engine's "OK": is this the Docker API's address?`);
    } catch (err) {
      // A hung engine (the socket open, nothing answering): say that, not "The operation was aborted".
      if (timeout.aborted && !signal.aborted) throw new Error(`it did not answer a ping within ${Math.round(timeoutMs / 100) / 10} s`);
      throw err;
    }
  }

  /** The engine's own clock (RFC3339Nano): `since` and `start: end` are judged by it, not ours. */
  async systemTime(signal: AbortSignal): Promise<string | null> {
    const info: unknown = await (this.api as unknown as Untyped).info({ abortSignal: signal });
    // Docker and Podman both say their ServerVersion here. A service answering a plain "OK"
    // on every path passes the ping, then failed as "the engine closed the event stream".
    if (!info || typeof info !== 'object' || typeof (info as { ServerVersion?: unknown }).ServerVersion !== 'string') {
      throw new Error(`it answered /info, but not as a Docker engine does (no ServerVersion): is this the Docker API's address?`);
    }
    return (info as { SystemTime?: string }).SystemTime ?? null;
  }

  /** Container events from `since` (`seconds.nanos`, inclusive), replayed from the engine's buffer then live. */
  events(since: string, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
    return (this.api as unknown as Untyped).getEvents({ since, filters: { type: ['container'] }, abortSignal: signal });
  }

  containers(signal: AbortSignal): Promise<Docker.ContainerInfo[]> {
    return this.api.listContainers({ all: true, abortSignal: signal } as Docker.ContainerListOptions);
  }
}
