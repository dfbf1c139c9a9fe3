// Where a plugin comes from, as the plan compares it. The store and Git sources are what the manifest says; a zip
// is read from the manifests tree while units are built, before any request, under the rules every file a
// manifest names follows (a relative path, inside the tree once symbolic links are followed, a regular file, at
// most PLUGIN_ZIP_SIZE_LIMIT bytes), and compared by its content hash: moving the file changes nothing, new bytes
// are an update. A refused file is an error naming the manifest's file:line:col.
//
// DSS does not say where an installed plugin came from. dss-gitops records the source it installed from in the
// plugin's settings (`dssGitops.source`), as it records an infra key's hash: a record DSS keeps tells a plugin
// moved from Git to the store, or a new checkout of the same version; without one, only the version is compared.

import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { isObject, type Json } from '../../base/json.js';
import { UserError } from '../../errors.js';
import { readBoundedFile } from '../../manifest/read-text.js';
import { isInside } from '../../manifest/tree-file.js';
import type { ManifestDocument } from '../../manifest/types.js';
import { archiveSha256, readPluginArchive } from './plugin-zip.js';

/** The largest plugin archive read (the simulator's upload limit too). */
export const PLUGIN_ZIP_SIZE_LIMIT = 64 * 1024 * 1024;

export const RECORD_FIELD = 'dssGitops';

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

function refuse(doc: ManifestDocument, file: string, reason: string): never {
  const at = doc.positionOf('/spec/source/zip/file');
  throw new UserError('PLUGIN_ZIP', `${at.file}:${at.line}:${at.column}: cannot read the plugin archive ${file} (it ${reason})`);
}

function resolveInTree(doc: ManifestDocument, given: string): string {
  if (given === '' || given.includes('\0')) refuse(doc, given, 'is not a file path');
  if (path.isAbsolute(given)) refuse(doc, given, 'is an absolute path; it must be relative to the manifest, inside the manifests tree');
  const fromDirectory = path.dirname(doc.source.file);
  const root = path.resolve(doc.root ?? fromDirectory);
  const file = path.resolve(fromDirectory, given);
  if (!isInside(file, root)) refuse(doc, given, 'is outside the manifests tree; it must name a file inside it');
  let real: string;
  try {
    real = realpathSync(file);
    if (!isInside(real, realpathSync(root))) {
      refuse(doc, given, 'leads outside the manifests tree through a symbolic link; it must name a file inside it');
    }
  } catch (cause) {
    if (cause instanceof UserError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') refuse(doc, given, `does not exist (looked for ${path.relative(process.cwd(), file)})`);
    if (code === 'ELOOP') refuse(doc, given, 'is a loop of symbolic links');
    refuse(doc, given, `cannot be read (${code ?? String(cause)})`);
  }
  return real;
}

/** Reads and checks the zip a document names: inside the tree, a plugin archive of the document's plugin id. */
export function readArchiveOf(doc: ManifestDocument): PluginArchive {
  const source = isObject(doc.spec.source) ? doc.spec.source : {};
  const given = isObject(source.zip) && typeof source.zip.file === 'string' ? source.zip.file : '';
  const real = resolveInTree(doc, given);
  const read = readBoundedFile(real, PLUGIN_ZIP_SIZE_LIMIT);
  if ('reason' in read) refuse(doc, given, read.reason);
  const info = readPluginArchive(read.bytes);
  if ('problem' in info) refuse(doc, given, info.problem);
  if (info.id !== doc.metadata.name) refuse(doc, given, `holds plugin ${info.id}, not ${doc.metadata.name}`);
  return { bytes: read.bytes, sha256: archiveSha256(read.bytes), version: info.version, file: given };
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
