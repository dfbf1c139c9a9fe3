// Where a plugin comes from, as the plan compares it. The store and Git sources are what the manifest says; a zip
// is read from the manifests tree while units are built, before any request, under the rules every file a
// manifest names follows (a relative path, inside the tree once symbolic links are followed, a regular file, at
// most PLUGIN_ZIP_SIZE_LIMIT bytes), and compared by its content hash: moving the file changes nothing, new bytes
// are an update. A refused file is an error naming the manifest's file:line:col.
//
// DSS does not say where an installed plugin came from, nor what its plugin code env was created with. dss-gitops
// records both in the plugin's settings (`dssGitops.source`, `dssGitops.codeEnv`), as it records an infra key's
// hash: a record DSS keeps tells a plugin moved from Git to the store, or a new checkout of the same version;
// without one, only the version is compared, and the code env is taken as declared.

import * as path from 'node:path';
import { isObject, type Json } from '../../base/json.js';
import { UserError } from '../../errors.js';
import { readBoundedFile } from '../../manifest/read-text.js';
import { resolveTreeFile } from '../../manifest/tree-file.js';
import type { ManifestDocument } from '../../manifest/types.js';
import type { DocumentCheck, LoadingDocument } from '../types.js';
import { archiveSha256, readPluginArchive } from './plugin-zip.js';

/** The largest plugin archive read (the simulator's upload limit too). */
export const PLUGIN_ZIP_SIZE_LIMIT = 64 * 1024 * 1024;

export const RECORD_FIELD = 'dssGitops';

const ZIP_FILE_POINTER = '/spec/source/zip/file';

/** The compared fields of a source: `source` and `version`, plus Git's coordinates or a zip's hash. */
export type SourceView = Json;

export type SourceType = 'store' | 'git' | 'zip';

export function sourceTypeOf(doc: ManifestDocument): SourceType {
  const source = isObject(doc.spec.source) ? doc.spec.source : {};
  if (isObject(source.git)) return 'git';
  if (isObject(source.zip)) return 'zip';
  return 'store';
}

/** A plugin archive read from the manifests tree. */
export interface PluginArchive {
  bytes: Uint8Array;
  sha256: string;
  version: string;
  /** The path as the manifest gives it. */
  file: string;
}

/** Where the archive a document names is, and whose it must be. */
export interface ArchiveRequest {
  /** The path as the manifest gives it. */
  given: string;
  /** The directory of the manifest: relative paths start there. */
  fromDirectory: string;
  /** The manifests tree; nothing outside it is read. */
  root: string;
  /** The plugin id the archive must hold. */
  id: string;
}

function resolveInTree(request: ArchiveRequest): { real: string } | { reason: string } {
  return resolveTreeFile({ root: request.root, fromDirectory: request.fromDirectory, given: request.given, cwd: process.cwd() });
}

/**
 * Reads and checks a plugin archive a manifest names: inside the tree, a regular file within the size limit, a zip
 * whose plugin.json holds the expected id and a version. What loading a manifest or building its units calls.
 */
export function readPluginArchiveFile(request: ArchiveRequest): PluginArchive | { reason: string } {
  const found = resolveInTree(request);
  if ('reason' in found) return found;
  const read = readBoundedFile(found.real, PLUGIN_ZIP_SIZE_LIMIT);
  if ('reason' in read) return read;
  const info = readPluginArchive(read.bytes);
  if ('problem' in info) return { reason: info.problem };
  if (info.id !== request.id) return { reason: `holds plugin ${info.id}, not ${request.id}` };
  return { bytes: read.bytes, sha256: archiveSha256(read.bytes), version: info.version, file: request.given };
}

/** The archive of a document's `source.zip.file`; a refused file is an error at the manifest's line and column. */
export function readArchiveOf(doc: ManifestDocument): PluginArchive {
  const source = isObject(doc.spec.source) ? doc.spec.source : {};
  const given = isObject(source.zip) && typeof source.zip.file === 'string' ? source.zip.file : '';
  const fromDirectory = path.dirname(doc.source.file);
  const read = readPluginArchiveFile({ given, fromDirectory, root: doc.root ?? fromDirectory, id: doc.metadata.name });
  if ('bytes' in read) return read;
  const at = doc.positionOf(ZIP_FILE_POINTER);
  throw new UserError('PLUGIN_ZIP', `${at.file}:${at.line}:${at.column}: cannot read the plugin archive ${given} (it ${read.reason})`);
}

/**
 * `checkDocument`: a `source.zip.file` that cannot be read (outside the tree, a link out, not a regular file, too
 * large, not a zip of this plugin) is an error at its line and column when the manifests are loaded, so that
 * `validate` refuses it and `plan` sends nothing. A readable one completes the spec with its hash and version.
 */
export function checkArchiveFile(doc: LoadingDocument): DocumentCheck {
  const source = isObject(doc.spec.source) ? doc.spec.source : {};
  const given = isObject(source.zip) ? source.zip.file : undefined;
  if (typeof given !== 'string' || doc.unresolvedPointers.includes(ZIP_FILE_POINTER)) return {};
  const read = readPluginArchiveFile({ given, ...doc.files, id: doc.metadata.name });
  if ('bytes' in read) {
    // The archive's hash and version complete the spec, as a scenario's script does: units are built from them
    // without reading the file again (apply reads it to upload, and checks the hash).
    const zip = { ...(source.zip as Json), sha256: read.sha256, version: read.version };
    return { spec: { ...doc.spec, source: { ...source, zip } } };
  }
  return { problems: [{ ...doc.valuePosition(ZIP_FILE_POINTER), message: `cannot read the plugin archive ${given} (it ${read.reason})` }] };
}

/** The source fields the plan compares, from the manifest (a zip is read and hashed). */
export function desiredSource(doc: ManifestDocument): SourceView {
  const source = isObject(doc.spec.source) ? doc.spec.source : {};
  const type = sourceTypeOf(doc);
  if (type === 'store') {
    const store = isObject(source.store) ? source.store : {};
    return { source: 'store', version: store.version };
  }
  if (type === 'git') {
    const git = isObject(source.git) ? source.git : {};
    const out: SourceView = { source: 'git', gitRepositoryUrl: git.gitRepositoryUrl, gitCheckout: git.gitCheckout };
    if (typeof git.gitSubpath === 'string' && git.gitSubpath !== '') out.gitSubpath = git.gitSubpath;
    if (typeof git.version === 'string') out.version = git.version;
    return out;
  }
  const zip = isObject(source.zip) ? source.zip : {};
  // Loaded documents carry the archive's hash and version (checkArchiveFile); one built otherwise reads the file.
  if (typeof zip.sha256 === 'string' && typeof zip.version === 'string') return { source: 'zip', version: zip.version, sha256: zip.sha256 };
  const archive = readArchiveOf(doc);
  return { source: 'zip', version: archive.version, sha256: archive.sha256 };
}

/** The source dss-gitops recorded in the plugin's settings, if DSS kept it. */
export function recordedSource(settings: Json): SourceView | undefined {
  const record = settings[RECORD_FIELD];
  if (!isObject(record) || !isObject(record.source)) return undefined;
  const source = record.source;
  return source.source === 'store' || source.source === 'git' || source.source === 'zip' ? source : undefined;
}

/** The settings with the source recorded (the version is DSS's own, not recorded). */
export function withRecordedSource(settings: Json, desired: SourceView): Json {
  const { version: _version, ...source } = desired;
  const record = isObject(settings[RECORD_FIELD]) ? settings[RECORD_FIELD] : {};
  return { ...settings, [RECORD_FIELD]: { ...record, source } };
}

/** What the plugin code env was created with, as recorded when dss-gitops created it. */
export function recordedCodeEnv(settings: Json): Json | undefined {
  const record = settings[RECORD_FIELD];
  return isObject(record) && isObject(record.codeEnv) ? record.codeEnv : undefined;
}

export function withRecordedCodeEnv(settings: Json, created: Json): Json {
  const record = isObject(settings[RECORD_FIELD]) ? settings[RECORD_FIELD] : {};
  return { ...settings, [RECORD_FIELD]: { ...record, codeEnv: created } };
}
