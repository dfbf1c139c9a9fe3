import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkoutFacts } from '../../src/git/checkout.js';
import { createBranchAndCommit } from '../../src/git/commit.js';
import {
  changedFilesSince,
  findRepoRoot,
  isDirty,
  readFileAtRef,
} from '../../src/git/repository.js';
import { DssGitopsError, UserError } from '../../src/errors.js';

let root: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
}

async function put(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), content);
}

function commitAll(message: string): string {
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

beforeEach(async () => {
  // realpath: on some systems tmpdir is a symlink and git reports the resolved path.
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'dss-gitops-git-')));
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test');
  git('config', 'user.email', 'test@example.com');
  git('config', 'commit.gpgsign', 'false');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('findRepoRoot and the commit checked out', () => {
  it('finds the root from a nested directory or file and reports the commit checked out', async () => {
    await put('manifests/projects/churn.yaml', 'kind: Project\n');
    const sha = commitAll('first');
    expect(await findRepoRoot(path.join(root, 'manifests/projects'))).toBe(root);
    expect(await findRepoRoot(path.join(root, 'manifests/projects/churn.yaml'))).toBe(root);
    expect((await checkoutFacts(path.join(root, 'manifests'))).commit).toBe(sha);
  });

  it('returns undefined outside a git checkout and before the first commit', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'dss-gitops-nogit-'));
    try {
      expect(await findRepoRoot(outside)).toBeUndefined();
      expect((await checkoutFacts(outside)).commit).toBeUndefined();
      expect(await isDirty(outside)).toBe(false);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
    expect((await checkoutFacts(root)).commit).toBeUndefined();
    expect(await findRepoRoot(path.join(root, 'does-not-exist'))).toBeUndefined();
  });
});

describe('isDirty', () => {
  it('sees modified and untracked files, only under the path asked about', async () => {
    await put('manifests/a.yaml', 'a: 1\n');
    await put('other/b.txt', 'b\n');
    commitAll('first');
    expect(await isDirty(root)).toBe(false);

    await put('other/b.txt', 'changed\n');
    expect(await isDirty(root)).toBe(true);
    expect(await isDirty(path.join(root, 'manifests'))).toBe(false);

    await put('manifests/new.yaml', 'n: 1\n');
    expect(await isDirty(path.join(root, 'manifests'))).toBe(true);
  });
});

describe('changedFilesSince', () => {
  it('lists modified, added, deleted and untracked files as sorted absolute paths', async () => {
    await put('m/keep.yaml', 'k: 1\n');
    await put('m/edit.yaml', 'e: 1\n');
    await put('m/gone.yaml', 'g: 1\n');
    commitAll('base');
    git('tag', 'base');

    await put('m/edit.yaml', 'e: 2\n');
    await put('m/added.yaml', 'a: 1\n');
    commitAll('second');
    git('rm', '-q', 'm/gone.yaml');
    await put('m/untracked file.yaml', 'u: 1\n');
    await put('.gitignore', 'ignored.yaml\n');
    await put('ignored.yaml', 'i: 1\n');

    const changed = await changedFilesSince(root, 'base');
    expect(changed).toEqual(
      ['.gitignore', 'm/added.yaml', 'm/edit.yaml', 'm/gone.yaml', 'm/untracked file.yaml'].map((f) => path.join(root, f)),
    );
  });

  it('accepts a commit id and a branch, and is empty when nothing changed', async () => {
    await put('a.yaml', 'a: 1\n');
    const sha = commitAll('one');
    expect(await changedFilesSince(root, sha)).toEqual([]);
    expect(await changedFilesSince(path.join(root), 'main')).toEqual([]);
  });

  it('rejects an unknown ref and a directory outside git with user errors', async () => {
    await put('a.yaml', 'a: 1\n');
    commitAll('one');
    await expect(changedFilesSince(root, 'no-such-branch')).rejects.toMatchObject({
      code: 'git-unknown-ref',
      fault: 'user',
    });
    await expect(changedFilesSince(root, '--output=/tmp/x')).rejects.toBeInstanceOf(UserError);
    const outside = await mkdtemp(path.join(tmpdir(), 'dss-gitops-nogit-'));
    await expect(changedFilesSince(outside, 'main')).rejects.toMatchObject({ code: 'git-not-a-repository' });
    await rm(outside, { recursive: true, force: true });
  });
});

describe('readFileAtRef', () => {
  it('reads a file as it was at a ref, and undefined where it did not exist', async () => {
    await put('m/a.yaml', 'v: 1\n');
    const first = commitAll('one');
    await put('m/a.yaml', 'v: 2\n');
    commitAll('two');
    expect(await readFileAtRef(root, first, 'm/a.yaml')).toBe('v: 1\n');
    expect(await readFileAtRef(root, 'main', path.join(root, 'm/a.yaml'))).toBe('v: 2\n');
    expect(await readFileAtRef(root, first, 'm/missing.yaml')).toBeUndefined();
  });
});

describe('createBranchAndCommit', () => {
  it('commits only the given files on a new branch, leaving other changes uncommitted', async () => {
    await put('m/deploy.yaml', 'bundleId: v1\n');
    await put('notes.txt', 'n\n');
    const base = commitAll('base');
    await put('notes.txt', 'local edit\n');

    const result = await createBranchAndCommit({
      repoRoot: path.join(root, 'm'),
      branch: 'promote/v2',
      files: [{ path: 'm/deploy.yaml', content: 'bundleId: v2\n' }, { path: 'm/new/infra.yaml', content: 'stage: prod\n' }],
      message: 'Promote bundle v2',
    });

    expect(result.branch).toBe('promote/v2');
    expect(git('rev-parse', 'HEAD')).toBe(result.commit);
    expect(git('rev-parse', 'HEAD^')).toBe(base);
    expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('promote/v2');
    expect(git('log', '-1', '--format=%s')).toBe('Promote bundle v2');
    expect(git('show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual(['m/deploy.yaml', 'm/new/infra.yaml']);
    expect(git('status', '--porcelain')).toBe('M notes.txt');
    expect(await readFile(path.join(root, 'm/deploy.yaml'), 'utf8')).toBe('bundleId: v2\n');
  });

  it('uses the given author and refuses an existing branch, a bad name, unchanged files and paths outside', async () => {
    await put('a.yaml', 'a: 1\n');
    commitAll('base');
    git('branch', 'taken');
    const base = { repoRoot: root, message: 'm' };
    await expect(createBranchAndCommit({ ...base, branch: 'taken', files: [{ path: 'a.yaml', content: 'a: 2\n' }] }))
      .rejects.toMatchObject({ code: 'git-branch-exists' });
    await expect(createBranchAndCommit({ ...base, branch: 'bad..name', files: [{ path: 'a.yaml' }] }))
      .rejects.toMatchObject({ code: 'git-bad-branch' });
    await expect(createBranchAndCommit({ ...base, branch: 'x', files: [{ path: '../escape.yaml', content: '' }] }))
      .rejects.toMatchObject({ code: 'git-outside-repository' });
    await expect(createBranchAndCommit({ ...base, branch: 'same', files: [{ path: 'a.yaml', content: 'a: 1\n' }] }))
      .rejects.toMatchObject({ code: 'git-nothing-to-commit' });

    git('checkout', '-q', 'main');
    const done = await createBranchAndCommit({
      ...base,
      branch: 'bot-change',
      files: [{ path: 'a.yaml', content: 'a: 3\n' }],
      author: { name: 'Release Bot', email: 'bot@example.com' },
    });
    expect(git('log', '-1', '--format=%an <%ae>', done.commit)).toBe('Release Bot <bot@example.com>');
  });

  it('reports a failing commit (here a rejecting pre-commit hook) as a DssGitopsError naming the operation', async () => {
    await put('a.yaml', 'a: 1\n');
    commitAll('base');
    await put('.git/hooks/pre-commit', '#!/bin/sh\necho "policy says no" >&2\nexit 1\n');
    execFileSync('chmod', ['+x', path.join(root, '.git/hooks/pre-commit')]);
    const failure = createBranchAndCommit({ repoRoot: root, branch: 'b', files: [{ path: 'a.yaml', content: 'x' }], message: 'm' });
    await expect(failure).rejects.toBeInstanceOf(DssGitopsError);
    await expect(failure).rejects.toMatchObject({ code: 'git-failed', message: expect.stringMatching(/^git commit failed in .*policy says no/) });
  });
});
