import { describe, expect, it } from 'vitest';
import { maskedChunkHashOf, shapeHash } from '../../../electron/engine/decode/templates/shape-hash.js';
import { maskChunk, tokenize } from '../../../electron/engine/decode/templates/tokenize.js';
import { xorshift32 } from '../../support/prng.js';

// shapeHash folds tokenize()'s chunking, URL and host-name tests and maskChunk() into one
// pass over the message. These tests hold the folded code to the plain one on messages
// built to hit their corners (URLs and schemes, paths, host:port, signs, decimal points,
// leading slashes, the wildcard text itself).

const rng = xorshift32;

const CHARS = ['a', 'z', 'A', 'Q', 'h', 't', 'p', 's', 'x', '0', '1', '5', '9', ' ', ' ', '\t', '\n', '\r', ':', ':', '/', '/', '.', '.', '-', '-', '@', '#', '=', ',', '(', ')', '[', ']', '"', '+', '_', '%', '<', '*', '>', 'é'];
const PIECES = [
  'http://', 'https://x.com/a?b=1', 'jdbc:mysql://h:3306/db', 'a:b:c://', '://', '://x://y', 'abcdefghijklmnop://x', 'abcdefghijklmnopq://x', 'a+b.c-d://',
  'proxy.example.com', 'foo.org', '-foo.com', 'x.com:443', '10.0.0.1:8080', 'a.b-c:123', 'a1:b', 'ab:cd', 'h:/x', '/10.251.42.84', '/var/log/a.log',
  '/-5', '/:5', '/<*>', '<*>', 'node-246', 'onExtend:1514038530000', 'x86_64', 'ssh2', 'eth0', '5.2', '-3.5e', 'KB', '(1.16 KB)', 'Jan', 'Fri', 'http:',
  'facade0b', 'deadbee1', 'abcdef0', 'ABCDEF1A', 'req-facade0b', 'fac4de-be', 'cafebabe', 'e1e2',
];

function fuzz(r: () => number, pieces: number): string {
  let s = '';
  for (let k = 1 + Math.floor(r() * pieces); k > 0; k--) s += r() < 0.4 ? PIECES[Math.floor(r() * PIECES.length)] : CHARS[Math.floor(r() * CHARS.length)];
  return s;
}

function hashOf(s: string): [number, number] {
  let a = 0x811c9dc5 | 0;
  let b = 0x27d4eb2f | 0;
  for (let i = 0; i < s.length; i++) {
    a = Math.imul(a ^ s.charCodeAt(i), 0x01000193);
    b = Math.imul(b ^ s.charCodeAt(i), 0x5bd1e995);
  }
  return [a, b];
}

describe('shape hash', () => {
  it('hashes a masked chunk as maskChunk writes it', () => {
    const r = rng(7);
    const chunks = new Set(['HTTP/1.1', 'Googlebot/2.1', '/10.251.42.84', '/10.251.42.84:50010', 'blk_-1608999687919862906', 'x.com:443', '/<*>5', '1.2://x', '://1', 'a::1', ':a.b:1']);
    while (chunks.size < 50_000) {
      const c = fuzz(r, 10).replace(/[\s=,;()[\]{}"|]/g, '');
      if (/\d/.test(c)) chunks.add(c);
    }
    const wrong = [...chunks].filter((c) => {
      const [a, b] = hashOf(maskChunk(c));
      const [x, y] = maskedChunkHashOf(`at ${c} end`, 3, 3 + c.length);
      return a !== x || b !== y;
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('equal hashes only for equal token sequences, on messages built to hit the corners', () => {
    const r = rng(11);
    const byHash = new Map<number, string>();
    const clashes: string[] = [];
    for (let k = 0; k < 100_000; k++) {
      const m = fuzz(r, k % 2 ? 12 : 40);
      const t = tokenize(m).tokens.join('\u001f');
      const h = shapeHash(m);
      const seen = byHash.get(h);
      if (seen !== undefined && seen !== t) clashes.push(m);
      byHash.set(h, t);
    }
    expect(clashes.slice(0, 5)).toEqual([]);
  });

  it('gives the values it always gave (templates cached by shape stay where they were)', () => {
    const got = [
      'Failed password for admin from 159.87.84.223 port 48802 ssh2',
      '"PUT /images/logo.png?id=852853 HTTP/1.1" 304 47293 "-" "Googlebot/2.1"',
      'connect() failed (111: Connection refused) while connecting to upstream, client: 54.240.240.233, server: shop, request: "GET /login HTTP/1.1", upstream: "http://127.0.0.1:8004/"',
      'Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010',
      'open jdbc:mysql://db:3306/x as proxy.example.com via /var/log/a.log',
    ].map(shapeHash);
    expect(got).toEqual([2889949835775223, 6369192267594478, 3566849984168237, 4056079458129269, 2702711553309721]);
  });
});
