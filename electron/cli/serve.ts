import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';
import { defaultDataDir } from '../engine/paths.js';
import { explainStartError } from '../engine/start-error.js';
import { startServer } from '../server/server.js';
import { newToken } from '../server/security.js';
import { parseArgs, pathArg, str, UsageError } from './args.js';
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
  const dataDir = resolve(pathArg(args, 'data-dir') ?? defaultDataDir());
  const configPath = pathArg(args, 'config') ? resolve(pathArg(args, 'config')!) : undefined;
  if (configPath && existsSync(configPath) && statSync(configPath).isDirectory()) throw new UsageError(`--config ${configPath} is a folder; it must name a file (vigil.yml, made if missing)`);
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
      ...(pathArg(args, 'db') ? { dbPath: resolve(pathArg(args, 'db')!) } : {}),
      log: (m) => io.stderr.write(`vigil: ${m}\n`),
    });
  } catch (err) {
    const given = pathArg(args, 'db');
    const said = explainStartError(err, { dataDir, dbPath: given ? resolve(given) : join(dataDir, 'vigil.db'), ...(given ? { dbOption: '--db' } : {}) });
    if (said) {
      io.stderr.write(`vigil: ${said.message}\n`);
      return said.exitCode;
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
    // An address this machine does not have, or a name that resolves to none: bad input.
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      io.stderr.write(`vigil: --host ${host} is not an address of this machine (${(err as Error).message}); give one of its addresses, 0.0.0.0 for all, or leave it out (127.0.0.1)\n`);
      return 2;
    }
    io.stderr.write(
      code === 'EADDRINUSE'
        ? `vigil: port ${port} on ${host} is in use; choose another with --port N (0 picks a free one)\n`
        : `vigil: cannot listen on ${host}:${port}: ${(err as Error).message}\n`,
    );
    return 1;
  }
  io.stdout.write(`Vigil UI: ${server.url}\n`);
  if (!/^(127\.|::1$|localhost$)/.test(host)) {
    io.stderr.write(
      `vigil: listening on ${host}: the UI and its token cross the network unencrypted; put a TLS proxy in front, and name the host it is reached by with --allow-host NAME\n`,
    );
  }
  let stopping = false;
  let resolveStop = () => {};
  const stopped = new Promise<void>((r) => (resolveStop = r));
  const stop = () => {
    if (!stopping) {
      stopping = true;
      resolveStop();
      return;
    }
    // A second signal: the user will not wait (a stuck close). Nothing is lost: what is
    // not stored yet is read again at the next start, from the stored checkpoints.
    io.stderr.write('vigil: stopping now (a second signal)\n');
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  signal?.addEventListener('abort', stop, { once: true });
  await stopped;
  io.stderr.write('vigil: stopping\n');
  try {
    await server.close();
    await engine.close();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}
