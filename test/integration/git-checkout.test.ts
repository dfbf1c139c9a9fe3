// The checkout facts a run records (root, commit, origin) read from the .git directory must be git's own answers;
// where the layout is not the plain one, the files are not read and git is asked.

import { chownSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askGitAboutCheckout, checkoutFacts } from '../../src/git/checkout.js';
import { parseConfig, readPlainCheckout } from '../../src/git/plain-checkout.js';
import { createTestRepository, type TestRepository } from '../helpers/git.js';

let repo: TestRepository;
let home: string;
let env: NodeJS.ProcessEnv;
const cleanup: string[] = [];

beforeEach(() => {
  repo = createTestRepository('dss-gitops-checkout-');
  // No user configuration: a machine's ~/.gitconfig would otherwise decide what these tests see.
  home = mkdtempSync(path.join(tmpdir(), 'dss-gitops-home-'));
  env = { PATH: process.env.PATH, HOME: home };
});

afterEach(async () => {
  await repo.remove();
  await rm(home, { recursive: true, force: true });
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Both answers for `target`; the read one must exist (the layout is plain) and equal git's. */
async function expectReadAsGit(target: string): Promise<ReturnType<typeof readPlainCheckout>> {
  const read = readPlainCheckout(target, env);
  const asked = await askGitAboutCheckout(target, env);
  expect(read).toBeDefined();
  expect(read).toEqual(asked);
  return read;
}

describe('checkout facts read from the files', () => {
  it('a branch with commits and an origin: root, HEAD and URL, from a nested directory or a file', async () => {
    const sha = await repo.commitFile('manifests/projects/churn.yaml', 'kind: Project\n');
    repo.git('remote', 'add', 'origin', 'git@github.com:team/dss.git');
    const root = realpathSync(repo.dir);
    expect(await expectReadAsGit(path.join(repo.dir, 'manifests/projects'))).toEqual({ root, commit: sha, origin: 'git@github.com:team/dss.git' });
    await expectReadAsGit(path.join(repo.dir, 'manifests/projects/churn.yaml'));
    await expectReadAsGit(repo.dir);
  });

  it('a branch only in packed-refs, and a detached HEAD', async () => {
    const first = await repo.commitFile('a.yaml', 'a: 1\n');
    const second = await repo.commitFile('a.yaml', 'a: 2\n');
    repo.git('pack-refs', '--all');
    expect((await expectReadAsGit(repo.dir))?.commit).toBe(second);
    repo.git('checkout', '-q', '--detach', first);
    expect((await expectReadAsGit(repo.dir))?.commit).toBe(first);
  });

  it('no commit yet, and no origin: only the root', async () => {
    expect(await expectReadAsGit(repo.dir)).toEqual({ root: realpathSync(repo.dir) });
    repo.git('remote', 'add', 'origin', 'https://git.example.com/team/dss.git');
    expect(await expectReadAsGit(repo.dir)).toEqual({ root: realpathSync(repo.dir), origin: 'https://git.example.com/team/dss.git' });
  });

  it('a path reached through a symbolic link: the resolved root, as git gives it', async () => {
    await repo.commitFile('m/a.yaml', 'a: 1\n');
    const links = mkdtempSync(path.join(tmpdir(), 'dss-gitops-links-'));
    cleanup.push(links);
    symlinkSync(repo.dir, path.join(links, 'repo'));
    expect((await expectReadAsGit(path.join(links, 'repo', 'm')))?.root).toBe(realpathSync(repo.dir));
  });

  it('outside a checkout, or a path that does not exist: nothing', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'dss-gitops-nogit-'));
    cleanup.push(outside);
    expect(await expectReadAsGit(outside)).toEqual({});
    expect(readPlainCheckout(path.join(repo.dir, 'missing'), env)).toEqual({});
    expect(await askGitAboutCheckout(path.join(repo.dir, 'missing'), env)).toEqual({});
  });
});

// Only root can hand a repository to another owner.
describe.skipIf(process.geteuid?.() !== 0)('a repository owned by another user', () => {
  it('is read when safe.directory (global config) is `*` or names it, as git reads it; else git answers', async () => {
    const sha = await repo.commitFile('a.yaml', 'a: 1\n');
    repo.git('remote', 'add', 'origin', 'git@github.com:team/dss.git');
    chownSync(repo.dir, 12345, 12345);
    chownSync(path.join(repo.dir, '.git'), 12345, 12345);
    expect(readPlainCheckout(repo.dir, env)).toBeUndefined();
    expect(await checkoutFacts(repo.dir, env)).toEqual(await askGitAboutCheckout(repo.dir, env));

    await writeFile(path.join(home, '.gitconfig'), '[safe]\n\tdirectory = *\n');
    expect(await expectReadAsGit(repo.dir)).toEqual({ root: realpathSync(repo.dir), commit: sha, origin: 'git@github.com:team/dss.git' });
    await writeFile(path.join(home, '.gitconfig'), `[safe]\n\tdirectory = ${realpathSync(repo.dir)}\n`);
    await expectReadAsGit(repo.dir);
    // An empty value empties the list.
    await writeFile(path.join(home, '.gitconfig'), '[safe]\n\tdirectory = *\n\tdirectory =\n');
    expect(readPlainCheckout(repo.dir, env)).toBeUndefined();
    expect(await checkoutFacts(repo.dir, env)).toEqual(await askGitAboutCheckout(repo.dir, env));
  });
});

describe('layouts left to git', () => {
  it('a worktree (.git is a file): git answers', async () => {
    await repo.commitFile('a.yaml', 'a: 1\n');
    repo.git('remote', 'add', 'origin', 'git@github.com:team/dss.git');
    const worktree = path.join(mkdtempSync(path.join(tmpdir(), 'dss-gitops-wt-')), 'wt');
    cleanup.push(path.dirname(worktree));
    repo.git('worktree', 'add', '-q', '-b', 'other', worktree);
    expect(readPlainCheckout(worktree, env)).toBeUndefined();
    const facts = await checkoutFacts(worktree, env);
    expect(facts).toEqual(await askGitAboutCheckout(worktree, env));
    expect(facts).toMatchObject({ root: realpathSync(worktree), origin: 'git@github.com:team/dss.git' });
  });

  it('a URL rewritten by insteadOf, an include, several URLs, GIT_DIR: git answers', async () => {
    await repo.commitFile('a.yaml', 'a: 1\n');
    repo.git('remote', 'add', 'origin', 'gh:team/dss.git');
    repo.git('config', 'url.git@github.com:.insteadOf', 'gh:');
    expect(readPlainCheckout(repo.dir, env)).toBeUndefined();
    expect((await checkoutFacts(repo.dir, env)).origin).toBe('git@github.com:team/dss.git');

    repo.git('config', '--remove-section', 'url.git@github.com:');
    await writeFile(path.join(home, '.gitconfig'), '[url "https://mirror.example.com/"]\n\tinsteadOf = gh:\n');
    expect(readPlainCheckout(repo.dir, env)).toBeUndefined();
    expect((await checkoutFacts(repo.dir, env)).origin).toBe('https://mirror.example.com/team/dss.git');
    await rm(path.join(home, '.gitconfig'));

    repo.git('config', 'include.path', 'extra.config');
    expect(readPlainCheckout(repo.dir, env)).toBeUndefined();
    repo.git('config', '--unset', 'include.path');
    expect(readPlainCheckout(repo.dir, env)).toEqual(await askGitAboutCheckout(repo.dir, env));

    repo.git('config', '--add', 'remote.origin.url', 'git@github.com:team/other.git');
    expect(readPlainCheckout(repo.dir, env)).toBeUndefined();
    expect(await checkoutFacts(repo.dir, env)).toEqual(await askGitAboutCheckout(repo.dir, env));

    const elsewhere = mkdtempSync(path.join(tmpdir(), 'dss-gitops-gitdir-'));
    cleanup.push(elsewhere);
    expect(readPlainCheckout(elsewhere, { ...env, GIT_DIR: path.join(repo.dir, '.git') })).toBeUndefined();
    // Under sudo, git checks the owner against SUDO_UID (safe.directory): its answer, not ours.
    expect(readPlainCheckout(repo.dir, { ...env, SUDO_UID: '12345' })).toBeUndefined();
  });

  it('without git on PATH: no answer, as before the files were read', async () => {
    await repo.commitFile('a.yaml', 'a: 1\n');
    const noGit = { ...env, PATH: home };
    expect(readPlainCheckout(repo.dir, noGit)).toBeUndefined();
    expect(await checkoutFacts(repo.dir, noGit)).toEqual({});
  });

  it('a HEAD that is a symbolic ref to a symbolic ref, and a quoted value: git answers', async () => {
    const sha = await repo.commitFile('a.yaml', 'a: 1\n');
    repo.git('symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
    repo.git('symbolic-ref', 'HEAD', 'refs/heads/alias');
    expect(readPlainCheckout(repo.dir, env)).toBeUndefined();
    expect((await checkoutFacts(repo.dir, env)).commit).toBe(sha);

    repo.git('symbolic-ref', 'HEAD', 'refs/heads/main');
    writeFileSync(path.join(repo.dir, '.git', 'config'), '[core]\n\tbare = false\n[remote "origin"]\n\turl = "git@github.com:team/dss.git"\n');
    expect(readPlainCheckout(repo.dir, env)).toBeUndefined();
    expect((await checkoutFacts(repo.dir, env)).origin).toBe('git@github.com:team/dss.git');
  });
});

describe('parseConfig', () => {
  it('reads sections, subsections and keys, lowercases names, ends a value at a comment', () => {
    expect(parseConfig('# c\n[Remote "Origin"] ; c\n\tURL = a/b.git # c\n\tmirror\n')).toEqual([
      { section: 'remote', subsection: 'Origin' },
      { section: 'remote', subsection: 'Origin', key: 'url', value: 'a/b.git' },
      { section: 'remote', subsection: 'Origin', key: 'mirror' },
    ]);
  });

  it('refuses what it does not read as git does: the old subsection form, escapes, a key before any section', () => {
    for (const text of ['[remote.origin]\n', '[core]\n\tx = a\\\n', '[remote "a\\"b"]\n', 'url = x\n', '[core] bare = true\n']) {
      expect(() => parseConfig(text), text).toThrow();
    }
  });
});
