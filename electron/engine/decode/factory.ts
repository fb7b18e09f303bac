import type { CompiledFormat } from './formats/compile.js';
import { FormatStreamDecoder, type StreamTuning } from './stream-decoder.js';
import type { DecoderFactory, DecoderOptions } from './types.js';

/** Builds stream decoders over a set of loaded formats (see loadFormats). */
export class FormatDecoderFactory implements DecoderFactory {
  constructor(
    readonly formats: readonly CompiledFormat[],
    private readonly tuning: Partial<StreamTuning> = {},
  ) {}

  create(opts: DecoderOptions = {}): FormatStreamDecoder {
    return new FormatStreamDecoder(this.formats, opts, this.tuning);
  }

  /** Format names, for the UI's format picker and `vigil parse --log-format`. */
  names(): string[] {
    return ['generic', ...this.formats.map((f) => f.name)];
  }
}

export function createDecoderFactory(formats: readonly CompiledFormat[], tuning: Partial<StreamTuning> = {}): FormatDecoderFactory {
  return new FormatDecoderFactory(formats, tuning);
}
