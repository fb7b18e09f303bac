import type { Level } from '../../../../shared/types.js';
import type { LevelScale } from '../levels.js';

/**
 * A log format, as data (resources/formats/*.json, or the config file's `formats:` list).
 * Shaped after lnav's format files, kept small: one regex with named captures (or a JSON /
 * logfmt field map), how to read the timestamp and level, and how records span lines.
 */
export interface FormatDefinition {
  /** Unique name, used to force the format on a source (`format: NAME`). */
  name: string;
  title?: string;
  description?: string;
  /** regex: one line of text matched by `regex`; json: one JSON object per line; logfmt: key=value pairs. */
  kind: 'regex' | 'json' | 'logfmt';
  /**
   * kind regex: a regex (or several, tried in order) with named captures. Captures named
   * `timestamp`, `level` and `message` are used by default; the others become fields.
   */
  regex?: string | string[];
  /** Regex flags (`i`, `s`, `u`). */
  flags?: string;
  /** kind json/logfmt: keys that must be present for a line to be this format (`key`, or `key: type|value`). */
  require?: string[] | Record<string, string | number | boolean>;
  timestamp?: {
    /** Field or capture holding the time (first present wins). Default: `timestamp`. */
    field?: string | string[];
    /** strftime-like pattern(s), or iso8601, epoch, epoch-s/ms/us/ns, auto. Default: auto. */
    format?: string | string[];
    /** Times without a zone are UTC (W3C/IIS), not local time. */
    utc?: boolean;
  };
  level?: {
    field?: string | string[];
    /** How numbers map to levels: syslog 0-7, syslog-pri (<PRI> % 8), bunyan 10-60, auto. */
    scale?: LevelScale;
    /** Extra words, e.g. {"I": "info", "W": "warn"} for glog. */
    map?: Record<string, Level>;
  };
  /**
   * kind regex: the line after a first line that has no message, when it holds the message
   * (java.util.logging's `INFO: ...` under its date line, .NET's indented message under
   * `info: Category[0]`). A regex with named captures: its message is the record's, and its
   * level and other captures fill what the first line did not have.
   */
  body?: string;
  /** Field(s) holding the message. Default: `message` (json: also msg, MESSAGE, log). */
  message?: string | string[];
  /**
   * header: a line that does not match is part of the record before it (stack traces);
   * none: every line is a record; heuristic: only indented/stack-trace-looking lines continue.
   * Default: header for regex, heuristic for json/logfmt.
   */
  multiline?: 'header' | 'none' | 'heuristic';
  /** Remove ANSI colour codes before matching (docker compose, dev servers). */
  stripAnsi?: boolean;
  /** The message is itself a log line: take its timestamp and level when the format has none. */
  nested?: boolean;
  /** Lines are alerts (alert-jsonl): fill `alert` from type/severity/details. */
  alert?: boolean;
  /** A line that does not match is kept as a parse error instead of decoded generically. */
  strict?: boolean;
  /**
   * A record continues on the next line while this field has this value (CRI `P` = partial),
   * or (`unterminated`: a byte count) while the field's text has no newline at its end and is
   * at least that long (Docker's json-file cuts lines at 16 KiB; a last line without a
   * newline, shorter, is whole).
   */
  partial?: { field: string; value: string } | { field: string; unterminated: number };
  /**
   * W3C extended logs (IIS): a `#Fields:` directive names the columns of the lines after it;
   * those are read by it (date and time in UTC, sc-status as the level), the regex only
   * before any directive.
   */
  fieldsDirective?: boolean;
  /** Detection tie-break: higher wins among formats matching equally many sample lines. */
  priority?: number;
  /** Example lines; each must match (checked when the format loads). */
  samples?: string[];
}
