// Register and state dumps: lines that only report named values, such as
//   instruction address: 0x00004ed8      machine check enable..............0
//   r24=0x0ffea4c8 r25=0x00000003        special purpose registers:
// A crash writes dozens of them after the line that says what happened, often at the
// crash's level (FATAL). They are context for that incident, not incidents of their own:
// detectors skip them, and they appear as context around the finding that explains them.

// `name.......value`: dotted leaders are a table row.
const LEADER = /^[A-Za-z][^\n]{0,80}?\.{3,}\s*(?:0x[0-9a-f]+|[-+]?\d+)(?:\s*\(\w{0,12}\))?$/i;
// `name: value` where the value looks like an address or register (0x..., or 4+ hex digits
// with a digit): `exit status: 1` is not a dump, `data address: 0x00000002` is.
const NAME_ADDR = /^[A-Za-z][\w ./()-]{0,60}:\s*(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)[0-9a-f]{4,})$/i;
// `key=value key:value ...`, every value hex or numeric, at least one address-like.
const PAIR = /^[A-Za-z][A-Za-z0-9_]{0,15}[:=](?:0x)?[0-9a-f]+$/i;
const ADDRESS_LIKE = /[:=](?:0x[0-9a-f]+|(?=[0-9a-f]*\d)[0-9a-f]{4,})$/i;
const BARE_HEX = /^(?:0x)?[0-9a-f]{8,}$/i;
// A section header of a dump.
const HEADER = /^[A-Za-z][\w ]{0,40}\b(?:registers?|dump|backtrace|call trace|stack|frames?)\s*:$/i;

/** True when the message only reports named values (see above). */
export function isDumpLine(message: string): boolean {
  if (message.length > 200) return false;
  const m = message.trim();
  if (m.length < 3) return false;
  if (LEADER.test(m) || NAME_ADDR.test(m) || HEADER.test(m)) return true;
  const parts = m.split(/\s+/);
  if (parts.length > 16) return false;
  let addr = false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    // A wide register prints as several words after its name: fpr29=0xffffffff ffffffff ...
    if (i > 0 && addr && BARE_HEX.test(p)) continue;
    if (!PAIR.test(p)) return false;
    if (ADDRESS_LIKE.test(p)) addr = true;
  }
  return addr;
}
