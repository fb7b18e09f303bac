import { describe, expect, it } from 'vitest';
import { DrainMiner } from '../../../electron/engine/decode/index.js';
import { tokenize } from '../../../electron/engine/decode/templates/tokenize.js';

describe('template miner', () => {
  it('masks numbers, IPs, host:port, hex, UUIDs, paths, URLs and domain names', () => {
    const t = (s: string) => tokenize(s).tokens.join(' ');
    expect(t('took 15 ms from 10.0.0.1:8080')).toBe('took <*> from <*>:<*>');
    expect(t('id 3f2a9c1e-77aa-4bb0-9c1e-000000000001 at 0x7ffe12')).toBe('id <*> at <*>');
    expect(t('open /var/log/app.log via https://example.com/x?y=1')).toBe('open <*> via <*>');
    expect(t('resolve proxy.example.com failed')).toBe('resolve <*> failed');
    expect(t('uid=0 euid=0 logname= tty=ssh')).toBe('uid = <*> euid = <*> logname =  tty = ssh');
    expect(t('interface eth0 via ssh2')).toBe('interface eth0 via ssh2');
    // A hex id with a single digit in it (one in 200 random ids of 8) is a value too; short or not hex, a name.
    expect(t('Slow request req-facade0b took 5 ms, trace DEADBEE1')).toBe('Slow request req-<*> took <*> , trace <*>');
    expect(t('cache abcdef0 on sda1, facade0x')).toBe('cache abcdef0 on sda1 , facade0x');
  });

  it('matchHead with the head of another message of the same shape gives what match gives', async () => {
    const { shapeHash } = await import('../../../electron/engine/decode/templates/shape-hash.js');
    const { messageHead } = await import('../../../electron/engine/decode/templates/miner.js');
    const msgs = ['Connection from 10.0.0.1 closed', 'Connection from 10.0.0.2 closed', 'Disk /dev/sda1 is 91% full\n\tat x', 'Disk /dev/sdb is 3% full', 'took 5 ms', 'took 17 ms'];
    const a = new DrainMiner();
    const b = new DrainMiner();
    // b is given, for each message, the head of the last message of its shape.
    const last = new Map<number, string>();
    for (const m of [...msgs, ...msgs.reverse()]) {
      const key = shapeHash(messageHead(m));
      const other = last.get(key) ?? messageHead(m);
      last.set(key, messageHead(m));
      expect(b.matchHead(other, key, 5)).toEqual(a.match(m, 5));
    }
    expect(b.templates()).toEqual(a.templates());
    expect(messageHead('first\nsecond')).toBe('first');
  });

  it('groups messages of one template and keeps the id when the template generalizes', () => {
    const m = new DrainMiner();
    const a = m.match('Connection from 10.0.0.1 closed after 5 requests');
    const b = m.match('Connection from 10.0.0.2 closed after 17 requests');
    expect(b.id).toBe(a.id);
    expect(b.template).toBe('Connection from <*> closed after <*> requests');
    const c = m.match('Disk /dev/sda1 is 91% full');
    expect(c.id).not.toBe(a.id);
  });

  it('words at one position stay apart until enough distinct words were seen there, then merge into the oldest id', () => {
    const m = new DrainMiner({ siblings: 4 });
    const https = m.match('host:443 open through proxy p:5070 HTTPS');
    const socks = m.match('host:443 open through proxy p:5070 SOCKS5');
    expect(socks.id).not.toBe(https.id);
    const users = ['alice', 'bob', 'carol', 'dave'].map((u) => m.match(`Invalid user ${u} from 10.0.0.1`));
    const last = users[3]!;
    expect(last.template).toBe('Invalid user <*> from <*>');
    expect(last.id).toBe(users[0]!.id);
    // Earlier ids resolve to the surviving template.
    expect(m.get(users[1]!.id)!.id).toBe(users[0]!.id);
    expect(m.match('Invalid user eve from 10.0.0.9').id).toBe(users[0]!.id);
  });

  it('messages of different lengths or first words are different templates', () => {
    const m = new DrainMiner();
    const a = m.match('Failed password for root from 1.2.3.4 port 22 ssh2');
    const b = m.match('Failed password for invalid user x from 1.2.3.4 port 22 ssh2');
    const c = m.match('Accepted password for root from 1.2.3.4 port 22 ssh2');
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  });
});

describe('shape hash', () => {
  it('equal hashes only for equal token sequences, and equal token sequences mostly share a hash', async () => {
    const { shapeHash } = await import('../../../electron/engine/decode/templates/shape-hash.js');
    const msgs = [
      'Connection from 10.0.0.1 closed',
      'Connection from 10.0.0.2 closed',
      'Connection from host.example.com closed',
      'Connection  from 10.0.0.1 closed',
      'open /var/log/a.log',
      'open /var/log/b.log',
      'open var/log/b.log',
      'took 5 ms',
      'took 17 ms',
      'took 5 s',
      'jk2_init() Found child 6725 in scoreboard slot 10',
      'jk2_init() Found child 1 in scoreboard slot 7',
      'jk3_init() Found child 1 in scoreboard slot 7',
      'logname= uid=0',
      'logname=x uid=0',
      'proxy.cse.cuhk.edu.hk:5070 open',
      'www.google.com:443 open',
    ];
    const byHash = new Map<number, string>();
    for (const m of msgs) {
      const t = tokenize(m).tokens.join('\u001f');
      const h = shapeHash(m);
      if (byHash.has(h)) expect(byHash.get(h)).toBe(t);
      byHash.set(h, t);
    }
    expect(shapeHash(msgs[0]!)).toBe(shapeHash(msgs[1]!));
    expect(shapeHash(msgs[0]!)).toBe(shapeHash(msgs[2]!));
    expect(shapeHash(msgs[4]!)).toBe(shapeHash(msgs[5]!));
    expect(shapeHash(msgs[10]!)).toBe(shapeHash(msgs[11]!));
    expect(shapeHash(msgs[10]!)).not.toBe(shapeHash(msgs[12]!));
    expect(shapeHash(msgs[15]!)).toBe(shapeHash(msgs[16]!));
  });
});

describe('template miner memory', () => {
  // Free text (no digits, every line its own words): a template per line, as Drain makes.
  const freeText = (seed: number) => {
    let a = seed >>> 0;
    const rnd = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
    const word = () => Array.from({ length: 3 + Math.floor(rnd() * 6) }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
    return (first?: string) => [first ?? word(), ...Array.from({ length: 2 + Math.floor(rnd() * 6) }, word)].join(' ');
  };

  it('keeps at most maxTemplates in memory; templates in use keep their ids', () => {
    const m = new DrainMiner({ maxTemplates: 1000 });
    const next = freeText(1);
    const hot = m.match('heartbeat from scheduler ok', 0).id;
    const ids = new Set<number>();
    for (let i = 1; i <= 20_000; i++) {
      ids.add(m.match(next(), i).id);
      if (i % 50 === 0) expect(m.match('heartbeat from scheduler ok', i).id).toBe(hot);
      if (i % 1000 === 0) m.takeDirty();
    }
    expect(ids.size).toBeGreaterThan(19_000);
    expect(m.liveTemplates).toBeLessThanOrEqual(1000);
    expect(m.templates().length).toBeLessThanOrEqual(1000);
    // Set aside and back before it was saved: the same template, from memory.
    const first = m.match('zz first words here', 30_000).id;
    for (let i = 0; i < 1050; i++) m.match(next(), 30_001 + i);
    expect(m.get(first)).toBeUndefined();
    expect(m.match('zz first words here', 40_000).id).toBe(first);
    // Set aside and saved: with nothing stored to take it back from (vigil parse), a new template.
    for (let i = 0; i < 2000; i++) m.match(next(), 40_001 + i);
    m.takeDirty();
    expect(m.match('zz first words here', 50_000).id).toBeGreaterThan(first);
  });

  it('a miner nothing persists (vigil parse) takes a template set aside back when its message returns, while it is among the latest set aside', () => {
    const m = new DrainMiner({ maxTemplates: 1000, trackChanges: false });
    const next = freeText(4);
    const first = m.match('zz first words here', 0).id;
    for (let i = 0; i < 1050; i++) m.match(next(), 1 + i);
    expect(m.get(first)).toBeUndefined();
    expect(m.match('zz first words here', 2000).id).toBe(first);
    for (let i = 0; i < 5000; i++) m.match(next(), 3000 + i);
    expect(m.match('zz first words here', 9000).id).toBeGreaterThan(first);
  });

  it('a miner nothing persists (vigil parse: trackChanges false) keeps no list of changed templates, which grew with each line of free text', () => {
    const next = freeText(3);
    const lines = Array.from({ length: 3000 }, () => next());
    const kept = new DrainMiner({ maxTemplates: 1000 });
    const offline = new DrainMiner({ maxTemplates: 1000, trackChanges: false });
    lines.forEach((l, i) => {
      expect(offline.match(l, i).id).toBe(kept.match(l, i).id);
    });
    expect(kept.takeDirty().length).toBeGreaterThan(2500);
    expect(offline.takeDirty()).toEqual([]);
  });

  it('keeps at most maxPerBucket templates of one length and first word', () => {
    const m = new DrainMiner({ maxPerBucket: 20 });
    const next = freeText(2);
    const hot = m.match('said the usual thing today', 0).id;
    for (let i = 1; i <= 3000; i++) {
      m.match(next('said'), i);
      if (i % 10 === 0) expect(m.match('said the usual thing today', i).id).toBe(hot);
    }
    expect(m.liveTemplates).toBeLessThan(3000 / 4);
  });
});

describe('template miner: after a restart (load)', () => {
  const freeText = (seed: number) => {
    let a = seed >>> 0;
    const rnd = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
    const word = () => Array.from({ length: 4 + Math.floor(rnd() * 4) }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
    return () => `User said ${word()} ${word()} ${word()}`;
  };

  it('buckets hold at most maxPerBucket templates again, the most recently seen (loaded unbounded, every message was compared with thousands)', () => {
    const m = new DrainMiner({ maxPerBucket: 100 });
    const next = freeText(5);
    const stored = new Map<number, ReturnType<DrainMiner['templates']>[number]>();
    for (let i = 0; i < 3000; i++) {
      m.match(next(), i);
      // Everything ever made is stored (template_state keeps what memory set aside).
      for (const t of m.takeDirty()) stored.set(t.id, structuredClone({ ...t, absorbed: undefined }));
    }
    expect(m.liveTemplates).toBeLessThanOrEqual(100);
    const after = new DrainMiner({ maxPerBucket: 100 });
    after.load([...stored.values()].map((t) => structuredClone(t)));
    expect(after.liveTemplates).toBe(100);
    // The newest are the ones kept: a message of the last template made matches it.
    const newest = [...stored.values()].sort((a, b) => b.lastSeen - a.lastSeen)[0]!;
    expect(after.get(newest.id)?.text).toBe(newest.text);
    const oldest = [...stored.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0]!;
    expect(after.get(oldest.id)).toBeUndefined();
  });

  it('a message keeps its template after a restart and after the shape cache was cleared', () => {
    const lines = ['replica sync done for shard alpha on node red today', 'replica sync done for shard alpha on node red tomorrow', 'replica sync done for shard alpha on node blue yesterday'];
    const m = new DrainMiner({ cacheEntries: 4 });
    const ids = lines.map((l, i) => m.match(l, i).id);
    const again = m.match(lines[1]!, 10).id;
    expect(again).toBe(ids[1]);
    // The cache holds 4 shapes: these clear it.
    for (let i = 0; i < 5; i++) m.match(`order placed by customer number${'x'.repeat(i)}`, 20 + i);
    expect(m.match(lines[1]!, 30).id).toBe(ids[1]);
    const restarted = new DrainMiner();
    restarted.load(m.templates().map((t) => structuredClone({ ...t, absorbed: undefined })));
    expect(restarted.match(lines[1]!, 40).id).toBe(ids[1]);
  });

  it('first seen is the earliest record, also when older records come later (a second source, an archive)', () => {
    const m = new DrainMiner();
    const id = m.match('job finished in 12 ms', 5000).id;
    m.takeDirty();
    m.match('job finished in 15 ms', 1000);
    expect(m.get(id)).toMatchObject({ firstSeen: 1000, lastSeen: 5000 });
    expect(m.takeDirty().map((t) => t.id)).toEqual([id]);
  });
});

describe('template miner: long messages', () => {
  it('a template is mined from the first 4096 characters, and the line is not kept alive by it', () => {
    const m = new DrainMiner();
    const big = (w: string) => `payload ${w} ` + 'abcdefgh '.repeat(20_000);
    const t = m.match(big('alpha'), 0);
    expect(t.template.length).toBeLessThanOrEqual(4096);
    expect(m.match(big('alpha') + 'tail differs', 1).id).toBe(t.id);
  });

  it('keeps at most maxTemplateChars characters of templates in memory', () => {
    const m = new DrainMiner({ maxTemplateChars: 100_000 });
    let a = 7;
    const rnd = () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 4294967296);
    const word = () => Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
    for (let i = 0; i < 2000; i++) m.match(Array.from({ length: 300 }, word).join(' '), i);
    const chars = m.templates().reduce((n, t) => n + t.text.length, 0);
    expect(chars).toBeLessThanOrEqual(100_000);
    expect(m.liveTemplates).toBeGreaterThan(10);
  });
});

describe('template miner: a first word that takes many values', () => {
  it('is taken for a value past 100 first words: names make one template, not one each', () => {
    const m = new DrainMiner();
    const name = (i: number) => `user${String.fromCharCode(97 + (i % 26), 97 + (Math.floor(i / 26) % 26), 97 + (Math.floor(i / 676) % 26))}`.slice(4);
    const ids = new Set<number>();
    for (let i = 0; i < 5000; i++) ids.add(m.match(`${name(i)} logged in from web`, i).id);
    expect(ids.size).toBeLessThanOrEqual(104);
    expect(m.match('zed logged in from web', 6000).template).toBe('<*> logged in from web');
    // Words that repeat keep their own templates: a hundred first words per length is the bound.
    expect(m.match(`${name(3)} logged in from web`, 6001).template).toBe(`${name(3)} logged in from web`);
  });
});
