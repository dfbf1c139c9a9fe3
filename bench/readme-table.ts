// Prints the README's performance table from `npm run bench -- --json` output, with the date and the machine, so
// that the table is generated, never edited by hand (see bench/table.ts).
//
//   npm run bench -- --json > bench.json && npm run bench:table -- bench.json

import { readFileSync } from 'node:fs';
import type { BenchReport } from './report.js';
import { readmeTable } from './table.js';

// The report file, or standard input.
process.stdout.write(readmeTable(JSON.parse(readFileSync(process.argv[2] ?? 0, 'utf8')) as BenchReport));
