// `export --platform` of `User`: every user of the design node, with what differs from DSS's defaults. Never a
// password: DSS does not give one back, and an exported LOCAL user gets none (declare `${secret:..}` to set one).

import { compareText } from '../../base/order.js';
import { type Json } from '../../base/json.js';
import { listedPerRun } from '../admin-list.js';
import { escapeInterpolation, exportStub, setIfPresent } from '../export-common.js';
import type { ExportedSpec, ResourceKind } from '../types.js';

/** A spec that asks for every exportable field (the values are placeholders); `enabled` is always read. */
const STUB_SPEC: Json = { displayName: '', email: '', groups: [], userProfile: '', sourceType: '' };

/** The spec of a user from its live view. Pure. */
export function userSpecFromView(view: Json): ExportedSpec {
  const spec: Json = {};
  setIfPresent(spec, 'displayName', view.displayName);
  setIfPresent(spec, 'email', view.email);
  setIfPresent(spec, 'groups', view.groups);
  setIfPresent(spec, 'userProfile', view.userProfile);
  if (view.enabled === false) spec.enabled = false;
  if (typeof view.sourceType === 'string' && view.sourceType !== 'LOCAL') spec.sourceType = view.sourceType;
  return { spec: escapeInterpolation(spec) as Json };
}

export const userExport: Pick<ResourceKind, 'listForExport' | 'exportSpec'> = {
  async listForExport(ctx, scope) {
    if (!scope.platform) return [];
    const logins = [...(await listedPerRun(ctx, '/admin/users/', 'login')).keys()];
    return logins.sort(compareText).map((name) => exportStub('User', { name }, structuredClone(STUB_SPEC)));
  },

  exportSpec(_doc, live) {
    return userSpecFromView(live[0]?.live.view ?? {});
  },
};
