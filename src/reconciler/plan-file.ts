// Saved plans (`plan --out F`, `apply F`, `show F`): the reviewed changes, the documents needed to apply them,
// and a salted fingerprint of every live object read. Secret values never enter a plan file: they are replaced
// by salted hashes, re-resolved from the manifests when the plan is applied, and checked against those hashes.

import { scopeOfOwnership } from './ownership/scopes.js';
import { scopeAddressOf } from './ownership/stores.js';
import { compareText } from '../base/order.js';
import { FORMAT_VERSION, SENSITIVE_MASK, type PlanReport } from '../diff/types.js';
import { UserError } from '../errors.js';
import { revealsSecret, scrubValue } from '../base/secrets.js';
import { joinPointer } from '../base/json-pointer.js';
import type { ManifestDocument, ManifestMetadata, SourcePosition } from '../manifest/types.js';
import { fingerprint, getPointer, replaceAt, saltedHash } from './hash.js';
import type { PlannedRun } from './reconcile.js';
import type { PlanOptions } from './types.js';

export const PLAN_FILE_KIND = 'dss-gitops-plan';

export interface PlanFileDocument {
  apiVersion: string;
  kind: string;
  metadata: ManifestMetadata;
  /** The spec with every secret value replaced by `{"$sensitive": "<salted sha-256>"}`. */
  spec: Record<string, unknown>;
  source: SourcePosition;
  sensitivePaths: string[];
}

export interface PlanFile {
  format_version: string;
  kind: typeof PLAN_FILE_KIND;
  created_at: string;
  source: string;
  commit?: string;
  /**
   * Where the manifests were loaded from, to re-resolve secrets and connection settings on apply, and the
   * `${var:..}` values they were planned with (`--var`, `--var-file`: never secrets, which come from the environment).
   */
  /** `vars`: the `--var` values of the plan; `withheldVars`: those left out because they hold a secret. */
  manifests: { cwd: string; paths: string[]; configPath?: string; vars?: Record<string, string>; withheldVars?: string[] };
  options: Pick<PlanOptions, 'prune' | 'allowEmpty' | 'targets' | 'pruneKinds'>;
  salt: string;
  report: PlanReport;
  documents: PlanFileDocument[];
  /** Salted hash of every live object read, by address (`Project/KEY (ownership record)` for records). */
  fingerprints: Record<string, string>;
}

export interface PlanFileContext {
  source: string;
  commit?: string;
  manifests: PlanFile['manifests'];
  options: PlanFile['options'];
  salt: string;
  createdAt: string;
}

/** The fingerprints of a run's reads: every unit's live object, every project metadata and instance record read. */
export function fingerprintsOf(planned: PlannedRun, salt: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of planned.plan.units) out[p.unit.address] = fingerprint(salt, p.live?.raw, p.live !== undefined);
  for (const project of planned.projects.values()) {
    // An instance record is the one variable, not the variables around it: the run lock there changes every run.
    out[`${scopeAddressOf(scopeOfOwnership(project))} (ownership record)`] =
      project.store === 'instance'
        ? fingerprint(salt, project.recordValue, project.recordValue !== undefined)
        : fingerprint(salt, project.metadata, project.exists);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => compareText(a, b)));
}

/** A report whose sensitive values are masked, whatever the diff engine left in them. */
function maskedReport(report: PlanReport): PlanReport {
  return {
    ...report,
    resourceChanges: report.resourceChanges.map((rc) => ({
      ...rc,
      changes: rc.changes.map((c) =>
        c.sensitive
          ? { ...c, ...(c.before !== undefined ? { before: SENSITIVE_MASK } : {}), ...(c.after !== undefined ? { after: SENSITIVE_MASK } : {}) }
          : c,
      ),
    })),
  };
}

/**
 * The pointers of the strings in `value` that show a secret of the run (an API key, a `${secret:..}` value) outside
 * the pointers already marked: a `${var:..}` or a literal may hold one. Skips what is below a marked pointer.
 */
function revealingPointers(value: unknown, marked: readonly string[], pointer = ''): string[] {
  if (marked.some((m) => pointer === m || pointer.startsWith(`${m}/`))) return [];
  if (typeof value === 'string') return pointer !== '' && revealsSecret(value) ? [pointer] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => revealingPointers(item, marked, joinPointer(pointer, i)));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => revealingPointers(item, marked, joinPointer(pointer, key)));
  }
  return [];
}

/**
 * A document as the plan file keeps it: every secret value, the ones the manifests marked and any other string that
 * shows one, replaced by a salted hash, and put back from the manifests on apply (see `restoreDocuments`).
 */
function documentOf(doc: ManifestDocument, salt: string): PlanFileDocument {
  const marked = doc.sensitivePaths.filter((p) => p.startsWith('/spec/')).map((p) => p.slice('/spec'.length));
  const revealing = revealingPointers(doc.spec, marked);
  const spec = replaceAt(doc.spec, [...marked, ...revealing], (value) => ({ $sensitive: saltedHash(salt, value) })) as Record<string, unknown>;
  const sensitivePaths = [...doc.sensitivePaths, ...revealing.map((p) => `/spec${p}`)];
  return { apiVersion: doc.apiVersion, kind: doc.kind, metadata: doc.metadata, spec, source: doc.source, sensitivePaths };
}

export function buildPlanFile(planned: PlannedRun, documents: ManifestDocument[], ctx: PlanFileContext): PlanFile {
  return {
    format_version: FORMAT_VERSION,
    kind: PLAN_FILE_KIND,
    created_at: ctx.createdAt,
    source: ctx.source,
    ...(ctx.commit !== undefined ? { commit: ctx.commit } : {}),
    manifests: ctx.manifests,
    options: ctx.options,
    salt: ctx.salt,
    // Values DSS returned or the manifests hold may show a secret under any name (a description quoting a key).
    report: scrubValue(maskedReport(planned.plan.report)),
    documents: documents.map((d) => documentOf(d, ctx.salt)),
    fingerprints: fingerprintsOf(planned, ctx.salt),
  };
}

export function parsePlanFile(text: string, file: string): PlanFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError('BAD_PLAN_FILE', `${file} is not a plan file (not JSON)`, { cause: error });
  }
  const p = parsed as Partial<PlanFile> | null;
  if (!p || p.kind !== PLAN_FILE_KIND || !Array.isArray(p.documents) || typeof p.fingerprints !== 'object') {
    throw new UserError('BAD_PLAN_FILE', `${file} is not a dss-gitops plan file`);
  }
  const major = (v: string | undefined): string => String(v).split('.')[0] ?? '';
  if (major(p.format_version) !== major(FORMAT_VERSION)) {
    throw new UserError('BAD_PLAN_FILE', `${file} has format ${p.format_version}; this version of dss-gitops reads ${FORMAT_VERSION}`);
  }
  return p as PlanFile;
}

const docKey = (d: { kind: string; metadata: ManifestMetadata }): string =>
  `${d.kind}/${d.metadata.project ? `${d.metadata.project}/` : ''}${d.metadata.name}`;

/**
 * The plan's documents, with their secrets taken from the freshly loaded manifests and checked against the
 * plan's hashes: a secret that changed since the plan (or disappeared) refuses the apply.
 */
export function restoreDocuments(file: PlanFile, fresh: ManifestDocument[]): ManifestDocument[] {
  const freshByKey = new Map(fresh.map((d) => [docKey(d), d]));
  const mismatches: string[] = [];
  const docs = file.documents.map((stored): ManifestDocument => {
    const pointers = stored.sensitivePaths.filter((p) => p.startsWith('/spec/')).map((p) => p.slice('/spec'.length));
    const current = freshByKey.get(docKey(stored));
    const spec = replaceAt(stored.spec, pointers, (placeholder, pointer) => {
      const value = current ? getPointer(current.spec, pointer) : undefined;
      const expected = (placeholder as { $sensitive?: string } | undefined)?.$sensitive;
      if (value === undefined || saltedHash(file.salt, value) !== expected) mismatches.push(`${docKey(stored)} /spec${pointer}`);
      return value;
    }) as Record<string, unknown>;
    const source = stored.source;
    return { ...stored, spec, positionOf: () => source };
  });
  if (mismatches.length > 0) {
    throw new UserError(
      'PLAN_SECRET_CHANGED',
      `secret values differ from the ones the plan was made with (or are missing): ${mismatches.join(', ')}; run plan again`,
    );
  }
  return docs;
}

/** The addresses whose live object changed since the plan (or that the plan did not read). */
export function staleObjects(file: PlanFile, planned: PlannedRun): string[] {
  const now = fingerprintsOf(planned, file.salt);
  const stale = new Set<string>();
  for (const [address, hash] of Object.entries(file.fingerprints)) if (now[address] !== hash) stale.add(address);
  for (const address of Object.keys(now)) if (!(address in file.fingerprints)) stale.add(address);
  return [...stale].sort();
}
