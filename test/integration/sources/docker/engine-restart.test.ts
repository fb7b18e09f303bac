import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../../electron/engine/engine.js';
import { Dockerd, dockerdAvailable } from '../../../support/dockerd.js';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { logLines, standaloneSource, startVigil } from './harness.js';

// Each boot numbers itself, prints three lines, then stays up; `always` brings it back
// when the engine restarts.
const BOOTS = `n=$(cat /boots 2>/dev/null || echo 0); n=$((n+1)); echo $n > /boots
for i in 1 2 3; do echo "boot $n line $i"; done; sleep 1000`;

describe.skipIf(!dockerdAvailable())('docker source when the Docker engine restarts', () => {
  let dockerd: Dockerd;
  let engine: Engine | null = null;
  const dir = tempDir();
  beforeAll(async () => {
    dockerd = await Dockerd.create();
  });
  afterAll(async () => {
    await engine?.close();
    await dockerd?.close();
    dir.cleanup();
  });

  it('shows the error while the engine is away, reconnects, and keeps following without repeating a line', async () => {
    engine = await startVigil(dir.dir, `  - name: svc\n    type: docker\n    host: ${dockerd.host}\n    containers: [svc]\n`);
    const e = engine;
    const status = async () => (await e.handlers['sources.list']({} as never)).find((v) => v.config.name === 'svc')!.status;
    await dockerd.run('svc', BOOTS, { HostConfig: { RestartPolicy: { Name: 'always' } } });
    await waitFor(() => logLines(e, 'svc').length >= 3, { what: 'boot 1' });

    await dockerd.stop();
    const down = await waitFor(async () => {
      const s = await status();
      return s.state === 'error' ? s : null;
    }, { what: 'error status while dockerd is down' });
    expect(down?.message).toContain(`cannot reach Docker at ${dockerd.host}`);

    await dockerd.start();
    await waitFor(() => logLines(e, 'svc').length >= 6, { what: 'boot 2 after the engine came back', timeoutMs: 30_000 });
    await waitFor(async () => (await status()).state === 'watching', { what: 'watching again' });
    await e.flush();
    expect(logLines(e, 'svc')).toEqual([1, 2].flatMap((n) => [1, 2, 3].map((i) => `stdout:boot ${n} line ${i}`)));
  });

  it('an engine that hangs (its socket open, nothing answering) is a steady error saying it does not answer, and recovers', async () => {
    const hung = tempDir();
    const src = await standaloneSource(hung.dir, { name: 'h', type: 'docker', host: dockerd.host, containers: ['nothing'] }, { pingIntervalMs: 300, pingTimeoutMs: 500 });
    try {
      await waitFor(() => src.source.status().state === 'watching', { what: 'watching' });
      process.kill(dockerd.pid!, 'SIGSTOP');
      try {
        await waitFor(() => src.source.status().state === 'error', { what: 'the error', timeoutMs: 10_000 });
        const seen = new Set<string>();
        for (let k = 0; k < 30; k++) {
          const s = src.source.status();
          seen.add(`${s.state}: ${(s.message ?? '').replace(/; retrying.*$/, '')}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect([...seen]).toEqual([`error: cannot reach Docker at ${dockerd.host}: it did not answer a ping within 0.5 s`]);
      } finally {
        process.kill(dockerd.pid!, 'SIGCONT');
      }
      await waitFor(() => src.source.status().state === 'watching', { what: 'watching again', timeoutMs: 15_000 });
    } finally {
      await src.close();
      hung.cleanup();
    }
  });
});
