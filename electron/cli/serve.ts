import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';
import { ConfigInvalidError } from '../engine/config/config-file.js';
import { defaultDataDir } from '../engine/paths.js';
import { StoreInUseError } from '../engine/store/store-lock.js';
import { startServer } from '../server/server.js';
import { newToken } from '../server/security.js';
import { parseArgs, str, UsageError } from './args.js';
import type { CliIo } from './io.js';

export const DEFAULT_PORT = 7457;

/** Where the built UI is: dist/renderer next to this bundle (dist/cli/vigil.js). */
export function uiDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'renderer'), join(here, '..', '..', 'dist', 'renderer')];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[0]!;
}

/** `vigil serve`: the engine headless, the same contract over HTTP + WebSocket, the same UI. */
export async function serveCommand(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const args = parseArgs(argv, { values: ['config', 'db', 'port', 'host', 'token', 'data-dir', 'allow-host'] });
  if (args.positionals.length) throw new UsageError(`serve takes no arguments (got ${args.positionals.join(' ')})`);
  const portText = str(args, 'port');
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got ${portText})`);
  const host = str(args, 'host') ?? '127.0.0.1';
  const token = str(args, 'token') ?? process.env.VIGIL_TOKEN ?? newToken();
  if (token.length < 8) throw new UsageError('the token must be at least 8 characters');
  const dataDir = resolve(str(args, 'data-dir') ?? defaultDataDir());
  const configPath = str(args, 'config') ? resolve(str(args, 'config')!) : undefined;
  if (configPath && !existsSync(configPath)) {
    mkdirSync(dirname(configPath), { recursive: true });
    writeFileSync(configPath, 'sources: []\nchannels: []\nrules: []\n', { mode: 0o600 });
    io.stderr.write(`vigil: created ${configPath}\n`);
  }
  let engine: Engine;
  try {
    engine = await Engine.start({
      dataDir,
      host: 'server',
      ...(configPath ? { configPath } : {}),
      ...(str(args, 'db') ? { dbPath: resolve(str(args, 'db')!) } : {}),
      log: (m) => io.stderr.write(`vigil: ${m}\n`),
    });
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      io.stderr.write(`vigil: ${err.message}\n`);
      return 2;
    }
    if (err instanceof StoreInUseError) {
      io.stderr.write(`vigil: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  let server;
  try {
    server = await startServer({
      handlers: engine.handlers,
      subscribe: (event, cb) => engine.on(event, cb),
      host,
      port,
      token,
      staticDir: uiDir(),
      ...(str(args, 'allow-host') ? { allowHosts: str(args, 'allow-host')!.split(',') } : {}),
      log: (m) => io.stderr.write(`vigil: ${m}\n`),
    });
  } catch (err) {
    await engine.close();
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr.write(
      code === 'EADDRINUSE'
        ? `vigil: port ${port} on ${host} is in use; choose another with --port N (0 picks a free one)\n`
        : `vigil: cannot listen on ${host}:${port}: ${(err as Error).message}\n`,
    );
    return 1;
  }
  io.stdout.write(`Vigil UI: ${server.url}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  io.stderr.write('vigil: stopping\n');
  await server.close();
  await engine.close();
  return 0;
}
