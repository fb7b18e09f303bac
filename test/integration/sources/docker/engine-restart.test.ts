import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../../electron/engine/engine.js';
import { Dockerd, dockerdAvailable } from '../../../support/dockerd.js';
import { tempDir, waitFor } from '../../../support/tmp.js';
import { logLines, startVigil } from './harness.js';

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
});
