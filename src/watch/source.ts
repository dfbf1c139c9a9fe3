// Where each watch run reads its manifests from: a local path (reported with the commit of its checkout, if
// any), or a git repository synced into the cache before every run, so a push is picked up by the next run.

import * as path from 'node:path';
import { checkoutFacts } from '../git/checkout.js';
import { syncRepository } from '../git/sync.js';
import { UserError } from '../errors.js';

export type SourceOptions =
  | { path: string }
  | { gitUrl: string; gitRef?: string; gitPath?: string; cacheDir: string };

export interface ManifestCheckout {
  /** The directory to load manifests from. */
  dir: string;
  /** The commit checked, for reports; undefined for a local path outside git. */
  commit?: string;
}

export type ManifestSource = () => Promise<ManifestCheckout>;

/**
 * The git cache: `DSS_GITOPS_CACHE_DIR`, else `$XDG_CACHE_HOME/dss-gitops`, else `.dss-gitops/cache` under the
 * working directory (the one place a read-only container is sure to have mounted writable).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.DSS_GITOPS_CACHE_DIR) return path.resolve(cwd, env.DSS_GITOPS_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(cwd, env.XDG_CACHE_HOME), 'dss-gitops');
  return path.join(cwd, '.dss-gitops', 'cache');
}

export function createManifestSource(options: SourceOptions): ManifestSource {
  if ('path' in options) {
    const dir = path.resolve(options.path);
    return async () => {
      // Read from the checkout's files where it can be, not by a git process every tick.
      const { commit } = await checkoutFacts(dir);
      return commit === undefined ? { dir } : { dir, commit };
    };
  }
  if (options.gitUrl.trim() === '') throw new UserError('watch-bad-git-url', '--git-url must not be empty');
  return async () => {
    const synced = await syncRepository({
      url: options.gitUrl,
      cacheDir: options.cacheDir,
      ...(options.gitRef === undefined ? {} : { ref: options.gitRef }),
      ...(options.gitPath === undefined ? {} : { path: options.gitPath }),
    });
    return { dir: synced.dir, commit: synced.commit };
  };
}
