// Reads a file that a manifest names (a scenario's `scriptFile`), confined to the manifests tree: manifests come
// from pull requests, and a path such as `../../etc/passwd` or `/proc/self/environ` would otherwise be shown in the
// plan posted on the pull request and written to DSS. Only a relative path that resolves, symbolic links followed,
// to a regular file inside the tree is read.

import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { readTextFile } from './read-text.js';

export interface TreeFileRequest {
  /** The manifests tree (a `-f` directory); nothing outside it is read. */
  root: string;
  /** The directory of the manifest that names the file: relative paths start there. */
  fromDirectory: string;
  /** The path as written in the manifest. */
  given: string;
  limit: number;
  /** Where relative paths in messages start. */
  cwd: string;
}

export type TreeFileRead = { text: string } | { reason: string };

/** Whether `file` is `directory` or below it (both absolute and normalized). */
export function isInside(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  return !path.isAbsolute(relative) && relative !== '..' && !relative.startsWith(`..${path.sep}`);
}

/**
 * Where a file a manifest names really is, symbolic links followed, or why it may not be read: not a relative path,
 * outside the tree (as written or through a link), missing, a loop of links. The one rule for every file a manifest
 * names (scripts, plugin archives).
 */
export function resolveTreeFile(request: Omit<TreeFileRequest, 'limit'>): { real: string } | { reason: string } {
  const { given } = request;
  if (given === '' || given.includes('\0')) return { reason: 'is not a file path' };
  if (path.isAbsolute(given)) return { reason: 'is an absolute path; it must be relative to the manifest, inside the manifests tree' };
  const root = path.resolve(request.root);
  const file = path.resolve(request.fromDirectory, given);
  if (!isInside(file, root)) return { reason: 'is outside the manifests tree; it must name a file inside it' };
  let real: string;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { reason: `does not exist (looked for ${path.relative(request.cwd, file)})` };
    if (code === 'ELOOP') return { reason: 'is a loop of symbolic links' };
    return { reason: `cannot be read (${code ?? String(cause)})` };
  }
  if (!isInside(real, realRoot)) return { reason: 'leads outside the manifests tree through a symbolic link; it must name a file inside it' };
  return { real };
}

export function readTreeFile(request: TreeFileRequest): TreeFileRead {
  const found = resolveTreeFile(request);
  if ('reason' in found) return found;
  const read = readTextFile(found.real, request.limit);
  return 'text' in read ? { text: read.text } : { reason: read.reason };
}
