// The read step: the live state of every unit of a run and the ownership record of every project involved,
// read concurrently up to `--parallelism`, each object exactly once. A project's record comes from its
// `#metadata` unit's read when the manifests manage that block, so that the metadata is not read twice.

import { PROJECT_SCOPE_KIND, projectAddress } from './scope.js';
import { byText } from '../base/order.js';
import pLimit from 'p-limit';
import { DssGitopsError } from '../errors.js';
import type { DssClient } from '../dss/types.js';
import type { KindContext, LiveState, ResourceKind, ResourceUnit } from '../resources/types.js';
import {
  isMetadataObject,
  listProjectKeys,
  ownershipFromMetadata,
  projectKeyOf,
  readOwnership,
  type ProjectOwnership,
} from './ownership.js';

export interface ReadInput {
  units: ResourceUnit[];
  kindOf: (kind: string) => ResourceKind;
  contextFor: (kind: ResourceKind) => KindContext;
  /** The client of the node that holds projects (the design node). */
  designClient: DssClient;
  parallelism: number;
  /** Also read the records of projects the manifests no longer declare (prune). */
  discoverProjects: boolean;
  /** Project keys declared anywhere in the manifests (not only in this run's selection). */
  declaredProjects: Set<string>;
  /** Called as each read ends (done or failed), with the reads known so far: progress on a terminal. */
  onRead?: (done: number, total: number) => void;
}

export interface ReadResult {
  live: Map<string, LiveState | undefined>;
  projects: Map<string, ProjectOwnership>;
}

export class ReadError extends DssGitopsError {
  constructor(failures: { address: string; error: unknown }[]) {
    const lines = failures.map((f) => `  ${f.address}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    super('READ_FAILED', `could not read ${failures.length} object(s):\n${lines.join('\n')}`, {
      fault: 'remote',
      cause: failures[0]?.error,
    });
  }
}

/** The metadata object in a `#metadata` unit's raw state: the object itself or wrapped as `{object}`. */
function metadataOf(raw: unknown): unknown {
  if (raw !== null && typeof raw === 'object' && 'object' in raw && !isMetadataObject(raw)) return (raw as { object: unknown }).object;
  return raw;
}

export async function readLive(input: ReadInput): Promise<ReadResult> {
  const limit = pLimit(Math.max(1, input.parallelism));
  const live = new Map<string, LiveState | undefined>();
  const projects = new Map<string, ProjectOwnership>();
  const failures: { address: string; error: unknown }[] = [];
  let total = 0;
  let done = 0;
  const guard = (address: string, work: () => Promise<void>): Promise<void> => {
    total++;
    return limit(work)
      .catch((error: unknown) => {
        failures.push({ address, error });
      })
      .finally(() => input.onRead?.(++done, total));
  };

  const metadataUnits = new Map<string, ResourceUnit>();
  const projectKeys = new Set<string>();
  for (const unit of input.units) {
    const key = projectKeyOf(unit);
    if (key === undefined) continue;
    projectKeys.add(key);
    if (unit.kind === PROJECT_SCOPE_KIND && unit.block === 'metadata') metadataUnits.set(key, unit);
  }

  const tasks: Promise<void>[] = input.units.map((unit) =>
    guard(unit.address, async () => {
      const kind = input.kindOf(unit.kind);
      live.set(unit.address, await kind.read(input.contextFor(kind), unit));
    }),
  );
  for (const key of projectKeys) {
    if (metadataUnits.has(key)) continue;
    tasks.push(guard(`${projectAddress(key)} (ownership record)`, async () => void projects.set(key, await readOwnership(input.designClient, key))));
  }
  if (input.discoverProjects) {
    // The metadata reads are scheduled after the list's slot is released: nesting them would deadlock at 1.
    tasks.push(
      (async () => {
        let keys: string[] = [];
        await guard('project list', async () => {
          keys = await listProjectKeys(input.designClient);
        });
        const undeclared = keys.filter((k) => !projectKeys.has(k) && !input.declaredProjects.has(k));
        await Promise.all(
          undeclared.map((k) =>
            guard(`${projectAddress(k)} (ownership record)`, async () => void projects.set(k, await readOwnership(input.designClient, k))),
          ),
        );
      })(),
    );
  }
  await Promise.all(tasks);
  if (failures.length > 0) throw new ReadError(failures.sort(byText((f) => f.address)));

  for (const [key, unit] of metadataUnits) {
    const state = live.get(unit.address);
    if (state === undefined) {
      projects.set(key, { key, exists: false, tags: [] });
    } else if (isMetadataObject(metadataOf(state.raw))) {
      projects.set(key, ownershipFromMetadata(key, metadataOf(state.raw) as Record<string, unknown>));
    } else {
      // The kind keeps something other than the bare metadata object: read the record on its own.
      projects.set(key, await readOwnership(input.designClient, key));
    }
  }
  return { live, projects };
}
