// `export` of `Project`: one document per project in scope, read through the kind's own units (the project,
// #metadata, #variables, #permissions), reduced to the fields someone set. Variables under secret-looking names
// become `${secret:PROJECTKEY_NAME}` references, and metadata `custom` values `${secret:PROJECTKEY_CUSTOM_NAME}` ones
// (also a URL that carries credentials there).

import { escapeInterpolation, exportStub, grantForExport, hideSecrets, referenceSecrets, setIfPresent } from '../export-common.js';
import { isObject, type Json } from '../../base/json.js';
import { asObject } from '../managed-write.js';
import type { ExportedSecret, ExportedSpec, ExportedUnit, ResourceKind } from '../types.js';

/** Every field the units of a Project read; the values are placeholders. */
function readEverything(): Json {
  return {
    name: '',
    folder: '',
    owner: '',
    description: '',
    shortDesc: '',
    tags: [],
    custom: {},
    variables: { standard: {}, local: {} },
    permissions: [],
  };
}

function exportVariables(projectKey: string, view: Json, taken: Set<string>, secrets: ExportedSecret[]): Json {
  const out: Json = {};
  for (const scope of ['standard', 'local'] as const) {
    const values = asObject(view[scope]);
    if (Object.keys(values).length === 0) continue;
    out[scope] = hideSecrets(values, [projectKey], `Project/${projectKey} spec.variables.${scope}`, taken, secrets);
  }
  return out;
}

/** The spec of a project from the views of its units. Pure. */
export function projectSpecFromViews(projectKey: string, views: { block?: string; view: Json }[]): ExportedSpec {
  const spec: Json = {};
  const secrets: ExportedSecret[] = [];
  const taken = new Set<string>();
  for (const { block, view: raw } of views) {
    const view = escapeInterpolation(raw) as Json;
    if (block === undefined) {
      setIfPresent(spec, 'name', view.name);
      setIfPresent(spec, 'folder', view.folder);
    } else if (block === 'metadata') {
      setIfPresent(spec, 'description', view.description);
      setIfPresent(spec, 'shortDesc', view.shortDesc);
      setIfPresent(spec, 'tags', view.tags);
      const custom = { name: [projectKey, 'custom'], where: `Project/${projectKey} spec.custom` };
      setIfPresent(spec, 'custom', referenceSecrets(view.custom, custom, { taken, found: secrets }, { urls: true }));
    } else if (block === 'variables') {
      setIfPresent(spec, 'variables', exportVariables(projectKey, view, taken, secrets));
    } else if (block === 'permissions') {
      setIfPresent(spec, 'owner', view.owner);
      const grants = Array.isArray(view.permissions) ? view.permissions.filter(isObject).map(grantForExport) : [];
      setIfPresent(spec, 'permissions', grants);
    }
  }
  return secrets.length > 0 ? { spec, secrets } : { spec };
}

export const projectExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  listForExport(_ctx, scope) {
    return Promise.resolve(scope.projectKeys.map((key) => exportStub('Project', { name: key }, readEverything())));
  },

  exportSpec(doc, live: readonly ExportedUnit[]) {
    const views = live.map(({ unit, live: state }) => ({ ...(unit.block !== undefined ? { block: unit.block } : {}), view: state.view }));
    return projectSpecFromViews(doc.metadata.name, views);
  },
};
