// Reads the live objects in scope through each kind's own units and turns them into manifest documents. Every
// kind that implements `listForExport` and `exportSpec` takes part (deployer kinds only with `--deployer`); reads
// are concurrent up to the parallelism, and each object is read once (shared lookups are memoized per run).

import { compareText } from '../base/order.js';
import pLimit from 'p-limit';
import { documentAddress } from '../manifest/address.js';
import type { ManifestDocument } from '../manifest/types.js';
import type { DssClient } from '../dss/types.js';
import type { Logger } from '../base/logger.js';
import type { ExportScope, ExportedUnit, KindContext, NodeName, ResourceKind } from '../resources/types.js';
import type { ExportedDocument } from './types.js';
import { uniqueSecretNames } from './unique-secrets.js';

export interface CollectOptions {
  kinds: readonly ResourceKind[];
  clients: Record<NodeName, DssClient>;
  log: Logger;
  parallelism: number;
  scope: ExportScope;
  /** Shared with the scope resolution, so that the project list is read once. */
  runCache: Map<string, unknown>;
}

/** The kinds that take part in an export of `scope`. */
export function exportingKinds(kinds: readonly ResourceKind[], scope: ExportScope): ResourceKind[] {
  return kinds.filter((k) => k.listForExport && k.exportSpec && (k.node === 'design' || scope.deployer));
}

function contextOf(options: CollectOptions, kind: ResourceKind): KindContext {
  return { client: options.clients[kind.node], clients: options.clients, log: options.log, runCache: options.runCache };
}

export async function exportOne(kind: ResourceKind, ctx: KindContext, doc: ManifestDocument, limit: ReturnType<typeof pLimit>): Promise<ExportedDocument | undefined> {
  const units = kind.units(doc);
  const states = await Promise.all(units.map((unit) => limit(() => kind.read(ctx, unit))));
  // Gone between the listing and the read: nothing to export.
  if (states[0] === undefined) return undefined;
  const live: ExportedUnit[] = [];
  units.forEach((unit, i) => {
    const state = states[i];
    if (state !== undefined) live.push({ unit, live: state });
  });
  const exported = kind.exportSpec?.(doc, live);
  if (!exported) return undefined;
  const metadata: ExportedDocument['metadata'] = { name: doc.metadata.name };
  if (doc.metadata.project !== undefined) metadata.project = doc.metadata.project;
  return {
    kind: kind.kind,
    node: kind.node,
    metadata,
    spec: exported.spec,
    files: exported.files ?? {},
    secrets: exported.secrets ?? [],
    external: exported.external ?? [],
  };
}

/** The exported documents, in kind order (the registry's) and then by address. */
export async function collectExport(options: CollectOptions): Promise<ExportedDocument[]> {
  const limit = pLimit(options.parallelism);
  const kinds = exportingKinds(options.kinds, options.scope);
  const perKind = await Promise.all(
    kinds.map(async (kind) => {
      const ctx = contextOf(options, kind);
      const docs = await (kind.listForExport?.(ctx, options.scope) ?? Promise.resolve([]));
      const sorted = [...docs].sort((a, b) => compareText(documentAddress(a), documentAddress(b)));
      const exported = await Promise.all(sorted.map((doc) => exportOne(kind, ctx, doc, limit)));
      options.log.debug({ kind: kind.kind, count: sorted.length }, 'exported');
      return exported.filter((d): d is ExportedDocument => d !== undefined);
    }),
  );
  // Names are unique per document; made unique across documents here, in their (deterministic) order.
  return uniqueSecretNames(perKind.flat());
}

