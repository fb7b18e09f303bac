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

  /** What is wrong with these user formats, as config errors (empty when all compile). */
  static check(userFormats: unknown[] | undefined): ConfigError[] {
    if (!userFormats?.length) return [];
    return loadFormats(userFormats).errors.map((e) => {
      const i = userFormats.findIndex((f) => (f as { name?: unknown })?.name === e.format);
      return { key: i >= 0 ? `formats.${i}` : `formats (${e.format})`, reason: e.reason };
    });
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
