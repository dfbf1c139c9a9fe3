// Finds the manifest files under the `-f` paths: every `.yaml`/`.yml`, recursively, in a stable order, skipping
// the configuration file, `node_modules` and dot-directories. Symbolic links are followed while they stay inside
// the manifests tree; one that leaves it, dangles or loops is a problem, never skipped in silence (a manifest
// skipped would read as deleted, and `--prune` would delete what it declares).

import { byText } from '../base/order.js';
import { readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { describeFileType } from './read-text.js';
import { isInside } from './tree-file.js';
import type { Problem } from './types.js';

export const CONFIG_FILE_NAMES: ReadonlySet<string> = new Set(['dss-gitops.yaml', 'dss-gitops.yml']);

export interface ManifestFile {
  /** The path as found (through any symbolic link), for messages. */
  file: string;
  /** The manifests tree it was found in (the `-f` directory): the files a manifest names must stay inside it. */
  root: string;
}

export interface ManifestFiles {
  files: ManifestFile[];
  /** The first `-f` path when it is a directory: where `dss-gitops.yaml` is looked for. */
  rootDirectory?: string;
  problems: Problem[];
}

interface Walk {
  /** The tree as given, for ManifestFile.root. */
  root: string;
  /** Its real path, which links are checked against. */
  realRoot: string;
  out: ManifestFile[];
  problems: Problem[];
  /** Real paths of the files found, so that a file reached twice (directly and through a link) is read once. */
  seenFiles: Set<string>;
  seenDirectories: Set<string>;
}

function isManifestName(name: string): boolean {
  return (name.endsWith('.yaml') || name.endsWith('.yml')) && !CONFIG_FILE_NAMES.has(name);
}

function isSkippedDirectory(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

function problemAt(file: string, message: string): Problem {
  return { file, line: 1, column: 1, message };
}

function addFile(file: string, real: string, walk: Walk): void {
  if (walk.seenFiles.has(real)) return;
  walk.seenFiles.add(real);
  walk.out.push({ file, root: walk.root });
}

/** `ancestors`: real paths of the directories from the root down to `real`, to tell a loop. */
function walkDirectory(shown: string, real: string, ancestors: readonly string[], walk: Walk): void {
  walk.seenDirectories.add(real);
  let listed;
  try {
    listed = readdirSync(real, { withFileTypes: true });
  } catch (cause) {
    walk.problems.push(problemAt(shown, `the directory cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`));
    return;
  }
  const entries = listed.sort(byText((e) => e.name));
  const chain = [...ancestors, real];
  for (const entry of entries) {
    const full = path.join(shown, entry.name);
    const entryReal = path.join(real, entry.name);
    if (entry.isSymbolicLink()) {
      followLink(full, entry.name, chain, walk);
    } else if (entry.isDirectory()) {
      if (!isSkippedDirectory(entry.name)) walkDirectory(full, entryReal, chain, walk);
    } else if (entry.isFile()) {
      if (isManifestName(entry.name)) addFile(full, entryReal, walk);
    } else if (isManifestName(entry.name)) {
      walk.problems.push(problemAt(full, `a manifest must be a regular file; this is ${describeFileType(entry)}`));
    }
  }
}

function followLink(full: string, name: string, ancestors: readonly string[], walk: Walk): void {
  const target = readlinkSync(full);
  const link = `symbolic link to \`${target}\``;
  let real: string;
  let stats: Stats;
  try {
    real = realpathSync(full);
    stats = statSync(real);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    // A dangling link could have been a directory of manifests: refused whatever its name, bar skipped ones.
    if (isSkippedDirectory(name) && !isManifestName(name)) return;
    if (code === 'ELOOP') walk.problems.push(problemAt(full, `${link} is a loop of symbolic links`));
    else if (code === 'ENOENT' || code === 'ENOTDIR') walk.problems.push(problemAt(full, `${link} is dangling: its target does not exist`));
    else walk.problems.push(problemAt(full, `${link} cannot be followed (${code ?? String(cause)})`));
    return;
  }
  if (stats.isDirectory()) {
    if (isSkippedDirectory(name)) return;
    if (!isInside(real, walk.realRoot)) walk.problems.push(problemAt(full, `${link} leads outside the manifests tree; only links inside it are followed`));
    else if (ancestors.includes(real)) walk.problems.push(problemAt(full, `${link} leads back to a directory that holds it: a loop`));
    else if (!walk.seenDirectories.has(real)) walkDirectory(full, real, ancestors, walk);
    return;
  }
  if (!isManifestName(name)) return;
  if (!isInside(real, walk.realRoot)) walk.problems.push(problemAt(full, `${link} leads outside the manifests tree; only links inside it are followed`));
  else if (!stats.isFile()) walk.problems.push(problemAt(full, `a manifest must be a regular file; this ${link} leads to ${describeFileType(stats)}`));
  else addFile(full, real, walk);
}

export function findManifestFiles(paths: readonly string[], cwd: string): ManifestFiles {
  const result: ManifestFiles = { files: [], problems: [] };
  const seenFiles = new Set<string>();
  paths.forEach((given, index) => {
    const absolute = path.resolve(cwd, given);
    let real: string;
    let isDirectory: boolean;
    try {
      real = realpathSync(absolute);
      isDirectory = statSync(real).isDirectory();
    } catch {
      result.problems.push({ file: absolute, line: 1, column: 1, message: 'no such file or directory' });
      return;
    }
    const root = isDirectory ? absolute : path.dirname(absolute);
    const realRoot = isDirectory ? real : path.dirname(real);
    const walk: Walk = { root, realRoot, out: result.files, problems: result.problems, seenFiles, seenDirectories: new Set() };
    if (isDirectory) {
      if (index === 0) result.rootDirectory = absolute;
      walkDirectory(absolute, real, [], walk);
    } else {
      // A file named explicitly is read whatever its extension; its tree is its directory.
      addFile(absolute, real, walk);
    }
  });
  return result;
}
