// Where the Docker engine is: the source's `host`, else DOCKER_HOST (with DOCKER_TLS_VERIFY
// and DOCKER_CERT_PATH, as the docker CLI reads them), else the local socket.
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { DockerSourceConfig } from '../../../../shared/types.js';

export interface Endpoint {
  /** For status messages, e.g. `unix:///var/run/docker.sock`. */
  describe: string;
  /** Every connection key set explicitly, so docker-modem's own reading of the environment cannot mix in. */
  options: Docker.DockerOptions;
}

export interface EndpointEnv {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  home: string;
  exists(path: string): Promise<boolean>;
  read(path: string): Promise<Buffer>;
}

export const systemEndpointEnv: EndpointEnv = {
  env: process.env,
  platform: process.platform,
  home: homedir(),
  exists: (p) => access(p).then(() => true, () => false),
  read: (p) => readFile(p),
};

type TlsFiles = { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };

export async function resolveEndpoint(config: Pick<DockerSourceConfig, 'host' | 'tls'>, sys: EndpointEnv = systemEndpointEnv): Promise<Endpoint> {
  const fromEnv = !config.host && !!sys.env.DOCKER_HOST;
  const host = config.host ?? sys.env.DOCKER_HOST ?? (await defaultHost(sys));
  const blank = { host: undefined, port: undefined, socketPath: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, timeout: undefined } as const;

  if (host.startsWith('unix://') || host.startsWith('npipe://')) {
    const path = host.slice(host.indexOf('://') + 3);
    if (!path) throw new Error(`docker host ${host} names no socket`);
    return { describe: host, options: { ...blank, socketPath: path } };
  }
  if (host.startsWith('/')) return { describe: `unix://${host}`, options: { ...blank, socketPath: host } };
  if (host.startsWith('ssh://')) throw new Error(`docker host ${host}: ssh:// is not supported; use unix://, npipe://, tcp:// or https://`);

  let url: URL;
  try {
    url = new URL(host.includes('://') ? host : `tcp://${host}`);
  } catch {
    throw new Error(`docker host ${host} is not a URL like unix:///var/run/docker.sock or tcp://host:2376`);
  }
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol)) {
    throw new Error(`docker host ${host}: unsupported scheme ${url.protocol}; use unix://, npipe://, tcp:// or https://`);
  }
  const files = await tlsFiles(config, fromEnv, sys);
  const tls = url.protocol === 'https:' || !!config.tls || (fromEnv && sys.env.DOCKER_TLS_VERIFY === '1') || (url.protocol === 'tcp:' && url.port === '2376');
  const port = Number(url.port || (tls ? 2376 : 2375));
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    describe: `${tls ? 'https' : 'http'}://${url.host}${url.port ? '' : `:${port}`}`,
    options: { ...blank, host: hostname, port, protocol: tls ? 'https' : 'http', ...(tls ? files : {}) },
  };
}

async function defaultHost(sys: EndpointEnv): Promise<string> {
  if (sys.platform === 'win32') return 'npipe:////./pipe/docker_engine';
  // Docker Desktop's per-user socket, when the system one is absent.
  const user = join(sys.home, '.docker', 'run', 'docker.sock');
  if (!(await sys.exists('/var/run/docker.sock')) && (await sys.exists(user))) return `unix://${user}`;
  return 'unix:///var/run/docker.sock';
}

/** `tls` entries are file paths, or PEM text pasted in place. */
async function tlsFiles(config: Pick<DockerSourceConfig, 'tls'>, fromEnv: boolean, sys: EndpointEnv): Promise<TlsFiles> {
  const certDir = fromEnv ? sys.env.DOCKER_CERT_PATH : undefined;
  const wanted: Record<'ca' | 'cert' | 'key', string | undefined> = {
    ca: config.tls?.ca ?? (certDir ? join(certDir, 'ca.pem') : undefined),
    cert: config.tls?.cert ?? (certDir ? join(certDir, 'cert.pem') : undefined),
    key: config.tls?.key ?? (certDir ? join(certDir, 'key.pem') : undefined),
  };
  const out: TlsFiles = {};
  for (const k of ['ca', 'cert', 'key'] as const) {
    const v = wanted[k];
    if (!v) continue;
    if (v.includes('-----BEGIN')) {
      out[k] = v;
      continue;
    }
    try {
      out[k] = await sys.read(v);
    } catch (err) {
      throw new Error(`cannot read the TLS ${k} file ${v}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return out;
}
