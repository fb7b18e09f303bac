import type { ConfigError } from '../../../shared/types.js';
import { createDecoderFactory, type FormatDecoderFactory } from './factory.js';
import type { FormatDefinition } from './formats/definition.js';
import { loadFormats } from './formats/load.js';
import type { DecoderFactory, DecoderOptions, StreamDecoder } from './types.js';

/**
 * The decoder factory the engine hands its sources: built-in formats plus the config's
 * `formats:`. A new config swaps the formats for streams opened afterwards; a user format
 * that does not compile refuses the config (key + reason) instead of vanishing silently.
 */
export class ConfiguredDecoders implements DecoderFactory {
  private factory: FormatDecoderFactory;
  private defs: FormatDefinition[];
  private key = '';

  constructor(userFormats: unknown[] = []) {
    const { formats } = loadFormats(userFormats);
    this.factory = createDecoderFactory(formats);
    this.defs = formats.map((f) => f.def);
    this.key = JSON.stringify(userFormats);
  }

  /**
   * What is wrong with the config's formats, as config errors (empty when all is well): a
   * user format that does not compile, and a source forcing a format nobody defines (a
   * typo would otherwise decode with whatever detection finds, and say so only in the
   * source's decoding panel).
   */
  static check(config: { formats?: unknown[] | undefined; sources?: readonly { format?: string | undefined }[] }): ConfigError[] {
    const userFormats = config.formats ?? [];
    const forced = (config.sources ?? []).some((s) => s.format);
    if (!userFormats.length && !forced) return [];
    const { formats, errors } = loadFormats(userFormats);
    const out: ConfigError[] = errors.map((e) => ({ key: e.index !== undefined ? `formats.${e.index}` : `formats (${e.format})`, reason: e.reason }));
    const known = new Set(createDecoderFactory(formats).names());
    const broken = new Set(errors.map((e) => e.format));
    (config.sources ?? []).forEach((s, i) => {
      if (s.format && !known.has(s.format) && !broken.has(s.format)) {
        out.push({ key: `sources.${i}.format`, reason: `"${s.format}" is not a known format (see formats.list)` });
      }
    });
    return out;
  }

  setUserFormats(userFormats: unknown[] = []): void {
    const key = JSON.stringify(userFormats);
    if (key === this.key) return;
    this.key = key;
    const { formats } = loadFormats(userFormats);
    this.factory = createDecoderFactory(formats);
    this.defs = formats.map((f) => f.def);
  }

  /** The definitions of the formats loaded (built in, then the config's). */
  definitions(): readonly FormatDefinition[] {
    return this.defs;
  }

  create(opts: DecoderOptions): StreamDecoder {
    return this.factory.create(opts);
  }

  names(): string[] {
    return this.factory.names();
  }
}
