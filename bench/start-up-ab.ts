// Start-up A/B of built CLI entries, run back to back and alternated: the time from process start to the first
// request of a plan (100 projects x 5 scenarios by default, against `dss-gitops sim` in another process with
// latency injected) and the CPU time spent by then, the whole plan, `--version`, `--help` and `validate` of the
// example, each as wall time from spawn to exit and as the process's CPU time. Used to decide whether a start-up
// change pays; the entries are any files node runs.
//
//   node --import tsx bench/start-up-ab.ts --entry old=/tmp/old/dist/cli/main.js --entry new=dist/cli/main.js [--runs 15]
//
// Options: --entry LABEL=FILE (repeatable, 2+), --runs N (15), --projects N (100), --scenarios N (5),
// --latency MS (20), --parallelism N (16), --json. The simulator runs the first entry.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { cliEntry, startRemoteSimulator, writeManifests } from './workload.js';

const { values } = parseArgs({
  options: {
    entry: { type: 'string', multiple: true, default: [] },
    runs: { type: 'string', default: '15' },
    projects: { type: 'string', default: '100' },
    scenarios: { type: 'string', default: '5' },
    latency: { type: 'string', default: '20' },
    parallelism: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
  },
});
const entries = values.entry.map((spec) => {
  const at = spec.indexOf('=');
  if (at <= 0) throw new Error(`--entry LABEL=FILE, not ${spec}`);
  return { label: spec.slice(0, at), file: resolve(spec.slice(at + 1)) };
});
if (entries.length < 2) throw new Error('give two or more --entry LABEL=FILE');
const runs = Number(values.runs);

// Written at exit by every measured process: ms from process start to its first HTTP request and the CPU time spent
// by then (null without one), ms from process start to exit, and its CPU time in ms.
const HOOK = `import { writeFileSync } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let first = null;
subscribe('undici:request:create', () => { first ??= [performance.now(), cpu()]; });
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.START_UP_AB_FILE, JSON.stringify([first?.[0] ?? null, first?.[1] ?? null, performance.now(), (u.userCPUTime + u.systemCPUTime) / 1000]));
});
`;

interface Sample {
  wallMs: number;
  firstRequestMs: number | null;
  firstRequestCpuMs: number | null;
  exitMs: number;
  cpuMs: number;
}

const dir = mkdtempSync(join(tmpdir(), 'dss-gitops-start-up-ab-'));
const hook = join(dir, 'hook.mjs');
const out = join(dir, 'out.json');
writeFileSync(hook, HOOK);
const example = resolve(import.meta.dirname, '../manifests-example');

function runOnce(file: string, argv: string[], env: Record<string, string>, exit: number): Promise<Sample> {
  rmSync(out, { force: true });
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, file, ...argv], {
    cwd: dir,
    env: { ...process.env, ...env, START_UP_AB_FILE: out, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== exit) return fail(new Error(`${file} ${argv.join(' ')} exited with ${code}, expected ${exit}:\n${stderr}`));
      const [firstRequestMs, firstRequestCpuMs, exitMs, cpuMs] = JSON.parse(readFileSync(out, 'utf8')) as [number | null, number | null, number, number];
      done({ wallMs, firstRequestMs, firstRequestCpuMs, exitMs, cpuMs });
    });
  });
}

function summary(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}

const manifests = join(dir, 'manifests');
writeManifests(manifests, Number(values.projects), Number(values.scenarios));
const sim = await startRemoteSimulator(cliEntry(entries[0]!.file), dir);
try {
  const env = { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey };
  // The plans run against an applied tree, as a team's daily plans do.
  await runOnce(entries[0]!.file, ['apply', '--auto-approve', '-f', manifests, '--parallelism', '16'], env, 0);
  await sim.setLatency(Number(values.latency));
  const commands = [
    { name: 'plan', argv: ['plan', '--detailed-exitcode', '-f', manifests, '--parallelism', values.parallelism], env, exit: 0 },
    { name: '--version', argv: ['--version'], env: {}, exit: 0 },
    { name: '--help', argv: ['--help'], env: {}, exit: 0 },
    { name: 'validate', argv: ['validate', '-f', example], env: {}, exit: 0 },
  ];
  const samples = new Map<string, Sample[]>();
  for (let r = 0; r < runs; r += 1) {
    for (const command of commands) {
      // Alternated, and each round in another order, so that neither entry always runs first.
      const order = r % 2 === 0 ? entries : [...entries].reverse();
      for (const entry of order) {
        const key = `${command.name}\t${entry.label}`;
        samples.set(key, [...(samples.get(key) ?? []), await runOnce(entry.file, command.argv, command.env, command.exit)]);
      }
    }
  }
  const rows = [...samples].map(([key, list]) => {
    const [command, label] = key.split('\t') as [string, string];
    const present = (xs: Array<number | null>): { median: number; min: number; max: number } | null => {
      const numbers = xs.filter((x): x is number => x !== null);
      return numbers.length > 0 ? summary(numbers) : null;
    };
    return {
      command,
      entry: label,
      runs: list.length,
      wallMs: summary(list.map((s) => s.wallMs)),
      exitMs: summary(list.map((s) => s.exitMs)),
      cpuMs: summary(list.map((s) => s.cpuMs)),
      firstRequestMs: present(list.map((s) => s.firstRequestMs)),
      firstRequestCpuMs: present(list.map((s) => s.firstRequestCpuMs)),
    };
  });
  if (values.json) console.log(JSON.stringify(rows, null, 2));
  else {
    const cell = (x: { median: number; min: number; max: number } | null): string =>
      x === null ? '-' : `${x.median.toFixed(1)} (${x.min.toFixed(0)}-${x.max.toFixed(0)})`;
    console.log(['command', 'entry', 'runs', 'first request ms', 'cpu by then ms', 'wall ms', 'cpu ms'].join('\t'));
    for (const row of rows) console.log([row.command, row.entry, row.runs, cell(row.firstRequestMs), cell(row.firstRequestCpuMs), cell(row.wallMs), cell(row.cpuMs)].join('\t'));
  }
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
