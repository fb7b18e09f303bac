import { createRequire } from 'node:module';
import { sep } from 'node:path';

/**
 * better-sqlite3's entry point, for the require() of a worker thread (the WAL checkpointer,
 * the SQL box's queries). Inside a packaged app it is unpacked next to the asar archive
 * (electron-builder.yml), where a worker finds it without Electron's asar support.
 */
export function driverPath(): string {
  const p = createRequire(import.meta.url).resolve('better-sqlite3');
  return p.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`);
}
