import { describe, expect, it } from 'vitest';
import { resolveEndpoint, type EndpointEnv } from '../../../../electron/engine/sources/docker/endpoint.js';
import { parseConfig } from '../../../../electron/engine/config/config-file.js';

function sys(env: NodeJS.ProcessEnv, files: Record<string, string> = {}, platform: NodeJS.Platform = 'linux'): EndpointEnv {
  return {
    env,
    platform,
    home: '/home/u',
    exists: async (p) => p in files,
    read: async (p) => {
      if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return Buffer.from(files[p]!);
    },
  };
}

describe('docker endpoint', () => {
  it('uses the source host first, then DOCKER_HOST, then the local socket', async () => {
    expect((await resolveEndpoint({ host: 'unix:///run/x.sock' }, sys({ DOCKER_HOST: 'tcp://h:1' }))).options).toMatchObject({ socketPath: '/run/x.sock', host: undefined });
    expect((await resolveEndpoint({}, sys({ DOCKER_HOST: 'tcp://h:2375' }))).options).toMatchObject({ host: 'h', port: 2375, protocol: 'http', socketPath: undefined });
    expect((await resolveEndpoint({}, sys({}, { '/var/run/docker.sock': '' }))).describe).toBe('unix:///var/run/docker.sock');
    // Docker Desktop's per-user socket when there is no system one.
    expect((await resolveEndpoint({}, sys({}, { '/home/u/.docker/run/docker.sock': '' }))).options.socketPath).toBe('/home/u/.docker/run/docker.sock');
    expect((await resolveEndpoint({}, sys({}, {}, 'win32'))).options.socketPath).toBe('//./pipe/docker_engine');
  });

  it('speaks TLS with the configured files, or DOCKER_TLS_VERIFY + DOCKER_CERT_PATH', async () => {
    const files = { '/c/ca.pem': 'CA', '/c/cert.pem': 'CERT', '/c/key.pem': 'KEY' };
    const fromConfig = await resolveEndpoint({ host: 'tcp://d.example:2376', tls: { ca: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem' } }, sys({}, files));
    expect(fromConfig.describe).toBe('https://d.example:2376');
    expect(fromConfig.options).toMatchObject({ protocol: 'https', host: 'd.example', port: 2376 });
    expect(String(fromConfig.options.ca)).toBe('CA');
    const fromEnv = await resolveEndpoint({}, sys({ DOCKER_HOST: 'tcp://d:1234', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c' }, files));
    expect(fromEnv.options).toMatchObject({ protocol: 'https', port: 1234 });
    expect(String(fromEnv.options.key)).toBe('KEY');
    await expect(resolveEndpoint({ host: 'https://d:2376', tls: { ca: '/missing.pem' } }, sys({}))).rejects.toThrow(/cannot read the TLS ca file \/missing.pem: ENOENT/);
  });

  it('refuses what it cannot speak, saying what would work', async () => {
    await expect(resolveEndpoint({ host: 'ssh://me@h' }, sys({}))).rejects.toThrow(/ssh:\/\/ is not supported/);
    await expect(resolveEndpoint({ host: 'ftp://h' }, sys({}))).rejects.toThrow(/unsupported scheme/);
  });

  it('the config refuses a container /pattern/ that does not compile, naming the entry', () => {
    const r = parseConfig('sources:\n  - name: d\n    type: docker\n    containers: [web, "/api-(/"]\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContainEqual({ key: 'sources.0.containers.1', reason: expect.stringMatching(/regular expression/) });
  });
});
