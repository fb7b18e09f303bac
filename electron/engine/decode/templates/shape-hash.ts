import { CLS, DIGIT, DOT, HARD, KEEP, OTHER, SOFT, SPACE, isDigit, isDomainName, isLetter, isUrlAt, maskChunk } from './tokenize.js';

// The miner's fast path. Most messages have the same token sequence as one seen before
// (same template, other values), and then tokenizing is wasted work. This walks the
// message like tokenize() does but only hashes what tokenize's output depends on: chunk
// boundaries, spacing, separators, and each chunk as masked (values as one code). Equal
// hashes mean equal token sequences, up to a 53-bit hash collision (two hashes of 32 and
// 21 bits; with 100,000 cached shapes about one chance in two million).

const C_SPACE = 32;
const WILD = 0x1_0000;

export function shapeHash(msg: string): number {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x27d4eb2f | 0;
  const n = msg.length;
  let i = 0;
  let sawSpace = 0;
  while (i < n) {
    const c = msg.charCodeAt(i);
    const cls = c < 128 ? CLS[c]! : OTHER;
    if (cls & SPACE) {
      sawSpace = 0x2_0000;
      i++;
      continue;
    }
    if (cls & HARD) {
      // The separator and the char after it decide the empty-value slot, both are hashed.
      const v = c | 0x4_0000 | sawSpace;
      h1 = Math.imul(h1 ^ v, 0x01000193);
      h2 = Math.imul(h2 ^ v, 0x5bd1e995);
      h2 ^= h2 >>> 15;
      sawSpace = 0;
      i++;
      continue;
    }
    let j = i + 1;
    if (isLetter(c) && isUrlAt(msg, i)) {
      while (j < n && msg.charCodeAt(j) !== C_SPACE && msg.charCodeAt(j) !== 9) j++;
      const v = WILD | sawSpace;
      h1 = Math.imul(h1 ^ v, 0x01000193);
      h2 = Math.imul(h2 ^ v, 0x5bd1e995);
      h2 ^= h2 >>> 15;
      sawSpace = 0;
      i = j;
      continue;
    }
    // Hash the chunk's characters as we find its end; used when the chunk is kept as is.
    let flags = cls;
    let c1 = Math.imul(0x811c9dc5 ^ c, 0x01000193);
    let c2 = Math.imul(0x27d4eb2f ^ c, 0x5bd1e995);
    let digits = isDigit(c) ? 1 : 0;
    let lonely = digits;
    let slashes = 0;
    let lowerDotted = (c >= 97 && c <= 122) || digits === 1 ? 1 : 0;
    while (j < n) {
      const d = msg.charCodeAt(j);
      const k = d < 128 ? CLS[d]! : OTHER;
      if (k & (SPACE | HARD)) break;
      if (d === 58 && (j + 1 === n || msg.charCodeAt(j + 1) === C_SPACE)) break;
      if (k & DIGIT) {
        digits++;
        if (!isLetter(msg.charCodeAt(j - 1))) lonely = 1;
      }
      if (d === 47) slashes++;
      else if (!((d >= 97 && d <= 122) || d === 46 || d === 45 || (k & DIGIT))) lowerDotted = 0;
      flags |= k;
      c1 = Math.imul(c1 ^ d, 0x01000193);
      c2 = Math.imul(c2 ^ d, 0x5bd1e995);
      j++;
    }
    let v: number;
    if (flags === DIGIT || ((flags & (OTHER | KEEP)) === 0 && isDigit(c) && isDigit(msg.charCodeAt(j - 1)))) {
      v = WILD;
    } else if (flags & SOFT && digits === 0) {
      // No digit: maskChunk() keeps the chunk, unless it is a path or a host name.
      if ((c === 47 && slashes > 0) || (lowerDotted && (flags & DOT) !== 0 && isDomainName(msg.slice(i, j)))) {
        v = WILD;
      } else {
        h1 = Math.imul(h1 ^ c1, 0x01000193);
        h2 = Math.imul(h2 ^ (c2 ^ (c2 >>> 15)), 0x5bd1e995);
        v = 0x10_0000;
      }
    } else if (flags & SOFT) {
      const masked = maskChunk(msg.slice(i, j));
      let m1 = 0x811c9dc5 | 0;
      let m2 = 0x27d4eb2f | 0;
      for (let q = 0; q < masked.length; q++) {
        const d = masked.charCodeAt(q);
        m1 = Math.imul(m1 ^ d, 0x01000193);
        m2 = Math.imul(m2 ^ d, 0x5bd1e995);
      }
      h1 = Math.imul(h1 ^ m1, 0x01000193);
      h2 = Math.imul(h2 ^ m2, 0x5bd1e995);
      v = 0x8_0000;
    } else if (flags & DIGIT && (digits >= 2 || lonely)) {
      // isVariablePart(): two digits or more, or a digit not glued to a letter.
      v = WILD;
    } else {
      h1 = Math.imul(h1 ^ c1, 0x01000193);
      h2 = Math.imul(h2 ^ (c2 ^ (c2 >>> 15)), 0x5bd1e995);
      v = 0x10_0000;
    }
    v |= sawSpace;
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ v, 0x5bd1e995);
    h2 ^= h2 >>> 15;
    sawSpace = 0;
    i = j;
    if (i < n && msg.charCodeAt(i) === 58) {
      h1 = Math.imul(h1 ^ 0x20_0000, 0x01000193);
      h2 = Math.imul(h2 ^ 0x20_0000, 0x5bd1e995);
      i++;
    }
  }
  return (h1 >>> 0) * 0x20_0000 + ((h2 ^ (h2 >>> 13)) & 0x1f_ffff);
}
