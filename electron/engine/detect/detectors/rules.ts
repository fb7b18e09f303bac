import { checkRegexSafety } from '../../../../shared/regex-safety.js';
import { levelRank, type RuleConfig, type Severity } from '../../../../shared/types.js';
import type { StoredRecord } from '../../pipeline/types.js';
import type { FindingSink } from '../types.js';
import { firstLine } from '../text.js';

// User rules: conditions on one record (regex on the message, level, stream, a structured
// field equal to / containing a value), each with a name, severity and category. All
// conditions of a rule must hold. A regex is matched against the first 4096 characters of
// the message only, and regexes that could backtrack catastrophically are refused when the
// config is validated (shared/regex-safety.ts), and again here for rules built in code.

export const RULE_TEXT_LIMIT = 4096;

export interface CompiledRule {
  name: string;
  severity: Severity;
  category: string;
  title: string;
  sources: Set<string> | null;
  regex: RegExp | null;
  minRank: number;
  exactRank: number;
  stream: 'stdout' | 'stderr' | null;
  field: string[] | null;
  equals: unknown;
  contains: string | null;
}

export interface RuleProblem {
  rule: string;
  reason: string;
}

export function compileRules(rules: readonly RuleConfig[]): { rules: CompiledRule[]; problems: RuleProblem[] } {
  const out: CompiledRule[] = [];
  const problems: RuleProblem[] = [];
  for (const r of rules) {
    if (r.enabled === false) continue;
    const regexText = typeof r.regex === 'string' ? r.regex : null;
    let regex: RegExp | null = null;
    if (regexText !== null) {
      const flags = r.ignoreCase === true ? 'i' : '';
      const safe = checkRegexSafety(regexText, flags);
      if (!safe.ok) {
        problems.push({ rule: r.name, reason: `regex ${safe.reason}` });
        continue;
      }
      regex = new RegExp(regexText, flags);
    }
    out.push({
      name: r.name,
      severity: (r.severity as Severity | undefined) ?? 'medium',
      category: typeof r.category === 'string' ? r.category : 'rule',
      title: typeof r.title === 'string' ? r.title : r.name,
      sources: Array.isArray(r.sources) ? new Set(r.sources as string[]) : null,
      regex,
      minRank: typeof r.minLevel === 'string' ? levelRank(r.minLevel as never) : 0,
      exactRank: typeof r.level === 'string' ? levelRank(r.level as never) : 0,
      stream: r.stream === 'stdout' || r.stream === 'stderr' ? r.stream : null,
      field: typeof r.field === 'string' ? r.field.split('.') : null,
      equals: r.equals,
      contains: typeof r.contains === 'string' ? r.contains : null,
    });
  }
  return { rules: out, problems };
}

function fieldValue(fields: Record<string, unknown> | undefined, path: string[]): unknown {
  let v: unknown = fields;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

export function ruleMatches(rule: CompiledRule, r: StoredRecord): boolean {
  if (rule.sources && !rule.sources.has(r.sourceName)) return false;
  if (rule.minRank && r.levelRank < rule.minRank) return false;
  if (rule.exactRank && r.levelRank !== rule.exactRank) return false;
  if (rule.stream && r.stream !== rule.stream) return false;
  if (rule.field) {
    const v = fieldValue(r.fields, rule.field);
    if (v === undefined) return false;
    if (rule.equals !== undefined && v !== rule.equals && String(v) !== String(rule.equals)) return false;
    if (rule.contains !== null && !(typeof v === 'string' ? v : JSON.stringify(v)).includes(rule.contains)) return false;
  }
  if (rule.regex) {
    const text = r.message.length > RULE_TEXT_LIMIT ? r.message.slice(0, RULE_TEXT_LIMIT) : r.message;
    if (!rule.regex.test(text)) return false;
  }
  return true;
}

export function ruleFinding(rule: CompiledRule, r: StoredRecord, t: number, sink: FindingSink): void {
  sink.found({
    detector: 'rule',
    key: rule.name,
    severity: rule.severity,
    category: rule.category,
    title: `${rule.title} in ${r.sourceName}`,
    message: firstLine(r.message, 500),
    ts: t,
    records: [{ id: r.id, ts: r.ts }],
    templateId: r.templateId,
    rule: rule.name,
  });
}
