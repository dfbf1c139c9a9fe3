// Plan at scale: N projects × M scenarios applied to a simulator, then `plan` (no changes) timed with L ms of
// latency injected on every request. The simulator runs in its own process (`dss-gitops sim`), as a DSS node
// would, so that its CPU time does not count against the tool's. Prints the requests a plan sends, its wall time (median of several runs), and
// the ratio to the lower bound ceil(requests / parallelism) × L, at the chosen parallelism and at parallelism 1.
//
//   npm run bench -- [--projects 200] [--scenarios 10] [--latency 20] [--parallelism 16] [--runs 5]
//                    [--baseline-runs 1] [--baseline-projects N]

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/config/types.js';
import { diffManaged } from '../src/diff/index.js';
import { createDssClient } from '../src/dss/client.js';
import type { ManifestDocument } from '../src/manifest/types.js';
import { applyRun, planRun, type RunSetup } from '../src/reconciler/reconcile.js';
import { kindRegistry } from '../src/resources/registry.js';

const { values } = parseArgs({
  options: {
    projects: { type: 'string', default: '200' },
    scenarios: { type: 'string', default: '10' },
    latency: { type: 'string', default: '20' },
    parallelism: { type: 'string', default: '16' },
    runs: { type: 'string', default: '5' },
    'baseline-runs': { type: 'string', default: '1' },
    'baseline-projects': { type: 'string' },
  },
});
const N = Number(values.projects);
const M = Number(values.scenarios);
const L = Number(values.latency);
const P = Number(values.parallelism);
const runs = Number(values.runs);
const baselineRuns = Number(values['baseline-runs']);
const baselineN = Number(values['baseline-projects'] ?? N);

const source = { file: 'bench.yaml', line: 1, column: 1 };
function document(kind: string, name: string, spec: Record<string, unknown>, project?: string): ManifestDocument {
  return {
    apiVersion: 'dss-gitops/v1',
    kind,
    metadata: { name, ...(project ? { project } : {}) },
    spec,
    source,
    positionOf: () => source,
    sensitivePaths: [],
  };
}

/** A realistic project: metadata, variables, grants for two groups, and M step-based scenarios with a trigger. */
function manifests(projects: number): ManifestDocument[] {
  const docs: ManifestDocument[] = [];
  for (let i = 0; i < projects; i += 1) {
    const key = `BENCH_${String(i).padStart(4, '0')}`;
    docs.push(
      document('Project', key, {
        name: `Bench project ${i}`,
        owner: 'admin',
        shortDesc: `project ${i}`,
        tags: ['bench', `group-${i % 10}`],
        custom: { team: `team-${i % 7}` },
        variables: { standard: { threshold: 0.7, region: 'EMEA' }, local: {} },
        permissions: [
          { group: 'data_scientists', readProjectContent: true, writeProjectContent: true },
          { group: 'business_analysts', readProjectContent: true },
        ],
      }),
    );
    for (let s = 0; s < M; s += 1) {
      docs.push(
        document(
          'Scenario',
          `SCENARIO_${s}`,
          {
            name: `Scenario ${s}`,
            type: 'step_based',
            active: s % 2 === 0,
            params: { steps: [{ id: 'build', type: 'build_flowitem', params: { builds: [{ type: 'DATASET', itemId: `ds_${s}` }] } }] },
            triggers: [{ id: 'daily', type: 'temporal', params: { frequency: 'Daily', hour: s % 24, minute: 0 } }],
          },
          key,
        ),
      );
    }
  }
  return docs;
}

/** A simulator in a child process, driven through its `/__sim` controls. */
interface RemoteSimulator {
  url: string;
  adminKey: string;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

async function startRemoteSimulator(): Promise<RemoteSimulator> {
  const adminKey = 'bench-admin-key';
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', main, 'sim', '--port', '0'], {
    env: { ...process.env, DSS_SIM_API_KEY: adminKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}: ${output}`)));
  });
  return {
    url,
    adminKey,
    async control(method, path, body) {
      const response = await fetch(`${url}/__sim${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${adminKey}:`).toString('base64')}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`${method} /__sim${path} answered ${response.status}`);
      return response.json();
    },
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function setupFor(sim: RemoteSimulator, parallelism: number): RunSetup {
  const defaults = { ...DEFAULTS, parallelism };
  const client = createDssClient({ url: sim.url, apiKey: sim.adminKey }, { nodeName: 'design', defaults });
  const noop = (): void => undefined;
  return {
    registry: kindRegistry(),
    clients: { design: client, deployer: client },
    log: { debug: noop, info: noop, warn: noop, error: noop },
    parallelism,
    compare: (d, l, p, o) => diffManaged(d, l, p, o),
    source: 'bench',
    options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: [] },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

interface Measure {
  requests: number;
  medianMs: number;
  timesMs: number[];
  lowerBoundMs: number;
}

async function measure(sim: RemoteSimulator, docs: ManifestDocument[], parallelism: number, count: number): Promise<Measure> {
  const times: number[] = [];
  let requests = 0;
  for (let r = 0; r < count; r += 1) {
    const setup = setupFor(sim, parallelism);
    await sim.control('POST', '/reset?stats=true&state=false');
    const started = performance.now();
    const planned = await planRun(setup, docs);
    times.push(performance.now() - started);
    requests = ((await sim.control('GET', '/stats')) as { total: number }).total;
    const { add, change, destroy } = planned.plan.report.summary;
    if (add + change + destroy !== 0) throw new Error(`expected no changes, got ${JSON.stringify(planned.plan.report.summary)}`);
    await setup.clients.design.close();
  }
  return { requests, medianMs: median(times), timesMs: times, lowerBoundMs: Math.ceil(requests / parallelism) * L };
}

export async function benchPlanScale(): Promise<void> {
  const sim = await startRemoteSimulator();
  try {
    const docs = manifests(N);
    process.stdout.write(`plan-scale: ${N} projects × ${M} scenarios (${docs.length} documents), latency ${L} ms\n`);
    const setup = setupFor(sim, 32);
    const applied = await applyRun(setup, await planRun(setup, docs));
    await setup.clients.design.close();
    if (applied.failed > 0) throw new Error(`setup apply failed for ${applied.failed} object(s)`);

    // One unmeasured plan first, so that the JIT has compiled the hot paths before timing starts.
    await measure(sim, docs, P, 1);
    await sim.control('PUT', '/latency', { latencyMs: L });
    const fast = await measure(sim, docs, P, runs);
    const row = (label: string, m: Measure, p: number): string =>
      `${label.padEnd(22)} requests ${String(m.requests).padStart(5)}  median ${(m.medianMs / 1000).toFixed(2)} s ` +
      `(runs: ${m.timesMs.map((t) => (t / 1000).toFixed(2)).join(', ')})  lower bound ceil(${m.requests}/${p})×${L} ms = ` +
      `${(m.lowerBoundMs / 1000).toFixed(2)} s  ratio ${(m.medianMs / m.lowerBoundMs).toFixed(2)}\n`;
    process.stdout.write(row(`parallelism ${P}`, fast, P));

    const baselineDocs = baselineN === N ? docs : manifests(baselineN);
    const slow = await measure(sim, baselineDocs, 1, baselineRuns);
    process.stdout.write(row(`parallelism 1${baselineN === N ? '' : ` (N=${baselineN})`}`, slow, 1));
    const slowAtN = baselineN === N ? slow.medianMs : (slow.medianMs * fast.requests) / slow.requests;
    const note = baselineN === N ? 'measured' : `extrapolated from N=${baselineN} by request count`;
    process.stdout.write(`speedup parallelism ${P} vs 1: ${(slowAtN / fast.medianMs).toFixed(1)}× (${note})\n`);
  } finally {
    await sim.stop();
  }
}
