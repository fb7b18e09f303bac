import { describe, expect, it } from 'vitest';
import { firstLine } from '../../../electron/engine/detect/text.js';

describe('titles cut from log text', () => {
  it('never end in half an emoji (a lone surrogate showed as "�" in every channel)', () => {
    const line = 'y'.repeat(98) + '🚨🚨🚨';
    const t = firstLine(line, 100);
    expect(t.length).toBeLessThanOrEqual(100);
    expect(t).toBe('y'.repeat(98) + '…');
    expect(firstLine('y'.repeat(97) + '🚨🚨', 100)).toBe('y'.repeat(97) + '🚨…');
    expect(firstLine('short\nsecond line', 100)).toBe('short');
  });
});
