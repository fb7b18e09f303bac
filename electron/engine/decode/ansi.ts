// Terminal control sequences in log text. Programs that colour their output for a terminal
// often do so into files too (pm2's logs, Rails' development.log, a FORCE_COLOR=1 service,
// a TTY container): `\x1b[32mINFO\x1b[0m`. Left in, they hide the timestamp and level from
// every format and split one message into many templates. A line's text is taken as a
// terminal would show it: the sequences are removed before decoding (the record is flagged
// ansiStripped; the file keeps the colours).

/**
 * CSI (`ESC [ params intermediates final`: colours, cursor moves, erase), OSC (`ESC ] ...`
 * ended by BEL or `ESC \`: titles, hyperlinks), and the two-byte escapes (`ESC (B`, `ESC =`,
 * ...). Every part is bounded by its own character class, so matching is linear.
 */
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])/g;

/** `text` without terminal control sequences; `text` itself when it has none. */
export function stripAnsi(text: string): string {
  return text.indexOf('\x1b') === -1 ? text : text.replace(ESCAPES, '');
}
