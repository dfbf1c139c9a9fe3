// The deployer kinds read against answers shaped like the reference's, which documents fewer fields than the
// simulator returns: release notes DSS does not return, a deployment health of ERROR or UNKNOWN, an update
// future whose reports say error.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import type { DssClient } from '../../src/dss/types.js';
import { bundleKind } from '../../src/resources/bundle/kind.js';
import { rollOut, updateResultFailure } from '../../src/resources/deployment/rollout.js';
import { deploymentKind, ROLLOUT_FAILED_TAG } from '../../src/resources/deployment/kind.js';
import type { KindContext } from '../../src/resources/types.js';
import { docOf } from './kind-docs.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function ctxWith(client: Partial<DssClient>): KindContext {
  const c = client as DssClient;
  return { client: c, clients: { design: c, deployer: c }, log: quiet };
}

describe('Bundle release notes', () => {
  const [unit] = bundleKind.units(docOf('Bundle', 'v1', { releaseNotes: 'first' }, { project: 'CHURN' }));

  it('are not compared when DSS does not return them (the reference shows exportManifest and changelog empty)', async () => {
    const answer = { bundles: [{ bundleId: 'v1', exportManifest: {}, changelog: {} }] };
    const live = (await bundleKind.read(ctxWith({ getOrAbsent: () => Promise.resolve(answer) as never }), unit!))!;
    expect(diffManaged(unit!.desired, live.view, unit!.policy)).toEqual([]);
  });

  it('are compared, and a change refused, when DSS returns them', async () => {
    const answer = { bundles: [{ bundleId: 'v1', exportManifest: { releaseNotes: 'other' } }] };
    const live = (await bundleKind.read(ctxWith({ getOrAbsent: () => Promise.resolve(answer) as never }), unit!))!;
    const changes = diffManaged(unit!.desired, live.view, unit!.policy);
    expect(changes).toHaveLength(1);
    expect(bundleKind.validateChange?.(unit!, live, changes)).toHaveLength(1);
  });
});

describe('a deployment update', () => {
  const failed = [
    {
      prepareSyncReport: { messages: [], success: true, error: false, fatal: false },
      preloadReport: { messages: [], success: true, error: false, fatal: false },
      activateCheckReport: { bundleId: 'v2', messages: [], success: true, error: false, fatal: false },
      activateReport: { messages: [{ message: 'code env py39 is missing' }], success: false, error: true, fatal: false },
    },
  ];
  const policy = { waitForHealthy: false, timeoutSeconds: 5, rollbackOnFailure: false };
  const request = { address: 'Deployment/d', id: 'd', bundleId: 'v2', infraId: 'prod', previous: { unavailable: 'created by this apply' }, policy };

  it('fails, quoting the report, when the future result says error, even without waiting for health', async () => {
    const ctx = ctxWith({
      postJson: () => Promise.resolve({ jobId: 'j1', hasResult: false }) as never,
      waitForFuture: () => Promise.resolve(failed) as never,
    });
    await expect(rollOut(ctx, request)).rejects.toThrow(/rollout of bundle v2 on infra prod failed: activateReport: code env py39 is missing/);
  });

  it('reads a synchronous answer that carries its result', async () => {
    const ctx = ctxWith({ postJson: () => Promise.resolve({ hasResult: true, result: failed }) as never });
    await expect(rollOut(ctx, request)).rejects.toThrow(/activateReport: code env py39 is missing/);
    expect(updateResultFailure([{ activateReport: { error: false, fatal: false, messages: [] } }])).toBeUndefined();
  });

  it('takes an answer with neither a jobId nor a result as an error', async () => {
    const ctx = ctxWith({ postJson: () => Promise.resolve({}) as never });
    await expect(rollOut(ctx, request)).rejects.toThrow(/neither a result nor a jobId/);
  });
});

describe('a deployment whose node health is not HEALTHY', () => {
  const spec = { publishedProjectKey: 'CHURN', infraId: 'prod', bundleId: 'v2', tags: ['team'], rollout: { waitForHealthy: false } };
  const [unit] = deploymentKind.units(docOf('Deployment', 'd', spec));
  const settings = { id: 'd', publishedProjectKey: 'CHURN', infraId: 'prod', bundleId: 'v2', tags: ['team'] };

  function fake(health: string, stored: Record<string, unknown> = settings) {
    const warnings: string[] = [];
    const puts: Record<string, unknown>[] = [];
    let current = structuredClone(stored);
    const client = {
      getOrAbsent: () => Promise.resolve(structuredClone(current)),
      getJson: (path: string) => Promise.resolve(path.endsWith('/status') ? { health, healthMessages: [{ message: 'scenario DAILY failed' }] } : structuredClone(current)),
      putJson: (_path: string, body: Record<string, unknown>) => {
        puts.push(body);
        current = structuredClone(body);
        return Promise.resolve(body);
      },
      postJson: () => Promise.resolve({ hasResult: true, result: [{ activateReport: { error: true, messages: [{ message: 'no code env' }] } }] }),
    } as unknown as DssClient;
    const ctx: KindContext = { ...ctxWith(client), log: { ...quiet, warn: (_o: object, msg?: string) => warnings.push(msg ?? '') } };
    return { ctx, warnings, puts };
  }

  it.each(['ERROR', 'UNKNOWN'])('plans no change for %s, and gives the plan a notice with the health messages', async (health) => {
    const { ctx } = fake(health);
    const live = (await deploymentKind.read(ctx, unit!))!;
    expect(diffManaged(unit!.desired, live.view, unit!.policy)).toEqual([]);
    expect(live.notices).toEqual([`Deployment/d is ${health}: scenario DAILY failed (not a change: no rollout is planned for it)`]);
  });

  it('does not plan a rollout for the mark alone when the node is HEALTHY with the declared bundle', async () => {
    const tagged = { ...settings, tags: ['team', ROLLOUT_FAILED_TAG] };
    const healthy = (await deploymentKind.read(fake('HEALTHY', tagged).ctx, unit!))!;
    expect(diffManaged(unit!.desired, healthy.view, unit!.policy)).toEqual([]);
    const other = (await deploymentKind.read(fake('HEALTHY', { ...tagged, bundleId: 'v1' }).ctx, unit!))!;
    expect(diffManaged(unit!.desired, other.view, unit!.policy).map((c) => c.path).sort()).toEqual(['bundleId', 'inSync']);
  });

  it('plans a rollout for OUT_OF_SYNC', async () => {
    const live = (await deploymentKind.read(fake('OUT_OF_SYNC').ctx, unit!))!;
    expect(diffManaged(unit!.desired, live.view, unit!.policy).map((c) => c.path)).toEqual(['inSync']);
  });

  it('marks a failed rollout in the tags, plans it again while marked, and drops the mark on the next save', async () => {
    // WARNING: the node is not known to run the declared bundle, so the mark alone plans the rollout again.
    const { ctx, puts } = fake('WARNING', { ...settings, bundleId: 'v1' });
    const before = (await deploymentKind.read(ctx, unit!))!;
    await expect(deploymentKind.update(ctx, unit!, before)).rejects.toThrow(/activateReport: no code env/);
    expect(puts.at(-1)?.tags).toEqual(['team', ROLLOUT_FAILED_TAG]);
    const after = (await deploymentKind.read(ctx, unit!))!;
    expect(after.view.tags).toEqual(['team']);
    expect(diffManaged(unit!.desired, after.view, unit!.policy).map((c) => c.path)).toEqual(['inSync']);
    await expect(deploymentKind.update(ctx, unit!, after)).rejects.toThrow(/activateReport/);
    expect(puts.map((p) => p.tags)).toEqual([['team'], ['team', ROLLOUT_FAILED_TAG], ['team'], ['team', ROLLOUT_FAILED_TAG]]);
  });
});
