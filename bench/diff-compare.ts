// The comparisons of a plan alone, without the network: what `diffManaged` (through the plan's `compareUnit`) and
// `applyManaged` cost per unit of the bench tree, cold (the first pass of a fresh process: what one CLI run pays)
// and warm.
//
//   node --import tsx bench/diff-compare.ts capture DIR [--projects 100] [--scenarios 5]
//     writes the bench tree under DIR/m, applies it to an in-process simulator, and keeps what a plan reads of
//     each unit in DIR/views.json (the live views the comparisons take).
//   node --import tsx bench/diff-compare.ts replay DIR [--passes 20]
//     in this fresh process: loads the manifests, builds the units, and compares each with its live view; prints
//     CPU µs per unit for the first pass and the median warm pass, the same for applyManaged, and a digest of the
//     changes (equal digests: the same output).

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCliCaptured } from '../test/helpers/cli.js';
import { startTestSimulator } from '../test/helpers/simulator.js';
import { writeManifests } from './workload.js';
import { applyManaged } from '../src/diff/apply-managed.js';
import { diffManaged } from '../src/diff/diff-managed.js';
import { loadManifestSet } from '../src/input/load.js';
import { compareUnit } from '../src/reconciler/plan.js';
import { KINDS, kindOf, kindRegistry } from '../src/resources/registry.js';
import type { LiveState, ResourceKind, ResourceUnit } from '../src/resources/types.js';
import type { Json } from '../src/base/json.js';

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

async function capture(dir: string, projects: number, scenarios: number): Promise<void> {
  mkdirSync(path.join(dir, 'm'), { recursive: true });
  writeManifests(path.join(dir, 'm'), projects, scenarios);
  const sim = await startTestSimulator();
  try {
    const env = { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey };
    const applied = await runCliCaptured(['apply', '-f', 'm', '--auto-approve'], { env, cwd: dir });
    if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`);
    const views: Record<string, unknown> = {};
    const kinds: ResourceKind[] = KINDS.map((kind) => ({
      ...kind,
      async read(ctx, unit) {
        const live = await kind.read(ctx, unit);
        views[unit.address] = live === undefined ? null : live.view;
        return live;
      },
    }));
    const planned = await runCliCaptured(['plan', '-f', 'm', '--detailed-exitcode'], { env, cwd: dir, kinds });
    if (planned.code !== 0) throw new Error(`plan not clean (${planned.code}): ${planned.stdout}${planned.stderr}`);
    writeFileSync(path.join(dir, 'views.json'), JSON.stringify(views));
    console.log(`${Object.keys(views).length} live views in ${path.join(dir, 'views.json')}`);
  } finally {
    await sim.close();
  }
}

function cpuMicros(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function replay(dir: string, passes: number): void {
  const registry = kindRegistry();
  const set = loadManifestSet({ paths: ['m'], vars: [], varFiles: [], env: {}, cwd: dir }, registry);
  const units: ResourceUnit[] = set.documents.flatMap((doc) => kindOf(registry, doc.kind).units(doc));
  const views = JSON.parse(readFileSync(path.join(dir, 'views.json'), 'utf8')) as Record<string, Json | null>;
  const pairs = units
    .filter((unit) => unit.address in views)
    .map((unit) => {
      const view = views[unit.address];
      const live: LiveState | undefined = view === null || view === undefined ? undefined : { view, raw: view };
      return { unit, live };
    });
  const ignore = set.config?.ignoreDifferences ?? [];
  let out: unknown[] = [];
  const comparePass = (): void => {
    out = pairs.map(({ unit, live }) => compareUnit(unit, live, diffManaged, ignore));
  };
  const overlayPass = (): void => {
    for (const { unit, live } of pairs) if (live) applyManaged(live.view, unit.desired, unit.policy);
  };
  const coldCompare = cpuMicros(comparePass);
  const coldOverlay = cpuMicros(overlayPass);
  const warmCompare: number[] = [];
  const warmOverlay: number[] = [];
  for (let i = 0; i < passes; i++) {
    warmCompare.push(cpuMicros(comparePass));
    warmOverlay.push(cpuMicros(overlayPass));
  }
  const digest = createHash('sha256').update(JSON.stringify(out)).digest('hex').slice(0, 16);
  const per = (us: number): string => (us / pairs.length).toFixed(1);
  console.log(
    JSON.stringify({
      units: pairs.length,
      compareColdUs: per(coldCompare),
      compareWarmUs: per(median(warmCompare)),
      overlayColdUs: per(coldOverlay),
      overlayWarmUs: per(median(warmOverlay)),
      digest,
    }),
  );
}

const [mode, dir, ...rest] = process.argv.slice(2);
if (mode === 'capture' && dir) await capture(path.resolve(dir), flag(rest, '--projects', 100), flag(rest, '--scenarios', 5));
else if (mode === 'replay' && dir) replay(path.resolve(dir), flag(rest, '--passes', 20));
else {
  console.error('usage: diff-compare.ts capture DIR [--projects N] [--scenarios M] | replay DIR [--passes N]');
  process.exitCode = 2;
}
