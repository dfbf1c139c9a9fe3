// Writes files on a new branch and commits them: the local half of `promote --commit`, which proposes the
// promoted bundle ids as a change to the manifests instead of leaving the repository behind DSS.

import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import { gitError } from './errors.js';
import { findRepoRoot } from './repository.js';
import { UserError } from '../errors.js';

export interface FileToCommit {
  /** Absolute, or relative to the repository root. */
  path: string;
  /** Written before committing; when absent the file is committed as it is in the working tree. */
  content?: string;
}

export interface BranchCommitOptions {
  repoRoot: string;
  branch: string;
  files: FileToCommit[];
  message: string;
  /** Overrides the repository's user.name/user.email, e.g. for a CI bot. */
  author?: { name: string; email: string };
}

/**
 * Creates `branch` from HEAD, checks it out (like `git checkout -b`), writes and stages `files`, and commits only
 * them: other local changes are left alone and uncommitted.
 */
export async function createBranchAndCommit(options: BranchCommitOptions): Promise<{ branch: string; commit: string }> {
  const root = await findRepoRoot(options.repoRoot);
  if (root === undefined) throw new UserError('git-not-a-repository', `${options.repoRoot} is not in a git checkout`);
  if (options.files.length === 0) throw new UserError('git-nothing-to-commit', 'no files were given to commit');
  const config = options.author === undefined ? [] : [`user.name=${options.author.name}`, `user.email=${options.author.email}`];
  const git = simpleGit({ baseDir: root, config });

  try {
    await git.raw(['check-ref-format', '--branch', options.branch]);
  } catch (error) {
    throw new UserError('git-bad-branch', `"${options.branch}" is not a valid branch name`, { cause: error });
  }
  const existing = (await git.raw(['branch', '--list', options.branch])).trim();
  if (existing !== '') throw new UserError('git-branch-exists', `branch ${options.branch} already exists in ${root}`);

  const relativePaths = options.files.map((file) => {
    const absolute = path.resolve(root, file.path);
    const relative = path.relative(root, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new UserError('git-outside-repository', `${file.path} is outside ${root}`);
    }
    return { absolute, relative, content: file.content };
  });

  try {
    await git.raw(['checkout', '-b', options.branch]);
  } catch (error) {
    throw gitError('checkout -b', root, error, 'user');
  }
  for (const file of relativePaths) {
    if (file.content === undefined) continue;
    await mkdir(path.dirname(file.absolute), { recursive: true });
    await writeFile(file.absolute, file.content);
  }
  const pathspecs = relativePaths.map((file) => file.relative);
  try {
    await git.raw(['add', '--', ...pathspecs]);
    const staged = (await git.raw(['diff', '--cached', '--name-only', '--', ...pathspecs])).trim();
    if (staged === '') throw new UserError('git-nothing-to-commit', 'the files are unchanged: nothing to commit');
    await git.raw(['commit', '--quiet', '-m', options.message, '--', ...pathspecs]);
    const commit = (await git.revparse(['HEAD'])).trim();
    return { branch: options.branch, commit };
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw gitError('commit', root, error, 'user');
  }
}
