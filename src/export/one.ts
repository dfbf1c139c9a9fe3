// One live object as a manifest document (`dss-gitops import`): the same listing, reads and spec as `export`,
// for the one address asked for.

import pLimit from 'p-limit';
import { documentAddress, parseAddress } from '../manifest/address.js';
import { UserError } from '../errors.js';
import type { KindContext, ResourceKind } from '../resources/types.js';
import { exportOne } from './collect.js';
import { resolveExportScope } from './scope.js';
import type { ExportedDocument } from './types.js';

/**
 * The exported document of `address`, or an error naming what is missing: a kind that cannot be exported, a
 * project or an object that does not exist in DSS.
 */
export async function exportAddress(kinds: readonly ResourceKind[], contextOf: (kind: ResourceKind) => KindContext, address: string): Promise<ExportedDocument> {
  const parsed = parseAddress(address);
  if (!parsed) throw new UserError('BAD_ADDRESS', `${address} is not an address (Kind/NAME or Kind/PROJECT/NAME)`);
  if (parsed.block !== undefined) {
    throw new UserError('BAD_ADDRESS', `${address} is a block of an object: import the object itself (${address.slice(0, address.indexOf('#'))})`);
  }
  const kind = kinds.find((k) => k.kind === parsed.kind);
  if (!kind) throw new UserError('UNKNOWN_KIND', `unknown kind ${parsed.kind} (known: ${kinds.map((k) => k.kind).join(', ')})`);
  if (!kind.listForExport || !kind.exportSpec) throw new UserError('NOT_IMPORTABLE', `${kind.kind} objects cannot be imported: export does not support them yet`);
  const designContext = contextOf(kinds.find((k) => k.node === 'design') ?? kind);
  const project = kind.definesScope === 'project' ? parsed.name : parsed.project;
  // The listing of a kind is by project (scenarios, folders of projects); objects of no project need every one.
  const scope = await resolveExportScope(designContext, {
    projects: project === undefined ? 'all' : [project],
    deployer: kind.node === 'deployer',
    platform: kind.ownership === 'instance',
  });
  const ctx = contextOf(kind);
  const listed = await kind.listForExport(ctx, project === undefined ? scope : { ...scope, allProjects: false });
  const doc = listed.find((d) => documentAddress(d) === address);
  const exported = doc ? await exportOne(kind, ctx, doc, pLimit(1)) : undefined;
  if (!exported) throw new UserError('NOT_FOUND', `${address} does not exist in DSS: nothing to import`);
  return exported;
}
