// Finds the manifest files under the `-f` paths: every `.yaml`/`.yml`, recursively, in a stable order, skipping
// the configuration file, `node_modules` and dot-directories.

import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Problem } from './types.js';

export const CONFIG_FILE_NAMES: ReadonlySet<string> = new Set(['dss-gitops.yaml', 'dss-gitops.yml']);

export interface ManifestFile {
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

function isManifestName(name: string): boolean {
  return (name.endsWith('.yaml') || name.endsWith('.yml')) && !CONFIG_FILE_NAMES.has(name);
}

function walk(directory: string, out: string[]): void {
  const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(full, out);
    } else if (entry.isFile() && isManifestName(entry.name)) {
      out.push(full);
    }
  }
}

export function findManifestFiles(paths: readonly string[], cwd: string): ManifestFiles {
  const result: ManifestFiles = { files: [], problems: [] };
  const seen = new Set<string>();
  paths.forEach((given, index) => {
    const absolute = path.resolve(cwd, given);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(absolute).isDirectory();
    } catch {
      result.problems.push({ file: absolute, line: 1, column: 1, message: 'no such file or directory' });
      return;
    }
    const found: string[] = [];
    if (isDirectory) {
      if (index === 0) result.rootDirectory = absolute;
      walk(absolute, found);
    } else {
      // A file named explicitly is read whatever its extension.
      found.push(absolute);
    }
    const root = isDirectory ? absolute : path.dirname(absolute);
    for (const file of found) {
      if (!seen.has(file)) {
        seen.add(file);
        result.files.push({ file, root });
      }
    }
  });
  return result;
}
