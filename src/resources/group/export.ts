// `export --platform` of `Group`: every group of the design node, with what differs from DSS's defaults (a flag
// only when true, a mapping list only when not empty, the source type only when not LOCAL).

import { type Json } from '../../base/json.js';
import { escapeInterpolation, exportStub, setIfPresent } from '../export-common.js';
import type { ExportedSpec, ResourceKind } from '../types.js';
import { listedPerRun } from '../admin-list.js';
import { compareText } from '../../base/order.js';
import { GROUP_MAPPING_LISTS, GROUP_PERMISSION_FLAGS } from './permissions.js';

/** A spec that asks for every exportable field (the values are placeholders). */
function stubSpec(): Json {
  const spec: Json = { description: '', sourceType: '' };
  for (const list of GROUP_MAPPING_LISTS) spec[list] = [];
  return spec;
}

/** The spec of a group from its live view. Pure. */
export function groupSpecFromView(view: Json): ExportedSpec {
  const spec: Json = {};
  setIfPresent(spec, 'description', view.description);
  if (typeof view.sourceType === 'string' && view.sourceType !== 'LOCAL') spec.sourceType = view.sourceType;
  for (const list of GROUP_MAPPING_LISTS) setIfPresent(spec, list, view[list]);
  for (const flag of GROUP_PERMISSION_FLAGS) if (view[flag] === true) spec[flag] = true;
  return { spec: escapeInterpolation(spec) as Json };
}

export const groupExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  async listForExport(ctx, scope) {
    if (!scope.platform) return [];
    const names = [...(await listedPerRun(ctx, '/admin/groups/', 'name')).keys()];
    return names.sort(compareText).map((name) => exportStub('Group', { name }, stubSpec()));
  },

  exportSpec(_doc, live) {
    return groupSpecFromView(live[0]?.live.view ?? {});
  },
};
