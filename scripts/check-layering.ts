import { fileURLToPath } from 'node:url';
import { checkLayering } from './layering.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const violations = checkLayering(root);
for (const v of violations) console.error(`${v.file}:${v.line}: imports "${v.specifier}" — ${v.rule}`);
if (violations.length) {
  console.error(`layering: ${violations.length} violation(s)`);
  process.exit(1);
}
console.log('layering: ok');
