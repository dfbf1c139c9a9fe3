// The ownership record (DESIGN §4): what dss-gitops applied, kept on DSS itself so that every clone of the
// manifests sees the same thing. For a project it is the `dss-gitops` entry of the metadata `custom.kv`: the
// source, the commit, and the inventory of addresses applied into that project with their spec hashes. Prune only
// ever deletes objects listed there; drift detection compares the recorded spec hash with the manifests' one.

import { isObject, sameTree, scalarJson } from '../base/json.js';
import { pathSegment } from '../base/dss-path.js';
import type { DssClient } from '../dss/types.js';
import type { ResourceUnit } from '../resources/types.js';
import { checkRecord, type CheckedRecord } from './record-check.js';

export const RECORD_KEY = 'dss-gitops';
export const PROTECTED_ANNOTATION = 'dss-gitops/protected';
export const PROTECTED_TAG = 'dss-gitops-protected';
/** `dss-gitops/prune: "false"` on a document protects it from prune too. */
export const PRUNE_ANNOTATION = 'dss-gitops/prune';

export interface InventoryEntry {
  /** `specHash` of the unit as it was last applied. */
  hash: string;
  /** The manifest annotated the object `dss-gitops/protected: "true"` when it was applied. */
  protected?: boolean;
  /**
   * The manifest opted in to deletion with `dss-gitops/prune: "delete"` when it was applied: prune deletes an object
   * of a kind that otherwise only disables it or leaves it (`pruneNeedsOptIn`).
   */
  pruneDelete?: boolean;
  /**
   * JSON pointers (into the unit's spec) where the apply wrote a secret, or where one written earlier stays: plans
   * mask DSS's value there even when no manifest names the secret any more. Absent when there is none.
   */
  sensitive?: string[];
}

export interface OwnershipRecord {
  version: 1;
  /** Which manifests tree owns the project, e.g. `git@github.com:team/dss.git#manifests`. */
  source: string;
  /** The manifests' git commit at the last write of this record. */
  commit?: string;
  inventory: Record<string, InventoryEntry>;
}

/**
 * A git remote URL as an identity: credentials, scheme, user and a trailing `.git` dropped, the host lowercased, so
 * that `https://user:token@GitHub.com/team/dss.git` and `git@github.com:team/dss` are both `github.com/team/dss`.
 */
export function normalizeRemoteUrl(url: string): string {
  const trimmed = url.trim();
  let host: string;
  let rest: string;
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(trimmed);
  if (!trimmed.includes('://') && scp) {
    host = scp[1] ?? '';
    rest = scp[2] ?? '';
  } else {
    try {
      const parsed = new URL(trimmed);
      host = parsed.host;
      rest = decodeURIComponent(parsed.pathname);
    } catch {
      // A local path used as a remote: already an identity.
      return trimmed.replace(/\/+$/, '').replace(/\.git$/, '');
    }
  }
  const repoPath = rest.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '');
  return `${host.toLowerCase()}/${repoPath}`;
}

/**
 * What a run knows of one ownership scope: whether it exists, its record and its tags. Most are projects (their
 * metadata); `store: 'instance'` is a node's instance record, whose `key` is the node's name.
 */
export interface ProjectOwnership {
  /** The project key, or the node name of an instance scope. */
  key: string;
  /** Absent: a project's record. `'instance'`: the instance record of node `key`. */
  store?: 'instance';
  /** What a saved plan fingerprints of an instance record: the variable as read (absent when there is none). */
  recordValue?: unknown;
  exists: boolean;
  /** The metadata object as DSS returned it, reused for the record's GET-modify-PUT. */
  metadata?: Record<string, unknown>;
  record?: OwnershipRecord;
  tags: string[];
  /** What was wrong with the record read back from DSS (entries dropped, or the whole record ignored). */
  warnings?: string[];
}

/** `dss-gitops/prune: "delete"`: prune deletes the object even where its kind only disables or leaves it. */
export function optsInToDeletion(unit: ResourceUnit): boolean {
  return unit.doc.metadata.annotations?.[PRUNE_ANNOTATION] === 'delete';
}

export function isProtectedByAnnotation(unit: ResourceUnit): boolean {
  const annotations = unit.doc.metadata.annotations ?? {};
  return annotations[PROTECTED_ANNOTATION] === 'true' || annotations[PRUNE_ANNOTATION] === 'false';
}

/** The record held in a metadata object, checked (see record-check.ts), with what was wrong with it. */
export function recordOf(projectKey: string, metadata: unknown): CheckedRecord {
  if (!isObject(metadata) || !isObject(metadata.custom) || !isObject(metadata.custom.kv)) return { warnings: [] };
  return checkRecord(projectKey, metadata.custom.kv[RECORD_KEY]);
}

/** Whether an object looks like a project metadata object (rather than another endpoint's answer). */
export function isMetadataObject(value: unknown): value is Record<string, unknown> {
  return isObject(value) && ('custom' in value || 'tags' in value || 'label' in value);
}

export function ownershipFromMetadata(key: string, metadata: Record<string, unknown> | undefined): ProjectOwnership {
  if (!metadata) return { key, exists: false, tags: [] };
  const tags = Array.isArray(metadata.tags) ? metadata.tags.filter((t): t is string => typeof t === 'string') : [];
  const { record, warnings } = recordOf(key, metadata);
  return { key, exists: true, metadata, tags, ...(record ? { record } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
}

export async function readOwnership(client: DssClient, key: string): Promise<ProjectOwnership> {
  const metadata = await client.getOrAbsent<Record<string, unknown>>(`/projects/${pathSegment(key)}/metadata`);
  return ownershipFromMetadata(key, metadata);
}

/** Two records that own the same things; the commit alone changing is not worth a write. */
export function sameOwnership(a: OwnershipRecord | undefined, b: OwnershipRecord | undefined): boolean {
  if (!a || !b) return a === b;
  return a.source === b.source && sameJson(a.inventory, b.inventory);
}

/**
 * Whether two values have the same canonical JSON (hash.ts canonicalJson: key order aside, a key holding `undefined`
 * left out, `undefined` elsewhere as `null`), compared in place. A plan compares every record it would write with the
 * one it read: the canonical texts of 2,000 inventories were 13 MB of a plan's heap, kept there until exit.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return sameTree(a, b, sameJsonScalar);
}

/** Two scalars (or `null`, `undefined`) with the same JSON text, `undefined` as `null`. */
function sameJsonScalar(a: unknown, b: unknown): boolean {
  return (a === undefined ? 'null' : scalarJson(a)) === (b === undefined ? 'null' : scalarJson(b));
}

/** A copy of a project's metadata object holding `record`, every other field and custom key kept. Pure. */
export function withRecord(metadata: Record<string, unknown>, record: OwnershipRecord): Record<string, unknown> {
  const base = structuredClone(metadata);
  const custom = isObject(base.custom) ? base.custom : {};
  const kv = isObject(custom.kv) ? custom.kv : {};
  base.custom = { ...custom, kv: { ...kv, [RECORD_KEY]: record } };
  return base;
}

/**
 * Writes the record with GET-modify-PUT of the project metadata. `metadata` is the object read earlier in the
 * run when nothing wrote it since; otherwise it is read again, so that a concurrent edit is not lost.
 */
export async function writeOwnership(
  client: DssClient,
  key: string,
  record: OwnershipRecord,
  metadata: Record<string, unknown> | undefined,
): Promise<void> {
  const path = `/projects/${pathSegment(key)}/metadata`;
  await client.putJson(path, withRecord(metadata ?? (await client.getJson<Record<string, unknown>>(path)), record));
}

/** Lists the keys of every project on the node, for prune of projects that left the manifests. */
export async function listProjectKeys(client: DssClient): Promise<string[]> {
  const list = await client.getJson<unknown>('/projects/');
  if (!Array.isArray(list)) return [];
  return list
    .map((p) => (isObject(p) && typeof p.projectKey === 'string' ? p.projectKey : undefined))
    .filter((k): k is string => k !== undefined);
}
