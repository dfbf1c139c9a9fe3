import { describe, expect, it } from 'vitest';
import { createProject } from '../../src/simulator/design/project-store.js';
import { createDesignState, type DesignState } from '../../src/simulator/design/state.js';
import { activateBundleContent, createProjectFromBundle, snapshotBundle } from '../../src/simulator/deployer/project-bundle.js';

function designWithProject(): DesignState {
  const design = createDesignState();
  const project = createProject(design, { projectKey: 'CHURN', name: 'Churn', owner: 'alice' }, 1);
  project.variables = { standard: { threshold: 0.7 }, local: { designOnly: true } };
  project.scenarios.DAILY = {
    settings: { id: 'DAILY', projectKey: 'CHURN', name: 'Daily', type: 'step_based', active: false },
    payload: {},
    runs: [],
  };
  project.scenarios.PY = {
    settings: { id: 'PY', projectKey: 'CHURN', name: 'Py', type: 'custom_python', active: false },
    payload: { script: 'print(1)' },
    runs: [],
  };
  return design;
}

const manifest = { bundleId: 'v1', exportedOn: 5, exportedBy: 'alice', releaseNotes: '', designNodeUrl: 'http://d' };

describe('project bundles', () => {
  it('snapshot a deep copy: later edits of the project do not reach the bundle', () => {
    const design = designWithProject();
    const content = snapshotBundle(design, 'CHURN', manifest);
    (design.projects.CHURN?.variables.standard as Record<string, unknown>).threshold = 0.9;
    expect(content.project.variables).toEqual({ standard: { threshold: 0.7 }, local: { designOnly: true } });
    expect(content.scenarios.map((s) => [s.id, s.payload])).toEqual([
      ['DAILY', undefined],
      ['PY', { script: 'print(1)' }],
    ]);
  });

  it('create a project under another key from a bundle, without the design node local variables', () => {
    const content = snapshotBundle(designWithProject(), 'CHURN', manifest);
    const automation = createDesignState();
    const project = createProjectFromBundle(automation, content, { projectKey: 'CHURN_PROD', owner: 'ops' }, 10);
    expect(project.variables).toEqual({ standard: { threshold: 0.7 }, local: {} });
    expect(project.scenarios.DAILY?.settings).toMatchObject({ id: 'DAILY', projectKey: 'CHURN_PROD' });
    expect(project.permissions.owner).toBe('ops');
    expect(automation.folders.ROOT?.projectKeys).toEqual(['CHURN_PROD']);
  });

  it('activate: take the bundle scenarios and standard variables, keep local variables and run history', () => {
    const design = designWithProject();
    const v1 = snapshotBundle(design, 'CHURN', manifest);
    const automation = createDesignState();
    const project = createProjectFromBundle(automation, v1, { projectKey: 'CHURN', owner: 'ops' }, 10);
    project.variables.local = { env: 'prod' };
    project.scenarios.DAILY?.runs.push({ runId: 'r1', triggerId: 't', triggerRunId: 'tr', startTime: 1, endTime: 2, runBy: 'ops', params: {} });

    const source = design.projects.CHURN;
    if (!source) throw new Error('missing project');
    source.variables.standard = { threshold: 0.8 };
    delete source.scenarios.PY;
    activateBundleContent(automation, 'CHURN', snapshotBundle(design, 'CHURN', { ...manifest, bundleId: 'v2' }));

    expect(project.variables).toEqual({ standard: { threshold: 0.8 }, local: { env: 'prod' } });
    expect(Object.keys(project.scenarios)).toEqual(['DAILY']);
    expect(project.scenarios.DAILY?.runs.map((r) => r.runId)).toEqual(['r1']);
  });
});
