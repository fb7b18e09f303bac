import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanCommand, type ScannedAnomaly, type ScanDeps } from '../../../electron/cli/scan.js';

/** Runs `vigil scan FILE --json [args]` in process; returns the anomalies (throws on a non-zero exit). */
export async function scanJson(file: string, args: string[] = [], deps: ScanDeps = {}): Promise<ScannedAnomaly[]> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) => ({ write: (s: string | Uint8Array) => (append(String(s)), true) }) as unknown as NodeJS.WritableStream;
  const code = await scanCommand([file, '--json', ...args], { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) }, deps);
  if (code !== 0) throw new Error(`vigil scan exited ${code}: ${err}`);
  return JSON.parse(out) as ScannedAnomaly[];
}

export function writeLog(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
