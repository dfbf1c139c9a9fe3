// Keeps a local copy of a manifest repository for `watch --git-url`: cloned once into a cache directory, then
// fetched and hard-checked-out at the requested ref on every run, so each run sees exactly one commit.

import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import { gitError, redactUrl, unknownRefError } from './errors.js';
import { UserError } from '../errors.js';

export interface SyncOptions {
  /** A remote URL, a local path or a file:// URL. */
  url: string;
  /** Branch, tag or commit; defaults to the remote's default branch (HEAD). */
  ref?: string;
  /** Sub-directory of the repository that holds the manifests. */
  path?: string;
  /** Where clones are kept between runs. */
  cacheDir: string;
}

export interface SyncResult {
  /** The manifest directory inside the checkout (the checkout root when no `path` was given). */
  dir: string;
  /** The checkout root. */
  repoDir: string;
  commit: string;
}

/** No stall longer than this without output from git; a hung fetch must not stall the controller for ever. */
const BLOCK_TIMEOUT_MS = 300_000;

/**
 * git for the sync, killed when it stalls (a hung connection, or a credential prompt nobody will answer). The
 * process environment is inherited as is, so the usual ways to authenticate (GIT_ASKPASS, GIT_SSH_COMMAND, a
 * credential helper set through GIT_CONFIG_COUNT) work unchanged.
 */
function syncGit(baseDir?: string): SimpleGit {
  return simpleGit({ ...(baseDir === undefined ? {} : { baseDir }), timeout: { block: BLOCK_TIMEOUT_MS } });
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

/** One clone per URL; the name is a hash so that any URL maps to a safe directory name. */
function cloneDirFor(cacheDir: string, url: string): string {
  const digest = createHash('sha256').update(url).digest('hex').slice(0, 16);
  return path.join(path.resolve(cacheDir), `repo-${digest}`);
}

/** Local paths are cloned as given; relative ones are taken from the current directory. */
function normalizeUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\\]+@[^:]+:/.test(url)) return url;
  return path.resolve(url);
}

async function ensureClone(url: string, dir: string): Promise<SimpleGit> {
  if (await exists(path.join(dir, '.git'))) return syncGit(dir);
  // A directory without .git is the remains of an interrupted clone: start again.
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  try {
    await syncGit().clone(url, dir, ['--no-checkout']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw gitError('clone', redactUrl(url), error, 'remote');
  }
  return syncGit(dir);
}

async function fetchAll(git: SimpleGit, url: string): Promise<void> {
  try {
    // The URL is set on every run so that a changed --git-url never silently keeps reading the old remote.
    await git.remote(['set-url', 'origin', url]);
    await git.raw([
      'fetch',
      '--prune',
      '--prune-tags',
      '--tags',
      '--force',
      'origin',
      '+refs/heads/*:refs/remotes/origin/*',
    ]);
    await git.raw(['remote', 'set-head', 'origin', '--auto']).catch(() => undefined);
  } catch (error) {
    throw gitError('fetch', redactUrl(url), error, 'remote');
  }
}

async function tryResolve(git: SimpleGit, rev: string): Promise<string | undefined> {
  try {
    const sha = (await git.revparse(['--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])).trim();
    return sha === '' ? undefined : sha;
  } catch {
    return undefined;
  }
}

/** Branch first (a branch must follow the remote, not a stale local ref), then tag or commit. */
async function resolveRef(git: SimpleGit, ref: string | undefined, url: string): Promise<string> {
  const where = redactUrl(url);
  if (ref === undefined || ref === '') {
    const sha = await tryResolve(git, 'refs/remotes/origin/HEAD');
    if (sha === undefined) throw new UserError('git-no-default-branch', `${where} has no default branch; pass --git-ref`);
    return sha;
  }
  if (ref.startsWith('-')) throw unknownRefError(ref, where);
  const candidates = [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`, ref];
  for (const candidate of candidates) {
    const sha = await tryResolve(git, candidate);
    if (sha !== undefined) return sha;
  }
  // A commit that no branch or tag points at: ask the remote for it directly (servers allow this for reachable ids).
  if (/^[0-9a-f]{7,64}$/i.test(ref)) {
    try {
      await git.raw(['fetch', 'origin', ref]);
      const sha = await tryResolve(git, 'FETCH_HEAD');
      if (sha !== undefined) return sha;
    } catch (error) {
      throw unknownRefError(ref, where, error);
    }
  }
  throw unknownRefError(ref, where);
}

/**
 * Clones `url` into the cache (first call), fetches, and checks out `ref` with every local change discarded.
 * Returns the manifest directory and the commit it holds.
 */
export async function syncRepository(options: SyncOptions): Promise<SyncResult> {
  if (options.url.trim() === '' || options.url.startsWith('-')) {
    throw new UserError('git-bad-url', `--git-url "${redactUrl(options.url)}" is not a repository URL or path`);
  }
  const url = normalizeUrl(options.url);
  const repoDir = cloneDirFor(options.cacheDir, url);
  const git = await ensureClone(url, repoDir);
  await fetchAll(git, url);
  const commit = await resolveRef(git, options.ref, url);
  try {
    await git.raw(['checkout', '--force', '--detach', commit]);
    // The cache is ours alone: anything left by an earlier run (or a crash) must not leak into this one.
    await git.raw(['clean', '-ffdx']);
  } catch (error) {
    throw gitError('checkout', repoDir, error);
  }
  const dir = options.path === undefined ? repoDir : path.resolve(repoDir, options.path);
  if (path.relative(repoDir, dir).startsWith('..')) {
    throw new UserError('git-path-outside', `--git-path ${options.path ?? ''} points outside the repository`);
  }
  if (!(await exists(dir))) {
    throw new UserError(
      'git-path-missing',
      `--git-path ${options.path ?? ''} does not exist in ${redactUrl(url)} at ${commit.slice(0, 12)}`,
    );
  }
  return { dir, repoDir, commit };
}
