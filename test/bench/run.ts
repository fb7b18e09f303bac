// `npm run bench`: every benchmark prints its figures next to the reference tool's run
// on the same data. Benchmarks print; they never pass or fail on a timing.
// Usage: npm run bench [-- NAME...] [--quick]   (names: decode, detect, docker, tail, chart)
import { benchChart } from './chart.bench.js';
import { benchDecode } from './decode.bench.js';
import { benchDetect } from './detect.bench.js';
import { benchDocker } from './docker.bench.js';
import { benchTail } from './tail.bench.js';

const BENCHES: Record<string, (opts: { quick?: boolean }) => Promise<void>> = {
  decode: benchDecode,
  detect: benchDetect,
  docker: benchDocker,
  tail: benchTail,
  // Last: its two million records leave a large heap that would weigh on the timings after it.
  chart: benchChart,
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const chosen = names.length ? names : Object.keys(BENCHES);
for (const n of chosen) {
  const fn = BENCHES[n];
  if (!fn) {
    console.error(`bench: unknown benchmark "${n}" (have: ${Object.keys(BENCHES).join(', ')})`);
    process.exit(2);
  }
  console.log(`\n=== ${n} ===`);
  await fn({ quick });
}
