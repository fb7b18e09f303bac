import { describe, expect, it } from 'vitest';
import { isDumpLine } from '../../../electron/engine/detect/dump-line.js';

// Register/state dump lines are context, not findings: a crash writes dozens of them.

describe('dump lines', () => {
  it.each([
    'instruction address: 0x00004ed8',
    'machine check enable..............0',
    'program interrupt: fp cr field .............0',
    'size of scratchpad portion of L3.........0 (0M)',
    'lr:00004ed0 cr:28244842 xer:20000002 ctr:00086000',
    'r24=0x0ffea4c8 r25=0x00000003 r26=0x0000000f r27=0xffffd000',
    'fpr29=0xffffffff ffffffff ffffffff ffffffff',
    'special purpose registers:',
    'RIP: 0x7f3a2c1b9e00',
  ])('%s is a dump line', (m) => expect(isDumpLine(m)).toBe(true));

  it.each([
    'data TLB error interrupt',
    'rts: kernel terminated for reason 1004',
    'Lustre mount FAILED : bglio559 : point /p/gb1',
    'exit status: 1',
    'retries=3',
    'status=500 code=3',
    'ciod: Error loading /bgl/apps/x.rts: invalid or missing program image, Exec format error',
    'connection refused: 10.0.0.1:5432',
  ])('%s is not', (m) => expect(isDumpLine(m)).toBe(false));
});
