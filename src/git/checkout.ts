// The checkout holding a run's manifests, as the run records it (its root, the commit checked out, the `origin`
// URL): read from the files when the layout is the plain one (plain-checkout.ts), else asked of git, with its three
// questions started at once and in the call itself, so that they run while the caller goes on (loading manifests).

import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { readPlainCheckout, type CheckoutFacts } from './plain-checkout.js';

export type { CheckoutFacts } from './plain-checkout.js';

/** One git question; undefined when git fails or answers nothing. */
function ask(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd: dir, env, encoding: 'utf8', windowsHide: true }, (error, stdout) => {
      const answer = error ? '' : stdout.trim();
      resolve(answer === '' ? undefined : answer);
    });
  });
}

/**
 * git's answers: `rev-parse --show-toplevel`, `rev-parse --verify --quiet HEAD` and `remote get-url origin`, from
 * the directory of `target` (the remote is the repository's, asked from anywhere inside it).
 */
export function askGitAboutCheckout(target: string, env: NodeJS.ProcessEnv = process.env): Promise<CheckoutFacts> {
  const absolute = path.resolve(target);
  let dir: string;
  try {
    dir = statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
  } catch {
    return Promise.resolve({});
  }
  const root = ask(dir, ['rev-parse', '--show-toplevel'], env);
  const commit = ask(dir, ['rev-parse', '--verify', '--quiet', 'HEAD'], env);
  const origin = ask(dir, ['remote', 'get-url', 'origin'], env);
  return Promise.all([root, commit, origin]).then(([top, sha, url]) => {
    if (top === undefined) return {};
    return { root: path.resolve(top), ...(sha === undefined ? {} : { commit: sha }), ...(url === undefined ? {} : { origin: url }) };
  });
}

/** The facts about the checkout holding `target` (a directory or a file); all undefined outside a checkout. */
export function checkoutFacts(target: string, env: NodeJS.ProcessEnv = process.env): Promise<CheckoutFacts> {
  const plain = readPlainCheckout(target, env);
  return plain === undefined ? askGitAboutCheckout(target, env) : Promise.resolve(plain);
}
