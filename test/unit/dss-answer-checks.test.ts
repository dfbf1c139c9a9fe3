// DSS answers of an unexpected shape are refused where a kind reads them: the error names the route and the
// field, and nothing is written from it (before, such an answer became an empty object, laid under a PUT).

import { describe, expect, it } from 'vitest';
import type { DssClient } from '../../src/dss/types.js';
import { objectAnswer, objectField, objectOrAbsent, UnexpectedAnswerError } from '../../src/dss/answer.js';
import { freshWrite } from '../../src/resources/managed-write.js';
import { scenarioKind } from '../../src/resources/scenario/kind.js';
import { deploymentKind } from '../../src/resources/deployment/kind.js';
import { projectFolderKind } from '../../src/resources/project-folder/kind.js';
import { projectKind } from '../../src/resources/project/kind.js';
import type { KindContext } from '../../src/resources/types.js';
import { docOf } from './kind-docs.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function ctxWith(client: Partial<DssClient>): KindContext {
  const c = client as DssClient;
  return { client: c, clients: { design: c, deployer: c }, log: quiet };
}

describe('a kind reading an answer of the wrong shape', () => {
  it('a scenario whose settings come back as a list: an error naming the route, not an empty scenario', async () => {
    const [unit] = scenarioKind.units(docOf('Scenario', 'DAILY', { type: 'step_based', active: true }, { project: 'CHURN' }));
    const ctx = ctxWith({ getOrAbsent: () => Promise.resolve(['not', 'settings']) as never });
    const read = scenarioKind.read(ctx, unit!);
    await expect(read).rejects.toThrow(UnexpectedAnswerError);
    await expect(read).rejects.toThrow('DSS answered GET /projects/CHURN/scenarios/DAILY with a list as its body, where a JSON object was expected');
    await expect(read).rejects.toMatchObject({ code: 'DSS_UNEXPECTED_ANSWER', fault: 'remote', route: 'GET /projects/CHURN/scenarios/DAILY' });
  });

  it('a deployment whose status is null: an error naming the status route', async () => {
    const spec = { publishedProjectKey: 'CHURN', infraId: 'prod', bundleId: 'v2' };
    const [unit] = deploymentKind.units(docOf('Deployment', 'churn-prod', spec));
    const settings = { id: 'churn-prod', ...spec };
    const ctx = ctxWith({ getOrAbsent: () => Promise.resolve(settings) as never, getJson: () => Promise.resolve(null) as never });
    await expect(deploymentKind.read(ctx, unit!)).rejects.toThrow(
      'DSS answered GET /project-deployer/deployments/churn-prod/status with null as its body, where a JSON object was expected',
    );
  });

  it('absence stays absence: a 404 reads as no object', async () => {
    const [unit] = scenarioKind.units(docOf('Scenario', 'DAILY', { type: 'step_based' }, { project: 'CHURN' }));
    expect(await scenarioKind.read(ctxWith({ getOrAbsent: () => Promise.resolve(undefined) as never }), unit!)).toBeUndefined();
  });

  it('a folder whose settings are a string: an error, for folders too', async () => {
    const [unit] = projectFolderKind.units(docOf('ProjectFolder', 'Analytics', { permissions: [] }));
    const folders: Record<string, unknown> = {
      '/project-folders/ROOT': { id: 'ROOT', name: 'ROOT', childrenIds: ['f1'], projectKeys: [] },
      '/project-folders/f1': { id: 'f1', name: 'Analytics', parentId: 'ROOT', childrenIds: [], projectKeys: [] },
      '/project-folders/f1/settings': 'oops',
    };
    const get = (path: string) => Promise.resolve(folders[path]) as never;
    const read = projectFolderKind.read(ctxWith({ getJson: get, getOrAbsent: get }), unit!);
    await expect(read).rejects.toThrow('DSS answered GET /project-folders/f1/settings with a string as its body');
  });
});

describe('a project block whose fields are of the wrong type', () => {
  const units = projectKind.units(docOf('Project', 'CHURN', { variables: { standard: { threshold: 0.7 } }, custom: { team: 'risk' } }));
  const unitOf = (block: string) => units.find((u) => u.block === block)!;

  it('variables whose `standard` is a list: an error naming the route and the field', async () => {
    const ctx = ctxWith({ getOrAbsent: () => Promise.resolve({ standard: [], local: {} }) as never });
    await expect(projectKind.read(ctx, unitOf('variables'))).rejects.toThrow(
      'DSS answered GET /projects/CHURN/variables/ with a list as field `standard`, where a JSON object was expected',
    );
  });

  it('metadata whose `custom.kv` is a string: refused before the write, which sends nothing', async () => {
    const puts: unknown[] = [];
    const answer = { label: 'Churn', tags: [], custom: { kv: 'broken' } };
    const ctx = ctxWith({
      getOrAbsent: () => Promise.resolve(answer) as never,
      getJson: () => Promise.resolve(answer) as never,
      putJson: (_path: string, body: unknown) => {
        puts.push(body);
        return Promise.resolve(body) as never;
      },
    });
    const unit = unitOf('metadata');
    await expect(projectKind.read(ctx, unit)).rejects.toThrow('DSS answered GET /projects/CHURN/metadata with a string as field `custom.kv`');
    await expect(projectKind.update(ctx, unit, { view: {}, raw: { object: answer } })).rejects.toThrow('field `custom.kv`');
    expect(puts).toEqual([]);
  });
});

describe('the GET right before a PUT', () => {
  it('refuses an answer that is no object, and sends no PUT', async () => {
    const puts: unknown[] = [];
    const client = {
      getJson: () => Promise.resolve('<html>maintenance</html>'),
      putJson: (_path: string, body: unknown) => {
        puts.push(body);
        return Promise.resolve(body);
      },
    } as unknown as DssClient;
    const write = freshWrite(client, '/projects/CHURN/variables/', (live) => ({ ...live, standard: { a: 1 } }));
    await expect(write).rejects.toThrow('DSS answered GET /projects/CHURN/variables/ with a string as its body');
    expect(puts).toEqual([]);
  });

  it('lays the fields over an absent object, as before', async () => {
    const puts: unknown[] = [];
    const client = {
      getOrAbsent: () => Promise.resolve(undefined),
      putJson: (_path: string, body: unknown) => {
        puts.push(body);
        return Promise.resolve(body);
      },
    } as unknown as DssClient;
    await freshWrite(client, '/p', (live) => ({ ...live, script: 'x' }), () => client.getOrAbsent('/p'));
    expect(puts).toEqual([{ script: 'x' }]);
  });
});

describe('answer checks', () => {
  it('pass objects through, refuse other values, and name a nested field', () => {
    expect(objectAnswer({ a: 1 }, 'GET /x')).toEqual({ a: 1 });
    expect(objectOrAbsent(undefined, 'GET /x')).toBeUndefined();
    expect(() => objectAnswer(7, 'GET /x')).toThrow('DSS answered GET /x with a number as its body');
    expect(objectField({ custom: null }, 'custom', 'GET /x')).toEqual({});
    expect(objectField({}, 'custom', 'GET /x')).toEqual({});
    expect(() => objectField({ kv: [1] }, 'kv', 'GET /projects/P/metadata', 'custom.kv')).toThrow(
      'DSS answered GET /projects/P/metadata with a list as field `custom.kv`, where a JSON object was expected',
    );
  });

  it('never quote the value itself (it may be a secret)', () => {
    const error = new UnexpectedAnswerError('GET /x', 'adminApiKey', 'dkuaps-very-secret', 'a JSON object');
    expect(error.message).not.toContain('dkuaps-very-secret');
  });
});
