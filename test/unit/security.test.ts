import { describe, expect, it } from 'vitest';
import { hostAllowed, originAllowed, tokensEqual } from '../../electron/server/security.js';
import { format, pathToFileURL } from 'node:url';
import { isTrustedSender } from '../../electron/main/sender.js';

describe('server door checks', () => {
  it('allows this machine by IP literal or localhost on our port only', () => {
    expect(hostAllowed('127.0.0.1:7457', 7457)).toBe(true);
    expect(hostAllowed('localhost:7457', 7457)).toBe(true);
    expect(hostAllowed('[::1]:7457', 7457)).toBe(true);
    expect(hostAllowed('192.168.1.5:7457', 7457)).toBe(true);
    expect(hostAllowed('attacker.example:7457', 7457)).toBe(false);
    expect(hostAllowed('localhost.attacker.example:7457', 7457)).toBe(false);
    expect(hostAllowed('127.0.0.1:7458', 7457)).toBe(false);
    expect(hostAllowed(undefined, 7457)).toBe(false);
    expect(hostAllowed('myhost:7457', 7457, ['myhost'])).toBe(true);
    // Behind a reverse proxy, an allowed name comes on the proxy's port, or none.
    expect(hostAllowed('vigil.example.com', 7457, ['vigil.example.com'])).toBe(true);
    expect(hostAllowed('vigil.example.com:8443', 7457, ['vigil.example.com'])).toBe(true);
    expect(hostAllowed('other.example.com', 7457, ['vigil.example.com'])).toBe(false);
  });
  it('allows no Origin (non-browser) or our own origin only', () => {
    expect(originAllowed(undefined, '127.0.0.1:1')).toBe(true);
    expect(originAllowed('http://127.0.0.1:1', '127.0.0.1:1')).toBe(true);
    expect(originAllowed('http://evil.example', '127.0.0.1:1')).toBe(false);
    expect(originAllowed('null', '127.0.0.1:1')).toBe(false);
    // A page served through a TLS proxy.
    expect(originAllowed('https://vigil.example.com', 'vigil.example.com')).toBe(true);
    expect(originAllowed('https://evil.example', 'vigil.example.com')).toBe(false);
  });
  it('compares tokens exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('ab', 'abc')).toBe(false);
    expect(tokensEqual(null, 'abc')).toBe(false);
  });
});

// The Electron router itself needs the Electron binary (not available here); its sender
// rule is this pure function, tested directly.
describe('Electron IPC sender check (pure part of the router)', () => {
  const dir = '/opt/Vigil/resources/app.asar/dist/renderer';
  const prefix = `file://${dir}/`;
  it('trusts only the main frame of our own UI files', () => {
    expect(isTrustedSender(prefix + 'index.html', true, dir)).toBe(true);
    expect(isTrustedSender(prefix + 'index.html', false, dir)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true, dir)).toBe(false);
    expect(isTrustedSender('file:///tmp/evil.html', true, dir)).toBe(false);
    expect(isTrustedSender(`file://${dir}/../../evil.html`, true, dir)).toBe(false);
    expect(isTrustedSender(`file://${dir}/%2e%2e/evil.html`, true, dir)).toBe(false);
    expect(isTrustedSender(`file://${dir}-evil/index.html`, true, dir)).toBe(false);
    expect(isTrustedSender(undefined, true, dir)).toBe(false);
  });

  it('trusts our UI under a folder with [ ] ~, spaces or accents, written as Electron loads it (literal) or percent-encoded', () => {
    for (const odd of ['/home/ana/vigil [fork]/dist/renderer', '/home/JOHNSM~1/Vigil/dist/renderer', '/home/zoë/my apps/Vigil/dist/renderer', '/opt/app 100%/dist/renderer', '/opt/a%41b #1?/dist/renderer']) {
      // Electron's loadFile: url.format leaves [ ] ~ % as they are; the URL parser encodes spaces and non-ASCII.
      const loaded = new URL(format({ protocol: 'file', slashes: true, pathname: `${odd}/index.html` })).href;
      expect(isTrustedSender(loaded, true, odd), loaded).toBe(true);
      expect(isTrustedSender(pathToFileURL(`${odd}/index.html`).href, true, odd)).toBe(true);
      expect(isTrustedSender(loaded.replace('/dist/renderer/', '/dist/renderer-evil/'), true, odd)).toBe(false);
    }
    // %41 is A only when the page was loaded from a folder with an A in it.
    expect(isTrustedSender('file:///opt/aAb/dist/renderer/index.html', true, '/opt/a%41b/dist/renderer')).toBe(false);
  });
});
