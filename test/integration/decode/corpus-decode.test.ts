import { describe, expect, it } from 'vitest';
import { SYSTEMS, corpusAvailable, decodeSystem, readStructured, type System } from './corpus.js';

// The 11 Loghub-2k systems (real logs; see shared/corpus/SOURCE.md) decode with the right
// format, message = the corpus Content column, the level where the system has one, and a
// timestamp on every line.

const EXPECT: Record<System, { format: string; levelColumn?: string }> = {
  Apache: { format: 'apache-error', levelColumn: 'Level' },
  BGL: { format: 'bgl', levelColumn: 'Level' },
  HDFS: { format: 'hdfs', levelColumn: 'Level' },
  HPC: { format: 'hpc' },
  Hadoop: { format: 'log4j', levelColumn: 'Level' },
  HealthApp: { format: 'healthapp' },
  Linux: { format: 'syslog' },
  OpenSSH: { format: 'syslog' },
  Proxifier: { format: 'proxifier' },
  Spark: { format: 'log4j-short', levelColumn: 'Level' },
  Zookeeper: { format: 'log4j-dash', levelColumn: 'Level' },
};

const local = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0) => new Date(y, mo - 1, d, h, mi, s, ms).getTime();

const FIRST_TS: Record<System, number> = {
  Apache: local(2005, 12, 4, 4, 47, 44),
  BGL: 1117838570_000,
  HDFS: local(2008, 11, 9, 20, 36, 15),
  HPC: 1077804742_000,
  Hadoop: local(2015, 10, 18, 18, 1, 47, 978),
  HealthApp: local(2017, 12, 23, 22, 15, 29, 606),
  Linux: local(2024, 6, 14, 15, 16, 1),
  OpenSSH: local(2024, 12, 10, 6, 55, 46),
  Proxifier: local(2024, 10, 30, 16, 49, 6),
  Spark: local(2017, 6, 9, 20, 10, 40),
  Zookeeper: local(2015, 7, 29, 17, 41, 44, 747),
};

describe.skipIf(!corpusAvailable())('Loghub-2k corpus decoding', () => {
  for (const system of SYSTEMS) {
    it(`${system}: format ${EXPECT[system].format}, message = Content, levels, timestamps`, () => {
      const rows = readStructured(system);
      const recs = decodeSystem(system);
      expect(recs).toHaveLength(rows.length);
      expect(new Set(recs.map((r) => r.format))).toEqual(new Set([EXPECT[system].format]));
      const badMessages = recs.filter((r, i) => r.message !== rows[i]!.Content);
      expect(badMessages.slice(0, 3).map((r) => r.message)).toEqual([]);
      expect(recs.every((r) => r.ts !== null)).toBe(true);
      expect(recs[0]!.ts).toBe(FIRST_TS[system]);
      const col = EXPECT[system].levelColumn;
      if (col) {
        expect(recs.map((r) => r.levelText)).toEqual(rows.map((r) => r[col]));
        expect(recs.every((r) => r.level !== null)).toBe(true);
      } else {
        // No level field (syslog without PRI): a level comes only from a level word the
        // message itself has ("error: Received disconnect", "fatal: Write failed").
        const leveled = recs.filter((r) => r.level !== null);
        expect(leveled.every((r) => r.levelText !== null && r.message.includes(r.levelText))).toBe(true);
        expect(leveled.length).toBeLessThan(recs.length / 10);
      }
    });
  }

  it('years are assumed from the file time where the log has none, and flagged', () => {
    const recs = decodeSystem('OpenSSH');
    expect(recs[0]!.tsAssumed).toBe('year+zone');
    expect(decodeSystem('BGL')[0]!.tsAssumed).toBeUndefined();
  });
});
