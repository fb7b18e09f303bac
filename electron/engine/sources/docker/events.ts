// Docker's container events as Vigil sees them: parsed from the `/events` stream, and the
// ones a person cares about (start, die, OOM, health) turned into records of their own.
import { StringDecoder } from 'node:string_decoder';
import type { Level } from '../../../../shared/types.js';
import { newRecord, type DecodedRecord } from '../../decode/types.js';
import { keyFromNanos, keyToMs } from './position.js';

export const EVENT_FORMAT = 'docker-event';

export interface ContainerEvent {
  action: string;
  id: string;
  /** Container name, without the leading '/'. */
  name: string;
  /** Docker puts the container's labels here, next to name, image, exitCode, ... */
  attributes: Record<string, string>;
  /** Position key of the event's time (see position.ts). */
  key: string;
  ms: number;
  /** The event as Docker sent it. */
  raw: string;
}

/** One line of the `/events` stream -> a container event, or null for anything else. */
export function parseEvent(line: string): ContainerEvent | null {
  let v: { Type?: string; Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; time?: number };
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if ((v.Type ?? 'container') !== 'container') return null;
  const id = v.Actor?.ID ?? v.id;
  const action = v.Action ?? v.status;
  if (!id || !action) return null;
  // timeNano does not fit a double: read its digits from the text.
  const nanos = /"timeNano":\s*(\d+)/.exec(line)?.[1] ?? (v.time ? `${v.time}000000000` : null);
  if (!nanos) return null;
  const key = keyFromNanos(nanos);
  const attributes = v.Actor?.Attributes ?? {};
  return { action, id, name: (attributes.name ?? '').replace(/^\//, ''), attributes, key, ms: keyToMs(key), raw: line };
}

/** The events worth a record, with what to say. Others (create, kill, stop, exec, ...) are not recorded. */
export function describeEvent(ev: ContainerEvent, name = ev.name): { message: string; level: Level } | null {
  const action = ev.action;
  if (action === 'start') return { message: `container ${name} started`, level: 'info' };
  if (action === 'die') {
    const code = ev.attributes.exitCode;
    return code === undefined
      ? { message: `container ${name} died`, level: 'warn' }
      : { message: `container ${name} died (exit code ${code})`, level: code === '0' ? 'info' : 'error' };
  }
  if (action === 'oom') return { message: `container ${name} ran out of memory (OOM)`, level: 'critical' };
  if (action.startsWith('health_status')) {
    const state = action.slice(action.indexOf(':') + 1).trim() || 'unknown';
    return { message: `container ${name} is ${state}`, level: state === 'unhealthy' ? 'error' : 'info' };
  }
  return null;
}

export function eventRecord(ev: ContainerEvent, what: { message: string; level: Level }, name: string): DecodedRecord {
  return newRecord({
    firstLine: 0,
    lastLine: 0,
    startOffset: 0,
    endOffset: 0,
    ts: ev.ms,
    tsText: ev.key,
    level: what.level,
    levelText: null,
    message: what.message,
    raw: ev.raw,
    rawBytes: null,
    flags: 0,
    format: EVENT_FORMAT,
    fields: {
      container: name,
      containerId: ev.id,
      action: ev.action,
      ...(ev.attributes.exitCode !== undefined ? { exitCode: Number(ev.attributes.exitCode) } : {}),
      ...(ev.attributes.image ? { image: ev.attributes.image } : {}),
    },
  });
}

/** The lines of an NDJSON response stream, as they complete. */
export async function* jsonLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const utf8 = new StringDecoder('utf8'); // a character may be cut between chunks
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : utf8.write(chunk);
    let nl: number;
    while ((nl = rest.indexOf('\n')) !== -1) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line) yield line;
    }
  }
}
