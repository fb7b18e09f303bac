import { parentPort, workerData } from 'node:worker_threads';
import { isDecodeWorker, runDecodeWorker } from '../engine/decode/worker-decode.js';
import { main } from './vigil.js';

// This bundle is also the script of `vigil parse`'s decode workers (see parse.ts): a worker
// does its job and ends; only the main thread runs a command.
if (isDecodeWorker(workerData)) {
  await runDecodeWorker(workerData, parentPort!);
} else {
  // `vigil parse big.log | head`: the reader went away; that is a normal end, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });

  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
