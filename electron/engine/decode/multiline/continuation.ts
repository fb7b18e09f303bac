import type { Level } from '../../../../shared/types.js';

// What a continuation line looks like when no format header tells records apart: the
// lines of a stack trace or of an indented block. Java, Python, Go, PHP, Ruby and Node
// traces all start their records with a line that has none of these shapes.

const CONTINUATION = new RegExp(
  [
    '^[ \\t]+\\S', // indented: "\tat com.x.Y(Y.java:1)", "  File \"x.py\", line 3", "    at fn (/app/x.js:1:2)"
    '^(?:Caused by|Suppressed|Traceback \\(most recent call last\\)|During handling of the above exception|The above exception was the direct cause|Stack trace|Stacktrace|goroutine \\d+ \\[|\\[stacktrace\\]|created by |Exception in)',
    '^\\.\\.\\. \\d+ (?:more|common frames omitted)',
    '^#\\d+ ', // PHP "#0 /var/www/x.php(3): f()"
    '^[\\w$.]*(?:Error|Exception|Exit|Interrupt|Warning)(?::|$)', // "ValueError: bad", "java.io.IOException: x"
    '^[\\w./-]+\\.(?:rb|py|go|js|ts|php|java):\\d+:in ', // Ruby "app.rb:3:in `f'"
    '^[\\w.*()/$-]+\\([^)]*\\)(?: \\+0x[0-9a-f]+)?$', // Go frame "main.main()"
    '^["\'\\])}]+[,;]?\\s*$', // closing of a JSON context dump
    // Go's "[signal SIGSEGV: segmentation violation ...]", Node's "[UnhandledPromiseRejection: ...] {"
    // and its "Node.js v20.10.0" under a crash, a caret under the failing source line.
    '^\\[(?:signal [A-Z]|\\w*(?:Error|Exception|Rejection)\\b)',
    '^Node\\.js v\\d',
    '^\\^+\\s*$',
    // Rust's panic: its note and backtrace.
    '^(?:note: run with|stack backtrace:)',
    // A Python exception named otherwise: "psycopg2.errors.UniqueViolation: duplicate key".
    '^[a-z_]\\w*(?:\\.\\w+)*\\.[A-Z]\\w*: ',
    '^\\s*$', // blank line inside a trace
  ].join('|'),
);

/**
 * What a runtime prints when a program dies: a Go panic or fatal runtime error, a Rust
 * panic, the JVM's uncaught exception, Node's uncaught exception or unhandled rejection
 * (which opens with the place it was thrown, alone on its line: `/app/server.js:10`,
 * `file:///app/main.mjs:3`, `C:\app\server.js:10`, `node:internal/process/promises:289`;
 * then the source line, a caret, the error and its stack). Never the rest of the log
 * record above it (the logger did not write it), so it starts a record of its own, at
 * least at this level.
 */
const CRASH = /^(?:panic: |fatal error: |thread '[^']*' panicked at |Exception in thread ")/;
const NODE_CRASH = /^(?:node:[\w/.-]+|(?:file:\/\/|[A-Za-z]:)?[\\/][^\s:]*\.(?:[cm]?[jt]s|[jt]sx)):\d+$/;

export function crashLevel(text: string): Level | null {
  const c = text.charCodeAt(0);
  if (c === 47 || c === 110 || ((c === 102 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) && text.charCodeAt(text.length - 1) <= 57)) {
    if (NODE_CRASH.test(text)) return 'fatal';
  }
  if (c !== 112 && c !== 102 && c !== 116 && c !== 69) return null; // p f t E
  if (!CRASH.test(text)) return null;
  return c === 69 ? 'error' : 'fatal';
}

export function looksLikeContinuation(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  // Fast path: most record starts begin with a digit, '[' or '{'.
  if ((c >= 48 && c <= 57) || c === 123) return false;
  return CONTINUATION.test(text);
}
