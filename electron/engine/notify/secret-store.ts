import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecretBox } from './secret-box.js';

interface SecretsFile {
  version: 1;
  secrets: Record<string, { kind: string; value: string }>;
}

export const SECRET_PREFIX = 'secret:';

export class SecretError extends Error {}

/**
 * Named secrets (webhook URLs with tokens, SMTP passwords) in <dataDir>/secrets.json, mode
 * 0600, each value passed through the injected SecretBox. vigil.yml refers to them as
 * `secret:NAME`, so the config file can be shared or shown without them. The file is read
 * on every lookup: it is small, lookups happen once per delivery, and an edit by another
 * process (or by hand) is seen at once.
 */
export class SecretStore {
  constructor(
    readonly path: string,
    private readonly box: SecretBox,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  get kind(): string {
    return this.box.kind;
  }

  has(name: string): boolean {
    return name in this.read().secrets;
  }

  names(): string[] {
    return Object.keys(this.read().secrets).sort();
  }

  get(name: string): string {
    const entry = this.read().secrets[name];
    if (!entry) throw new SecretError(`secret "${name}" is not in ${this.path}`);
    if (entry.kind === 'plain') return entry.value;
    if (entry.kind !== this.box.kind) {
      throw new SecretError(`secret "${name}" was encrypted by "${entry.kind}" and this Vigil uses "${this.box.kind}"; store it again here`);
    }
    try {
      return this.box.decrypt(entry.value);
    } catch (err) {
      throw new SecretError(`secret "${name}" could not be decrypted: ${(err as Error).message}`);
    }
  }

  set(name: string, value: string): void {
    const file = this.read();
    file.secrets[name] = { kind: this.box.kind, value: this.box.encrypt(value) };
    this.write(file);
  }

  remove(name: string): void {
    const file = this.read();
    if (!(name in file.secrets)) return;
    delete file.secrets[name];
    this.write(file);
  }

  /** `secret:NAME` -> its value; anything else unchanged. */
  resolve(value: string): string {
    return value.startsWith(SECRET_PREFIX) ? this.get(value.slice(SECRET_PREFIX.length)) : value;
  }

  private read(): SecretsFile {
    if (!existsSync(this.path)) return { version: 1, secrets: {} };
    this.tighten();
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw new SecretError(`${this.path} is not valid JSON: ${(err as Error).message}`);
    }
    const secrets = (parsed as Partial<SecretsFile>)?.secrets;
    if (!secrets || typeof secrets !== 'object') throw new SecretError(`${this.path} has no "secrets" object`);
    return { version: 1, secrets: { ...secrets } };
  }

  /** A secrets file others can read defeats its purpose: put it back to 0600 and say so. */
  private tighten(): void {
    if (process.platform === 'win32') return;
    const mode = statSync(this.path).mode & 0o777;
    if (mode & 0o077) {
      chmodSync(this.path, 0o600);
      this.log(`${this.path} was readable by others (mode ${mode.toString(8)}); set it to 600`);
    }
  }

  private write(file: SecretsFile): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600); // writeFileSync's mode is filtered by the umask and ignored for an existing file
    renameSync(tmp, this.path);
  }
}
