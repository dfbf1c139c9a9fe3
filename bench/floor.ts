// The rig's floor beside each plan: the plan's own GETs (recorded by the runner's hook in the plan's first run, from
// undici's `undici:request:create` channel) sent again by a bare undici Pool in a fresh `node` process, with no
// dss-gitops code at all, against the same simulator, latency and state, `parallelism` at a time. What no client
// can beat on this machine: the network phase of the plan is read against it as well as against the bound.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { median, networkPhaseMs } from './figures.js';
import type { FloorRun } from './report.js';
import type { RemoteSimulator } from './workload.js';

/** The environment variable that asks the runner's hook to record the requests the CLI creates, and where. */
export const REQUESTS_FILE_ENV = 'DSS_GITOPS_BENCH_REQUESTS_FILE';

/** A request as the hook records it: method, origin and path (with its query) at its creation. */
export type RecordedRequest = [method: string, origin: string, path: string];

/** undici as this repository installs it (its node_modules), whatever directory the floor runs in. */
const UNDICI = createRequire(import.meta.url).resolve('undici');

/**
 * The floor's client, run with plain `node` (no loader) in the bench's directory: a Pool of `parallelism`
 * connections (undici's defaults otherwise: keep-alive, one request per connection at a time), HTTP Basic with the
 * key as the CLI sends it; `parallelism` workers each send the next GET as their last one's body has been read to
 * its end. Prints the wall and CPU time from the first request's creation to the last body read, and each
 * request's latency (its creation to its body's end) and status.
 */
const FLOOR_CLIENT = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const { Pool } = createRequire(import.meta.url)(${JSON.stringify(UNDICI)});
const env = process.env;
const paths = JSON.parse(readFileSync(env.DSS_GITOPS_FLOOR_PATHS, 'utf8'));
const parallelism = Number(env.DSS_GITOPS_FLOOR_PARALLELISM);
const pool = new Pool(env.DSS_GITOPS_FLOOR_ORIGIN, { connections: parallelism });
const headers = { authorization: 'Basic ' + Buffer.from(env.DSS_API_KEY + ':').toString('base64'), accept: 'application/json' };
const latenciesMs = new Array(paths.length);
const statuses = new Array(paths.length);
let next = 0;
const worker = async () => {
  while (next < paths.length) {
    const i = next++;
    const sent = performance.now();
    const { statusCode, body } = await pool.request({ method: 'GET', path: paths[i], headers });
    await body.arrayBuffer();
    latenciesMs[i] = performance.now() - sent;
    statuses[i] = statusCode;
  }
};
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const cpu0 = cpu();
const t0 = performance.now();
await Promise.all(Array.from({ length: Math.min(parallelism, paths.length) }, worker));
const wallMs = performance.now() - t0;
const cpuMs = (cpu() - cpu0) / 1000;
await pool.close();
process.stdout.write(JSON.stringify({ wallMs, cpuMs, latenciesMs, statuses }));
`;

/** The paths of a plan's recorded requests, which must all be GETs to the simulator (a plan writes nothing). */
export function planGetPaths(recorded: RecordedRequest[], origin: string): string[] {
  return recorded.map(([method, from, path]) => {
    if (method !== 'GET') throw new Error(`the floor sends a plan's GETs again, but the plan sent ${method} ${path}`);
    if (from !== origin) throw new Error(`the floor sends a plan's GETs to ${origin}, but the plan sent one to ${from}`);
    return path;
  });
}

/** The GETs the plan's recorded run sent, in the order it created them. */
export function readPlanGets(file: string, origin: string): string[] {
  return planGetPaths(JSON.parse(readFileSync(file, 'utf8')) as RecordedRequest[], origin);
}

interface FloorOutput {
  wallMs: number;
  cpuMs: number;
  latenciesMs: number[];
  statuses: number[];
}

/**
 * One floor run in `dir`: its requests in counts of their own (the simulator's counts are reset before, read
 * after; the latency and the state stay as the plan had them), checked to be the plan's, every answer a success or
 * a 404 (an absent object, as a plan may read).
 */
export async function measureFloor(dir: string, sim: RemoteSimulator, paths: string[], parallelism: number, latencyMs: number): Promise<FloorRun> {
  const client = join(dir, 'floor-client.mjs');
  const pathsFile = join(dir, 'floor-paths.json');
  writeFileSync(client, FLOOR_CLIENT);
  writeFileSync(pathsFile, JSON.stringify(paths));
  await sim.reset(false);
  const out = JSON.parse(
    await runNode(client, dir, {
      DSS_GITOPS_FLOOR_PATHS: pathsFile,
      DSS_GITOPS_FLOOR_PARALLELISM: String(parallelism),
      DSS_GITOPS_FLOOR_ORIGIN: new URL(sim.url).origin,
      DSS_API_KEY: sim.adminKey,
    }),
  ) as FloorOutput;
  const stats = await sim.stats();
  if (stats.total !== paths.length) throw new Error(`the floor sent ${paths.length} GETs, the simulator counted ${stats.total}`);
  const failed = out.statuses.filter((s) => !(s < 400 || s === 404));
  if (failed.length > 0) throw new Error(`the floor's GETs were answered ${[...new Set(failed)].join(', ')} (${failed.length} of ${paths.length})`);
  return {
    requests: paths.length,
    wallMs: out.wallMs,
    cpuMs: out.cpuMs,
    latencyMedianMs: median(out.latenciesMs),
    networkPhaseMs: networkPhaseMs(stats, latencyMs),
  };
}

/** Runs `node FILE` in `dir`; resolves to its standard output, rejects with its output when it fails. */
function runNode(file: string, dir: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`the floor client exited with ${code}:\n${stderr}`))));
  });
}
