// The decode module's public face: formats, stream decoders, template mining.
export { loadFormats, builtinFormatsDir, type LoadedFormats } from './formats/load.js';
export { compileFormat, FormatError, type CompiledFormat, type ParsedLine } from './formats/compile.js';
export type { FormatDefinition } from './formats/definition.js';
export { createDecoderFactory, FormatDecoderFactory } from './factory.js';
export { FormatStreamDecoder, DEFAULT_TUNING, type StreamTuning } from './stream-decoder.js';
export { DrainMiner, type MinedTemplate, type MinerOptions } from './templates/miner.js';
export { TemplateStore } from './templates/template-store.js';
export { decodeInWorkers, isDecodeWorker, runDecodeWorker, type DecodeWorkerData, type RecordSink, type WorkerDecodeOptions, type WorkerDecodeResult } from './worker-decode.js';
export type * from './types.js';
