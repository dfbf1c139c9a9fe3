// Questions about the git checkout that holds the manifests, asked of git: where its root is, whether it has local
// changes, which files changed since a ref (for `plan --changed-since`) and a file at a ref. Its root, commit and
// origin as a run records them are checkout.ts's.

import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import { gitError, unknownRefError } from './errors.js';
import { UserError } from '../errors.js';

/** A git client rooted at a directory; for a file, its directory. */
async function gitAt(target: string): Promise<{ git: SimpleGit; dir: string } | undefined> {
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) return undefined;
  const dir = info.isDirectory() ? absolute : path.dirname(absolute);
  return { git: simpleGit({ baseDir: dir }), dir };
}

/** The top-level directory of the checkout containing `target`, or undefined outside a git checkout. */
export async function findRepoRoot(target: string): Promise<string | undefined> {
  const at = await gitAt(target);
  if (at === undefined) return undefined;
  try {
    const root = (await at.git.revparse(['--show-toplevel'])).trim();
    return root === '' ? undefined : path.resolve(root);
  } catch {
    return undefined;
  }
}

/**
 * Whether anything under `target` differs from HEAD (modified, staged, deleted or untracked files), so that a
 * recorded commit is not mistaken for the whole truth. False outside a git checkout.
 */
export async function isDirty(target: string): Promise<boolean> {
  const at = await gitAt(target);
  if (at === undefined) return false;
  if ((await findRepoRoot(at.dir)) === undefined) return false;
  try {
    const out = await at.git.raw(['status', '--porcelain', '--untracked-files=all', '--', path.resolve(target)]);
    return out.trim() !== '';
  } catch (error) {
    throw gitError('status', at.dir, error);
  }
}

/** Resolves a branch, tag or commit to a commit id; UserError when it names nothing. */
export async function resolveCommit(git: SimpleGit, ref: string, where: string): Promise<string> {
  if (ref.startsWith('-')) throw unknownRefError(ref, where);
  try {
    const sha = (await git.revparse(['--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
    if (sha === '') throw unknownRefError(ref, where);
    return sha;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw unknownRefError(ref, where, error);
  }
}

function splitNul(out: string): string[] {
  return out.split('\0').filter((name) => name !== '');
}

/**
 * Files that differ between `gitRef` and the working tree, plus untracked files, as sorted absolute paths.
 * Deleted files are included: a manifest that disappeared is a change too.
 */
export async function changedFilesSince(repoRoot: string, gitRef: string): Promise<string[]> {
  const root = await findRepoRoot(repoRoot);
  if (root === undefined) {
    throw new UserError('git-not-a-repository', `--changed-since needs a git checkout, and ${repoRoot} is not in one`);
  }
  const git = simpleGit({ baseDir: root });
  const commit = await resolveCommit(git, gitRef, root);
  let diff: string;
  let untracked: string;
  try {
    // -z: names unquoted and NUL-separated, whatever characters they hold.
    diff = await git.raw(['diff', '--name-only', '-z', '--no-renames', commit, '--']);
    untracked = await git.raw(['ls-files', '--others', '--exclude-standard', '-z']);
  } catch (error) {
    throw gitError('diff', root, error);
  }
  const names = new Set([...splitNul(diff), ...splitNul(untracked)]);
  return [...names].map((name) => path.join(root, name)).sort();
}

/** The content of `file` (absolute or relative to the repository root) at `ref`, or undefined if absent there. */
export async function readFileAtRef(repoRoot: string, ref: string, file: string): Promise<string | undefined> {
  const root = await findRepoRoot(repoRoot);
  if (root === undefined) throw new UserError('git-not-a-repository', `${repoRoot} is not in a git checkout`);
  const git = simpleGit({ baseDir: root });
  const commit = await resolveCommit(git, ref, root);
  const relative = path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
  if (relative.startsWith('..')) throw new UserError('git-outside-repository', `${file} is outside ${root}`);
  const listed = await git.raw(['ls-tree', '--name-only', commit, '--', relative]);
  if (listed.trim() === '') return undefined;
  try {
    return await git.show([`${commit}:${relative}`]);
  } catch (error) {
    throw gitError('show', root, error);
  }
}
