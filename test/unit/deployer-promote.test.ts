// The pure parts of promote: stage order and direction, source resolution, the decision and its refusals, and
// the wording of the summary, branch and commit message.

import { describe, expect, it } from 'vitest';
import type { DssClient } from '../../src/dss/types.js';
import { decidePromotion, deployedProblem, type DecideInput } from '../../src/deployer/decide.js';
import { parseDeployments, parseInfras, parseSourceState, readInventory } from '../../src/deployer/deployer-reads.js';
import { commitMessage, defaultBranch, summaryLine } from '../../src/deployer/describe.js';
import { resolveSource } from '../../src/deployer/resolve-source.js';
import { DEFAULT_STAGES, directionProblem, parseStages } from '../../src/deployer/stages.js';
import type { DeployerInventory, SourceState, TargetDocument } from '../../src/deployer/types.js';
import { UserError } from '../../src/errors.js';

const target: TargetDocument = {
  deploymentId: 'churn-prod',
  publishedProjectKey: 'CHURN',
  infraId: 'prod-infra',
  bundleId: 'v11',
  position: { file: '/repo/deployer.yaml', line: 12, column: 3 },
};

const inventory: DeployerInventory = {
  stages: DEFAULT_STAGES.map((s) => ({ ...s })),
  infras: [
    { id: 'dev-infra', stage: 'Development' },
    { id: 'test-infra', stage: 'Test' },
    { id: 'test-infra-2', stage: 'Test' },
    { id: 'prod-infra', stage: 'Production' },
  ],
  deployments: [
    { id: 'churn-dev', infraId: 'dev-infra', publishedProjectKey: 'CHURN', bundleId: 'v13' },
    { id: 'churn-test', infraId: 'test-infra', publishedProjectKey: 'CHURN', bundleId: 'v12' },
    { id: 'churn-prod', infraId: 'prod-infra', publishedProjectKey: 'CHURN', bundleId: 'v11' },
    { id: 'fraud-test', infraId: 'test-infra', publishedProjectKey: 'FRAUD', bundleId: 'v3' },
    { id: 'Test', infraId: 'test-infra-2', publishedProjectKey: 'CHURN', bundleId: 'v9' },
  ],
};

const healthy: SourceState = {
  deploymentId: 'churn-test',
  bundleId: 'v12',
  health: 'HEALTHY',
  healthMessages: [{ message: 'Bundle v12 is active' }],
};

function input(overrides: Partial<DecideInput> = {}): DecideInput {
  return {
    stages: DEFAULT_STAGES,
    target,
    targetStage: 'Production',
    source: healthy,
    sourceStage: 'Test',
    publishedProjectKey: 'CHURN',
    force: false,
    ...overrides,
  };
}

describe('stages', () => {
  it('reads the deployer stages, and falls back to DSS defaults on an absent or malformed answer', () => {
    expect(parseStages([{ id: 'Dev' }, { id: 'Prod', desc: 'live' }, { nope: 1 }])).toEqual([{ id: 'Dev' }, { id: 'Prod', desc: 'live' }]);
    expect(parseStages(undefined).map((s) => s.id)).toEqual(['Development', 'Test', 'Production']);
    expect(parseStages([]).map((s) => s.id)).toEqual(['Development', 'Test', 'Production']);
  });

  it('allows forward moves only, including skipping a stage', () => {
    expect(directionProblem(DEFAULT_STAGES, 'Test', 'Production')).toBeUndefined();
    expect(directionProblem(DEFAULT_STAGES, 'Development', 'Production')).toBeUndefined();
    expect(directionProblem(DEFAULT_STAGES, 'Production', 'Test')).toBe(
      'promoting backwards, from Production to Test (stages: Development → Test → Production)',
    );
    expect(directionProblem(DEFAULT_STAGES, 'Test', 'Test')).toBe('the source and the target are both in stage Test');
    expect(directionProblem(DEFAULT_STAGES, 'QA', 'Production')).toMatch(/stage QA is not one of the deployer's stages/);
    expect(directionProblem(DEFAULT_STAGES, 'Test', undefined)).toMatch(/the stage of the target is unknown/);
  });

  it('follows the deployer own stages, not the defaults', () => {
    const custom = parseStages([{ id: 'Prod' }, { id: 'Canary' }]);
    expect(directionProblem(custom, 'Prod', 'Canary')).toBeUndefined();
    expect(directionProblem(custom, 'Canary', 'Prod')).toMatch(/backwards/);
  });
});

describe('resolveSource', () => {
  it('takes a deployment id as is', () => {
    expect(resolveSource(inventory, target, 'churn-dev').id).toBe('churn-dev');
  });

  it('prefers a deployment id over a stage of the same name', () => {
    expect(resolveSource(inventory, target, 'Test').id).toBe('Test');
  });

  it('resolves a stage to the one deployment of the same published project on an infra of it', () => {
    const noShadow: DeployerInventory = { ...inventory, deployments: inventory.deployments.filter((d) => d.id !== 'Test') };
    expect(resolveSource(noShadow, target, 'Test').id).toBe('churn-test');
    expect(resolveSource(noShadow, target, 'Development').id).toBe('churn-dev');
  });

  it('refuses a stage with several deployments of the project, naming them', () => {
    const two: DeployerInventory = {
      ...inventory,
      deployments: [...inventory.deployments.filter((d) => d.id !== 'Test'), { id: 'churn-test-b', infraId: 'test-infra-2', publishedProjectKey: 'CHURN', bundleId: 'v1' }],
    };
    expect(() => resolveSource(two, target, 'Test')).toThrow('stage Test has 2 deployments of published project CHURN (churn-test, churn-test-b): name one with --from');
  });

  it('refuses the target itself, another published project, and names that are neither deployments nor stages', () => {
    expect(() => resolveSource(inventory, target, 'churn-prod')).toThrow('cannot promote churn-prod from itself');
    expect(() => resolveSource(inventory, target, 'fraud-test')).toThrow(/deploys published project FRAUD/);
    expect(() => resolveSource(inventory, target, 'staging')).toThrow(UserError);
  });
});

describe('decidePromotion', () => {
  it('moves the manifest from its bundle to the source bundle', () => {
    const p = decidePromotion(input());
    expect(p).toMatchObject({ address: 'Deployment/churn-prod', fromBundleId: 'v11', toBundleId: 'v12', upToDate: false, forced: [] });
    expect(summaryLine(p)).toBe('Deployment/churn-prod: bundleId v11 → v12 (from churn-test, HEALTHY)');
  });

  it('says when the target already names the bundle', () => {
    const p = decidePromotion(input({ target: { ...target, bundleId: 'v12' } }));
    expect(p.upToDate).toBe(true);
    expect(summaryLine(p)).toBe('Deployment/churn-prod: bundleId is already v12 (from churn-test, HEALTHY)');
  });

  it('refuses an unhealthy source with its health messages, every reason at once', () => {
    const source: SourceState = {
      ...healthy,
      health: 'ERROR',
      healthMessages: [{ message: 'The last update to bundle v12 failed: activation failed' }],
    };
    expect(() => decidePromotion(input({ source, sourceStage: 'Production' }))).toThrow(
      'refusing to promote churn-test to churn-prod:\n' +
        '  - the source deployment churn-test is ERROR, not HEALTHY: The last update to bundle v12 failed: activation failed\n' +
        '  - the status of churn-test does not say that bundle v12 is deployed\n' +
        '  - the source and the target are both in stage Production\n' +
        '(--force promotes anyway)',
    );
  });

  it('with --force, keeps the refusals as warnings', () => {
    const p = decidePromotion(input({ source: { ...healthy, health: 'WARNING', healthMessages: [] }, force: true }));
    expect(p.forced).toEqual(['the source deployment churn-test is WARNING, not HEALTHY']);
    expect(p.toBundleId).toBe('v12');
  });

  it('knows a bundle is deployed from a HEALTHY status and the settings alone (the status names no bundle)', () => {
    expect(deployedProblem(healthy)).toBeUndefined();
    expect(deployedProblem({ ...healthy, health: 'OUT_OF_SYNC' })).toBe(
      'the settings of churn-test name bundle v12, but its automation node does not run it (OUT_OF_SYNC)',
    );
    expect(deployedProblem({ ...healthy, health: 'UNKNOWN' })).toMatch(/does not say that bundle v12 is deployed/);
  });
});

describe('the deployer answers', () => {
  it('keeps the fields relied on, skipping entries without them', () => {
    expect(parseDeployments([{ deploymentBasicInfo: { id: 'a', infraId: 'i', publishedProjectKey: 'P', bundleId: 'v1', extra: 1 } }, { other: true }])).toEqual([
      { id: 'a', infraId: 'i', publishedProjectKey: 'P', bundleId: 'v1' },
    ]);
    expect(parseInfras([{ infraBasicInfo: { id: 'i', stage: 'Test' } }, { infraBasicInfo: { id: 'j' } }])).toEqual([{ id: 'i', stage: 'Test' }]);
    expect(() => parseDeployments({})).toThrow(/unexpected list of deployments/);
  });

  it('reads the source state from settings and status, ignoring fields the reference does not document', () => {
    const state = parseSourceState('d', { bundleId: 'v2', other: 1 }, { health: 'HEALTHY', healthMessages: [{ severity: 'INFO', code: 'IN_SYNC', message: 'ok' }], deployedBundleId: 'v1' });
    expect(state).toEqual({ deploymentId: 'd', bundleId: 'v2', health: 'HEALTHY', healthMessages: [{ severity: 'INFO', code: 'IN_SYNC', message: 'ok' }] });
    expect(() => parseSourceState('d', {}, { health: 'HEALTHY' })).toThrow(/no bundleId/);
  });
});

describe('wording', () => {
  it('names the branch after the target and the bundle, safe for git', () => {
    const p = decidePromotion(input());
    expect(defaultBranch(p)).toBe('promote/churn-prod-v12');
    expect(defaultBranch({ ...p, toBundleId: 'release 2024..1' })).toBe('promote/churn-prod-release-2024.1');
  });

  it('writes a commit message with the bundle, the source and the target, and a body for the pull request', () => {
    const p = decidePromotion(input({ source: { ...healthy, health: 'WARNING', healthMessages: [] }, force: true }));
    expect(commitMessage(p, 'deployer/churn.yaml:12')).toBe(
      'Promote CHURN bundle v12 to churn-prod (from churn-test)\n\n' +
        'Deployment/churn-prod moves from bundle v11 to bundle v12 of published project CHURN.\n\n' +
        '- Source: churn-test (stage Test), WARNING, runs bundle v12\n' +
        '- Target: churn-prod (stage Production) on infra prod-infra\n' +
        '- Manifest: deployer/churn.yaml:12\n\n' +
        'Promoted with --force despite:\n' +
        '- the source deployment churn-test is WARNING, not HEALTHY\n\n' +
        'Once merged, `dss-gitops apply --target Deployment/churn-prod` rolls the deployment out.\n',
    );
  });
});

describe('the deployer stages', () => {
  const deployer = (answers: Record<string, unknown>) => {
    const asked: string[] = [];
    const client = {
      getOrAbsent: (path: string) => {
        asked.push(path);
        return Promise.resolve(answers[path]);
      },
      getJson: () => Promise.resolve([]),
    } as unknown as DssClient;
    return { client, asked };
  };

  it("reads the clients' path first, the reference's on a 404, and DSS's defaults when neither answers", async () => {
    const first = deployer({ '/project-deployer/stages': [{ id: 'Dev' }, { id: 'Prod' }] });
    expect((await readInventory(first.client)).stages).toEqual([{ id: 'Dev' }, { id: 'Prod' }]);
    expect(first.asked).toEqual(['/project-deployer/stages']);
    const second = deployer({ '/project-deployer/infras/stages': [{ id: 'QA' }] });
    expect((await readInventory(second.client)).stages).toEqual([{ id: 'QA' }]);
    expect(second.asked).toEqual(['/project-deployer/stages', '/project-deployer/infras/stages']);
    expect((await readInventory(deployer({}).client)).stages.map((s) => s.id)).toEqual(['Development', 'Test', 'Production']);
  });
});
