// `npm run bench`: the whole CLI (process start to exit) against a simulator in its own process, at several sizes
// and parallelisms, for fresh apply, plan, no-op apply, drift and watch, plus start-up. See bench/cli-bench.ts.
//
//   npm run bench -- [--quick] [--json] [--runs 3] [--baseline-runs 1] [--startup-runs 5]
//                    [--sizes 100x5] [--latency 20] [--parallelism 16,1,64]
//                    [--scale-sizes 500x10,2000x10] [--scale-latency 0]
//                    [--phases fresh-apply,plan,noop-apply,drift,watch] [--watch-ticks 5] [--cli dist/cli/main.js]
//
// --sizes run at --latency and every --parallelism (the first for every phase, the others for plan only);
// --scale-sizes run at --scale-latency and the first parallelism, to show how time and memory grow with size (every
// phase but watch). watch runs `dss-gitops watch` at the first parallelism and times --watch-ticks ticks after its
// first.
// --quick: one small case (10×2 at 5 ms, parallelism 4 and 1), one run each, two watch ticks, for a smoke run.
// --json prints the report as one JSON document (bench/readme-table.ts turns it into the README's table).

import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBench } from './cli-bench.js';
import { PHASES, type BenchCase, type Phase } from './report.js';
import { platformBench } from './platform-workload.js';
import { cliEntry } from './workload.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'baseline-runs': { type: 'string' },
    'startup-runs': { type: 'string' },
    sizes: { type: 'string' },
    latency: { type: 'string' },
    parallelism: { type: 'string' },
    'scale-sizes': { type: 'string' },
    'scale-latency': { type: 'string', default: '0' },
    phases: { type: 'string', default: PHASES.join(',') },
    'watch-ticks': { type: 'string' },
    cli: { type: 'string' },
    // `platform` or `platform:USERSxGROUPSxCONNECTIONS`: the platform tree instead (bench/platform-workload.ts).
    tree: { type: 'string', default: 'projects' },
  },
});

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = values.quick;

function count(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a whole number (got '${value}')`);
  return n;
}
function sizes(value: string): Array<[number, number]> {
  return value
    .split(',')
    .filter((v) => v !== '')
    .map((v) => {
      const m = /^(\d+)x(\d+)$/.exec(v.trim());
      if (!m) throw new Error(`a size is PROJECTSxSCENARIOS, e.g. 100x5 (got '${v}')`);
      return [Number(m[1]), Number(m[2])];
    });
}
const phases = values.phases.split(',').map((p) => {
  if (!(PHASES as readonly string[]).includes(p)) throw new Error(`unknown phase '${p}' (phases: ${PHASES.join(', ')})`);
  return p as Phase;
});
const parallelisms = (values.parallelism ?? (quick ? '4,1' : '16,1,64')).split(',').map((p) => count(p, '--parallelism'));
const latency = count(values.latency ?? (quick ? '5' : '20'), '--latency');
const cases: BenchCase[] = [
  ...sizes(values.sizes ?? (quick ? '10x2' : '100x5')).map(([projects, scenarios]) => ({
    projects,
    scenarios,
    latencyMs: latency,
    parallelisms,
    phases,
  })),
  ...sizes(values['scale-sizes'] ?? (quick ? '' : '500x10,2000x10')).map(([projects, scenarios]) => ({
    projects,
    scenarios,
    latencyMs: count(values['scale-latency'], '--scale-latency'),
    parallelisms: parallelisms.slice(0, 1),
    phases: phases.filter((p) => p !== 'watch'),
  })),
];

const report = await (values.tree === 'projects' ? runBench : platformBench(values.tree))({
  cli: cliEntry(values.cli ?? `${root}dist/cli/main.js`),
  root,
  cases,
  runs: count(values.runs ?? (quick ? '1' : '3'), '--runs'),
  baselineRuns: count(values['baseline-runs'] ?? '1', '--baseline-runs'),
  startupRuns: count(values['startup-runs'] ?? (quick ? '1' : '5'), '--startup-runs'),
  watchTicks: count(values['watch-ticks'] ?? (quick ? '2' : '5'), '--watch-ticks'),
  // With --json, stdout holds the report alone and progress goes to stderr.
  progress: (line: string) => (values.json ? console.error(line) : console.log(line)),
});
if (values.json) console.log(JSON.stringify(report, null, 2));
else console.log(`${report.machine.nproc} × ${report.machine.cpu}, node ${report.machine.node}, ${report.date}`);
