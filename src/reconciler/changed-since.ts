// `plan --changed-since GITREF`: the objects whose manifest files changed between GITREF and the working tree,
// plus what depends on them. They become `--target` addresses, so the reconciler's own selection adds what they
// depend on (read for the plan, created first if missing) and disables prune, as for any partial run.

import { readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { yamlLib } from '../base/yaml-lib.js';
import { changedFilesSince, findRepoRoot } from '../git/repository.js';
import type { LoadManifestOptions, ManifestDocument } from '../manifest/types.js';
import type { ResourceUnit } from '../resources/types.js';
import { graphOfUnits } from './select.js';

export interface ChangedSelection {
  /** Addresses to pass as targets; empty when no object changed (and `everything` is false). */
  targets: string[];
  /** A file every document depends on (the config, a --var-file) changed: the whole manifests are planned. */
  everything: boolean;
  /** Units whose own manifest (or script file) changed. */
  changed: number;
  /** Changed manifest files that no longer exist: the objects they declared are not planned. */
  deleted: string[];
}

export interface SelectOptions {
  /** The files of a document (absolute, canonical): its manifest and any file it reads (a scenario's script). */
  filesOf: (doc: ManifestDocument) => string[];
  /** Files every document depends on: the config and the --var-files. */
  sharedFiles: string[];
  /** The -f paths, absolute and canonical. */
  manifestRoots: string[];
  exists: (file: string) => boolean;
}

/** Pure: the selection for a set of changed files (absolute, canonical paths). */
export function selectChanged(units: ResourceUnit[], changedFiles: ReadonlySet<string>, options: SelectOptions): ChangedSelection {
  const inManifests = (file: string): boolean =>
    options.manifestRoots.some((root) => file === root || file.startsWith(`${root}${path.sep}`));
  const deleted = [...changedFiles].filter((f) => /\.ya?ml$/i.test(f) && inManifests(f) && !options.exists(f)).sort();
  if (options.sharedFiles.some((f) => changedFiles.has(f))) {
    return { targets: units.map((u) => u.address), everything: true, changed: units.length, deleted };
  }
  const roots = units.filter((u) => options.filesOf(u.doc).some((f) => changedFiles.has(f))).map((u) => u.address);
  // What depends on a changed object is planned too: a renamed folder moves its projects, a project its scenarios.
  const withDependents = graphOfUnits(units).reversed().closure(roots);
  return { targets: [...withDependents].sort(), everything: false, changed: roots.length, deleted };
}

/** The real path, so that git's paths and ours compare equal through symbolic links (macOS /tmp). */
function canonical(file: string): string {
  try {
    return realpathSync.native(file);
  } catch {
    try {
      return path.join(realpathSync.native(path.dirname(file)), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** A scenario's `scriptFile` is read into `spec.script` at load: find it again in the document's own file. */
function scriptFileOf(doc: ManifestDocument, file: string, cache: Map<string, unknown[]>): string | undefined {
  if (!cache.has(file)) {
    try {
      cache.set(file, yamlLib().parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown));
    } catch {
      cache.set(file, []);
    }
  }
  for (const js of cache.get(file) ?? []) {
    const parsed = js as { kind?: unknown; metadata?: { name?: unknown }; spec?: { scriptFile?: unknown } } | null;
    if (parsed?.kind !== doc.kind || parsed.metadata?.name !== doc.metadata.name) continue;
    const script = parsed.spec?.scriptFile;
    if (typeof script === 'string') return canonical(path.resolve(path.dirname(file), script));
  }
  return undefined;
}

/** Asks git which files changed since `gitRef` and selects accordingly. */
export async function changedSinceSelection(gitRef: string, units: ResourceUnit[], load: LoadManifestOptions): Promise<ChangedSelection> {
  const manifestRoots = load.paths.map((p) => canonical(path.resolve(load.cwd, p)));
  const first = manifestRoots[0] ?? canonical(load.cwd);
  const root = (await findRepoRoot(first)) ?? first;
  const changed = new Set((await changedFilesSince(root, gitRef)).map(canonical));
  const configPath =
    load.configPath !== undefined
      ? canonical(path.resolve(load.cwd, load.configPath))
      : path.join(isDirectory(first) ? first : path.dirname(first), 'dss-gitops.yaml');
  const sharedFiles = [configPath, ...load.varFiles.map((f) => canonical(path.resolve(load.cwd, f)))];
  // Script files are looked up only when a changed file is not a manifest: the common case parses nothing again.
  const otherChanged = [...changed].some((f) => !/\.ya?ml$/i.test(f));
  const yamlCache = new Map<string, unknown[]>();
  const filesOf = (doc: ManifestDocument): string[] => {
    const file = canonical(path.resolve(load.cwd, doc.source.file));
    // A document whose code came from a file (`scriptFile`, loaded into `spec.script`) changes with that file too.
    const script = otherChanged && typeof doc.spec.script === 'string' ? scriptFileOf(doc, file, yamlCache) : undefined;
    return script === undefined ? [file] : [file, script];
  };
  return selectChanged(units, changed, { filesOf, sharedFiles, manifestRoots, exists: (f) => statSync(f, { throwIfNoEntry: false }) !== undefined });
}
