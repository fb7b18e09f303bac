import { describe, expect, it } from 'vitest';
import { VigilConfig, configErrors } from '../../../shared/schema.js';
import { checkRegexSafety } from '../../../shared/regex-safety.js';

// A rule's regex runs on every record: shapes that backtrack exponentially are refused
// when the config is validated, with a reason the user can act on.

describe('regex safety', () => {
  it.each(['(a+)+$', '(\\w+\\s?)*$', '(.*,)*x', '(x+x+)+y', '(a|ab)*c', '(\\w|\\d)+$', '(a*)*b', '^(([a-z])+.)+[A-Z]([a-z])+$', '(\\d+\\.?)+x', '([a-zA-Z]+)*$', '.*.*=', '\\d+\\d+x', '^([^]+)+b$', '([^]*)*x', '^(.*,){5}ERROR', '(a{1,10}){1,10}b', '^(?:.*,){2}x', '(\\w+\\s?){3}$'])(
    'refuses %s',
    (p) => {
      const r = checkRegexSafety(p);
      expect(r.ok).toBe(false);
      expect(r.reason).toMatch(/backtrack catastrophically/);
    },
  );

  it.each(['(\\w+\\s)*', '([a-z]+,)*', '(.|\\n)*', '(\\d{1,3}\\.){3}\\d{1,3}', 'a.*b.*c', 'connection (refused|reset)', '[A-Z][a-z]+Exception', 'timeout after \\d+ ?ms', '^\\[(\\w+)\\] .*$', '(?<key>\\w+)=(\\d+)', '^\\s*\\w*\\s*$', '[]]+', '[^]]+x', '(\\d+\\.){3}\\d+', '(?:[^,]*,){5}ERROR', '(a|ab){3}c', '(\\w+ ){2}\\d+'])('accepts %s', (p) => {
    expect(checkRegexSafety(p)).toEqual({ ok: true });
  });

  it('a format regex (polynomial shapes allowed) is still refused with a nested repeat under a bounded one', () => {
    expect(checkRegexSafety('^(?<timestamp>\\S+) (?<message>.*)$', '', { adjacent: false }).ok).toBe(true);
    expect(checkRegexSafety('^(?<timestamp>\\S+) (?:.*,){5}(?<level>ERROR|INFO)(?<message>.*)$', '', { adjacent: false }).ok).toBe(false);
  });

  it('refuses repeats over the same characters with only a wildcard between them (an IP with its dots unescaped), and three under a leading .*, in every kind of regex; literals between pin them', () => {
    for (const p of ['\\d+.\\d+.\\d+.\\d+ refused', '\\d+.\\d+:', '.*foo.*bar.*baz', '(\\w+).(\\w+) x']) {
      for (const adjacent of [true, false]) {
        const r = checkRegexSafety(p, '', { adjacent });
        expect(r.ok, `${p} adjacent: ${adjacent}`).toBe(false);
        expect(r.reason).toMatch(/could backtrack catastrophically: .*(wildcard|three or more)/);
      }
    }
    for (const p of ['\\d+\\.\\d+\\.\\d+\\.\\d+ refused', '\\d+-\\d+-\\d+ ', '.*foo.*bar.*', '^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] "(.*?)" (\\d+) (\\S+) "(.*?)" "(.*?)"$', 'error.*timeout']) {
      expect(checkRegexSafety(p, '', { adjacent: false }), p).toEqual({ ok: true });
    }
  });

  it('a docker source\'s container /pattern/ is checked as a rule\'s regex is (one stalled the engine at every start)', () => {
    const r = VigilConfig.safeParse({ sources: [{ name: 'd', type: 'docker', containers: ['web', '/^(a+)+$/'] }] });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(configErrors(r.error)).toEqual([{ key: 'sources.0.containers.1', reason: expect.stringMatching(/^is a \/pattern\/ that could backtrack catastrophically: /) }]);
    expect(VigilConfig.safeParse({ sources: [{ name: 'd', type: 'docker', containers: ['/^web-\\d+$/'] }] }).success).toBe(true);
  });

  it('takes the case-insensitive flag into account (overlap of [a-z] and [A-Z])', () => {
    expect(checkRegexSafety('([a-z]|[A-Z])+$').ok).toBe(true);
    expect(checkRegexSafety('([a-z]|[A-Z])+$', 'i').ok).toBe(false);
  });

  it('names the rule key when the config is validated; an invalid regex is refused too', () => {
    const r = VigilConfig.safeParse({ rules: [{ name: 'ok', regex: 'error' }, { name: 'slow', regex: '(a+)+b' }, { name: 'broken', regex: '(' }] });
    expect(r.success).toBe(false);
    if (r.success) return;
    const keys = configErrors(r.error).map((e) => e.key);
    expect(keys).toEqual(['rules.1.regex', 'rules.2.regex']);
  });

  it('wants a rule to have a condition, and a field for equals/contains', () => {
    const r = VigilConfig.safeParse({ rules: [{ name: 'empty' }, { name: 'eq', equals: 3 }] });
    expect(r.success).toBe(false);
    if (!r.success) expect(configErrors(r.error).map((e) => e.key)).toEqual(['rules.0', 'rules.1.field', 'rules.1']);
  });
});
