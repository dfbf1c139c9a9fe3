// The DSS client's own cost per request: N GETs of the objects a plan reads (each project's metadata, variables
// and permissions, each scenario's settings), sent through `createDssClient` at a parallelism, against the
// simulator in another process with latency injected. It reports the wall time against the network bound
// ceil(N / P) × latency and the CPU this process spent per request (user + system from process.cpuUsage, and the
// kernel's part alone), which is what the client and undici cost; the simulator's CPU is its own process's. Runs
// of the checkouts given alternate (each one's src/dss/client.ts, the simulator from the first one's built CLI), so
// that A/B comparisons share the machine's noise.
//
//   npm run build && node --import tsx bench/client-throughput.ts [--builds .,OTHER_CHECKOUT] [--requests 800,3200]
//                 [--latency 0,20] [--parallelism 16,64] [--runs 5] [--json]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/config/types.js';
import { Runner } from './runner.js';
import { cliEntry, projectKey, startRemoteSimulator, writeManifests } from './workload.js';

interface Client {
  getOrAbsent(path: string): Promise<unknown>;
  close(): Promise<void>;
}
type CreateClient = (node: { url: string; apiKey: string }, options: { nodeName: string; defaults?: unknown }) => Client;

const { values } = parseArgs({
  options: {
    builds: { type: 'string', default: '.' },
    requests: { type: 'string', default: '800,3200' },
    latency: { type: 'string', default: '0,20' },
    parallelism: { type: 'string', default: '16,64' },
    runs: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});

const numbers = (text: string): number[] => text.split(',').filter((v) => v !== '').map(Number);
const builds = values.builds.split(',').map((b) => resolve(b));
const runs = Number(values.runs);
const PROJECTS = 100;
const SCENARIOS = 5;

/** The routes a plan of the bench tree reads, in the order its units are read. */
function routes(): string[] {
  const out: string[] = [];
  for (let i = 0; i < PROJECTS; i += 1) {
    const key = projectKey(i);
    out.push(`/projects/${key}/metadata`, `/projects/${key}/variables/`, `/projects/${key}/permissions`);
    for (let s = 0; s < SCENARIOS; s += 1) out.push(`/projects/${key}/scenarios/SCENARIO_${s}`);
  }
  return out;
}

async function sendAll(client: Client, paths: string[], count: number, parallelism: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const path = paths[next++ % paths.length] as string;
      if ((await client.getOrAbsent(path)) === undefined) throw new Error(`${path} is absent: the simulator was not seeded`);
    }
  };
  await Promise.all(Array.from({ length: parallelism }, worker));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const dir = mkdtempSync(join(tmpdir(), 'dss-gitops-client-bench-'));
const main = join(builds[0] as string, 'dist', 'cli', 'main.js');
const sim = await startRemoteSimulator(cliEntry(main), dir);
try {
  writeManifests(join(dir, 'manifests'), PROJECTS, SCENARIOS);
  await sim.reset(true);
  const seeded = await new Runner(cliEntry(main), dir).run(
    ['apply', '--auto-approve', '-f', 'manifests', '--parallelism', '16'],
    { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey },
    false,
  );
  if (seeded.exitCode !== 0) throw new Error(`seeding the simulator failed:\n${seeded.output}`);
  const creators = await Promise.all(
    builds.map(async (b) => ((await import(pathToFileURL(join(b, 'src', 'dss', 'client.ts')).href)) as { createDssClient: CreateClient }).createDssClient),
  );
  const paths = routes();
  const results: Array<Record<string, number | string>> = [];
  for (const latency of numbers(values.latency)) {
    for (const parallelism of numbers(values.parallelism)) {
      for (const count of numbers(values.requests)) {
        const samples = builds.map(() => ({ wall: [] as number[], cpu: [] as number[], system: [] as number[] }));
        for (let r = 0; r < runs + 1; r += 1) {
          for (let k = 0; k < builds.length; k += 1) {
            const b = r % 2 === 0 ? k : builds.length - 1 - k;
            const client = (creators[b] as CreateClient)(
              { url: sim.url, apiKey: sim.adminKey },
              { nodeName: 'design', defaults: { ...DEFAULTS, parallelism } },
            );
            await sim.setLatency(latency);
            const cpu = process.cpuUsage();
            const started = performance.now();
            await sendAll(client, paths, count, parallelism);
            const wall = performance.now() - started;
            const used = process.cpuUsage(cpu);
            await client.close();
            await sim.setLatency(0);
            // The first round warms the JIT and the connections' code paths: not counted.
            if (r === 0) continue;
            samples[b]?.wall.push(wall);
            samples[b]?.cpu.push((used.user + used.system) / 1000);
            samples[b]?.system.push(used.system / 1000);
          }
        }
        const boundMs = Math.ceil(count / parallelism) * latency;
        builds.forEach((build, b) => {
          const s = samples[b] as { wall: number[]; cpu: number[]; system: number[] };
          const row = {
            build,
            requests: count,
            latencyMs: latency,
            parallelism,
            wallMedianMs: Math.round(median(s.wall)),
            boundMs,
            cpuMedianMs: Math.round(median(s.cpu)),
            cpuMinMs: Math.round(Math.min(...s.cpu)),
            cpuPerRequestUs: Math.round((median(s.cpu) * 1000) / count),
            systemPerRequestUs: Math.round((median(s.system) * 1000) / count),
          };
          results.push(row);
          if (!values.json) {
            const ratio = boundMs > 0 ? `  ratio ${(row.wallMedianMs / boundMs).toFixed(2)}` : '';
            console.log(
              `${build.replace(`${process.cwd()}/`, '')}  ${count} GETs  L=${latency}ms P=${parallelism}  wall ${row.wallMedianMs} ms${ratio}  ` +
                `CPU ${row.cpuMedianMs} ms (min ${row.cpuMinMs})  ${row.cpuPerRequestUs} µs/request (${row.systemPerRequestUs} in the kernel)`,
            );
          }
        });
      }
    }
  }
  if (values.json) console.log(JSON.stringify({ date: new Date().toISOString(), runs, results }, null, 2));
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
