import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import { FolderTree, canonicalFolderPath, splitFolderPath } from '../../src/resources/project-folder/folder-tree.js';
import { FOLDER_GRANT_FLAGS, PROJECT_GRANT_FLAGS, normalizeGrant, normalizeGrants } from '../../src/resources/grants.js';
import { overlay } from '../../src/resources/managed-write.js';
import { PROJECT_BLOCKS } from '../../src/resources/project/blocks.js';
import { folderAncestors, projectFolderKind } from '../../src/resources/project-folder/kind.js';
import { projectKind } from '../../src/resources/project/kind.js';
import { scenarioKind } from '../../src/resources/scenario/kind.js';
import { docOf } from './kind-docs.js';

type Json = Record<string, unknown>;

describe('folder paths', () => {
  it('are canonical without empty segments or surrounding slashes', () => {
    expect(splitFolderPath('/Analytics//Churn/ ')).toEqual(['Analytics', 'Churn']);
    expect(canonicalFolderPath('Analytics/Churn/')).toBe('Analytics/Churn');
    expect(canonicalFolderPath('')).toBe('');
  });

  it('name their ancestors, outermost first', () => {
    expect(folderAncestors('A/B/C')).toEqual(['ProjectFolder/A', 'ProjectFolder/A/B']);
    expect(folderAncestors('A')).toEqual([]);
  });

  it('resolve in a folder tree, which tracks this run\'s own moves', () => {
    const tree = new FolderTree('ROOT', [
      { id: 'ROOT', name: null, parentId: null, childrenIds: ['a'], projectKeys: ['P1'] },
      { id: 'a', name: 'Analytics', parentId: 'ROOT', childrenIds: ['b'], projectKeys: [] },
      { id: 'b', name: 'Churn', parentId: 'a', childrenIds: [], projectKeys: [] },
    ]);
    expect(tree.find('Analytics/Churn')?.id).toBe('b');
    expect(tree.find('Analytics/Nope')).toBeUndefined();
    expect(tree.pathOf('b')).toBe('Analytics/Churn');
    tree.placeProject('P1', 'b');
    expect(tree.folderOfProject('P1')?.id).toBe('b');
    expect(tree.get('ROOT')?.projectKeys).toEqual([]);
  });
});

describe('grants', () => {
  it('spell out every flag, undeclared ones false, and keep flags DSS added', () => {
    expect(normalizeGrant({ group: 'g', read: true, futureFlag: true }, FOLDER_GRANT_FLAGS)).toEqual({
      group: 'g',
      read: true,
      writeContents: false,
      admin: false,
      futureFlag: true,
    });
  });

  it('sort by group, then user, so their order never shows as a change', () => {
    const sorted = normalizeGrants([{ user: 'x' }, { group: 'b' }, { group: 'a' }], FOLDER_GRANT_FLAGS);
    expect(sorted.map((g) => g.group ?? g.user)).toEqual(['a', 'b', 'x']);
  });
});

describe('ProjectFolder units', () => {
  it('is one unit named by its canonical path, written after its ancestors', () => {
    const [unit] = projectFolderKind.units(
      docOf('ProjectFolder', 'Analytics/Churn', { owner: 'admin', permissions: [{ group: 'analysts', read: true }] }),
    );
    expect(unit).toMatchObject({
      address: 'ProjectFolder/Analytics/Churn',
      dependsOn: [],
      orderAfter: ['ProjectFolder/Analytics'],
      desired: { owner: 'admin', permissions: [{ group: 'analysts', read: true, writeContents: false, admin: false }] },
    });
    expect(unit!.policy).toMatchObject({ keyedLists: { '/permissions': ['group', 'user'] }, exact: ['/permissions'] });
  });
});

describe('Project units', () => {
  const doc = docOf(
    'Project',
    'CHURN',
    {
      name: 'Churn',
      folder: 'Analytics/Churn',
      owner: 'admin',
      tags: ['b', 'a', 'a'],
      custom: { team: 'x', 'dss-gitops': 'not ours to declare' },
      variables: { standard: { pw: 'secret' } },
      permissions: [{ group: 'g' }],
    },
    { sensitivePaths: ['/spec/variables/standard/pw'] },
  );
  const units = projectKind.units(doc);
  const byBlock = (block: string | undefined) => units.find((u) => u.block === block)!;

  it('orders the project after every folder of its path, without requiring them', () => {
    expect(byBlock(undefined)).toMatchObject({
      address: 'Project/CHURN',
      desired: { name: 'Churn', folder: 'Analytics/Churn' },
      dependsOn: [],
      orderAfter: ['ProjectFolder/Analytics', 'ProjectFolder/Analytics/Churn'],
    });
  });

  it('makes each block depend on the project', () => {
    for (const block of ['metadata', 'variables', 'permissions']) {
      expect(byBlock(block)).toMatchObject({ address: `Project/CHURN#${block}`, dependsOn: ['Project/CHURN'] });
    }
  });

  it('keeps the ownership record out of the metadata it manages, and tags as a sorted set', () => {
    expect(byBlock('metadata').desired).toEqual({ tags: ['a', 'b'], custom: { team: 'x' } });
    expect(byBlock('metadata').policy.ignore).toContain('/custom/dss-gitops');
  });

  it('maps secret pointers of the document onto the variables block', () => {
    expect(byBlock('variables').policy.sensitive).toEqual(['/standard/pw']);
    expect(byBlock('variables').policy.exact).toEqual(['/standard', '/local']);
  });

  it('expands grants to the full project flag set', () => {
    const grants = byBlock('permissions').desired.permissions as Json[];
    expect(Object.keys(grants[0]!)).toEqual(['group', ...PROJECT_GRANT_FLAGS]);
    expect(byBlock('permissions').desired.owner).toBe('admin');
  });

  it('yields no unit for a block the manifest leaves out', () => {
    expect(projectKind.units(docOf('Project', 'P', { tags: [] })).map((u) => u.address)).toEqual(['Project/P', 'Project/P#metadata']);
  });
});

describe('project blocks written over live objects', () => {
  const metadata = PROJECT_BLOCKS.find((b) => b.block === 'metadata')!;
  const live: Json = {
    label: 'Churn',
    description: '',
    tags: ['old'],
    checklists: { checklists: [{ title: 'x' }] },
    custom: { kv: { keep: 1, 'dss-gitops': { commit: 'abc' } }, other: true },
    versionTag: { versionNumber: 3 },
  };
  const doc = docOf('Project', 'CHURN', { description: 'New', tags: ['new'], custom: { team: 'y' } });
  const desired = metadata.desired(doc)!;
  const policy = metadata.policy(doc);

  it('converges in one write and keeps what it does not manage', () => {
    const body = metadata.unshape(live, overlay(metadata.shape(live), desired, policy), doc);
    expect(body).toEqual({
      label: 'Churn',
      description: 'New',
      tags: ['new'],
      checklists: { checklists: [{ title: 'x' }] },
      custom: { kv: { keep: 1, 'dss-gitops': { commit: 'abc' }, team: 'y' }, other: true },
      versionTag: { versionNumber: 3 },
    });
    expect(diffManaged(desired, metadata.view(body), policy)).toEqual([]);
  });
});

describe('Scenario units', () => {
  it('takes inline script, keys steps, triggers and reporters by id, and knows DSS defaults', () => {
    const [unit] = scenarioKind.units(
      docOf('Scenario', 'RUN', { type: 'custom_python', script: 'pass', active: true }, { project: 'P' }),
    );
    expect(unit!.desired).toEqual({ type: 'custom_python', script: 'pass', active: true });
    expect(unit!.policy.keyedLists).toEqual({ '/params/steps': ['id'], '/triggers': ['id'], '/reporters': ['id'] });
    expect(unit!.policy.defaults).toMatchObject({ '/triggers/*/delay': 0, '/params/steps/*/maxRetriesOnFail': 0 });
  });

  it('reports a trigger DSS filled with defaults as unchanged', () => {
    const [unit] = scenarioKind.units(
      docOf('Scenario', 'S', { type: 'step_based', triggers: [{ id: 't', type: 'temporal', delay: 0, active: true }] }, { project: 'P' }),
    );
    const liveTrigger = { id: 't', type: 'temporal', name: 'Time-based', graceDelaySettings: { delay: 0 }, params: {} };
    expect(diffManaged(unit!.desired, { type: 'step_based', triggers: [liveTrigger] }, unit!.policy)).toEqual([]);
  });
});
