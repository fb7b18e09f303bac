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
    cannotWrite(err);
  });

  // Its own log cannot be written (stderr on a full disk, a closed pipe): `vigil serve` goes
  // on watching (its messages are lost, not its lines); unhandled, the error ended it.
  process.stderr.on('error', () => undefined);

  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: NodeJS.ErrnoException) => {
      if (err?.syscall === 'write') {
        if (err.code === 'EPIPE') process.exit(0);
        cannotWrite(err);
      }
      console.error(err);
      process.exitCode = 1;
    },
  );
}

/** The output cannot be written (`> /dev/full`, a full disk): one line, not a stack trace. */
function cannotWrite(err: NodeJS.ErrnoException): never {
  process.stderr.write(`vigil: cannot write the output: ${err.code ?? ''}${err.code ? ': ' : ''}${err.message.replace(/^[A-Z]+: /, '').replace(/, write$/, '')}\n`);
  process.exit(1);
}
