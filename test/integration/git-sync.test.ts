import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncRepository } from '../../src/git/sync.js';
import { redactUrl } from '../../src/git/errors.js';
import { createTestRepository, type TestRepository } from '../helpers/git.js';

let repo: TestRepository;
let origin: string;
let cacheDir: string;

const git = (...args: string[]): string => repo.git(...args);

const commitFile = (file: string, content: string, message: string): Promise<string> => repo.commitFile(file, content, message);

beforeEach(async () => {
  repo = createTestRepository('dss-gitops-origin-');
  origin = repo.dir;
  cacheDir = await mkdtemp(path.join(tmpdir(), 'dss-gitops-cache-'));
});

afterEach(async () => {
  await repo.remove();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('syncRepository', () => {
  it('clones once, then picks up a new commit of the branch on the next call', async () => {
    const first = await commitFile('manifests/project.yaml', 'v: 1\n', 'one');
    const run1 = await syncRepository({ url: origin, ref: 'main', path: 'manifests', cacheDir });
    expect(run1.commit).toBe(first);
    expect(run1.dir).toBe(path.join(run1.repoDir, 'manifests'));
    expect(await readFile(path.join(run1.dir, 'project.yaml'), 'utf8')).toBe('v: 1\n');
    // A marker inside .git survives only if the second call reuses the clone instead of cloning again.
    await writeFile(path.join(run1.repoDir, '.git', 'marker'), 'first clone');

    const second = await commitFile('manifests/project.yaml', 'v: 2\n', 'two');
    const run2 = await syncRepository({ url: origin, ref: 'main', path: 'manifests', cacheDir });
    expect(run2.commit).toBe(second);
    expect(run2.repoDir).toBe(run1.repoDir);
    expect(await readFile(path.join(run2.repoDir, '.git', 'marker'), 'utf8')).toBe('first clone');
    expect(await readFile(path.join(run2.dir, 'project.yaml'), 'utf8')).toBe('v: 2\n');
  });

  it('discards local edits and stray files in the cache on every call', async () => {
    await commitFile('m/a.yaml', 'v: 1\n', 'one');
    const run1 = await syncRepository({ url: origin, ref: 'main', cacheDir });
    await writeFile(path.join(run1.dir, 'm/a.yaml'), 'tampered\n');
    await writeFile(path.join(run1.dir, 'm/stray.yaml'), 'x\n');
    const run2 = await syncRepository({ url: origin, ref: 'main', cacheDir });
    expect(await readFile(path.join(run2.dir, 'm/a.yaml'), 'utf8')).toBe('v: 1\n');
    await expect(stat(path.join(run2.dir, 'm/stray.yaml'))).rejects.toThrow();
  });

  it('checks out a tag, a commit id, another branch, and the default branch; accepts a file:// URL', async () => {
    const first = await commitFile('a.yaml', 'v: 1\n', 'one');
    git('tag', 'v1');
    await commitFile('a.yaml', 'v: 2\n', 'two');
    git('checkout', '-q', '-b', 'release');
    const onRelease = await commitFile('a.yaml', 'v: release\n', 'three');
    git('checkout', '-q', 'main');
    const url = pathToFileURL(origin).href;

    const byTag = await syncRepository({ url, ref: 'v1', cacheDir });
    expect(byTag.commit).toBe(first);
    expect(await readFile(path.join(byTag.dir, 'a.yaml'), 'utf8')).toBe('v: 1\n');
    expect((await syncRepository({ url, ref: first, cacheDir })).commit).toBe(first);
    expect((await syncRepository({ url, ref: 'release', cacheDir })).commit).toBe(onRelease);
    expect((await syncRepository({ url, cacheDir })).commit).toBe(git('rev-parse', 'main'));
  });

  it('follows a branch that was force-pushed to an unrelated history', async () => {
    await commitFile('a.yaml', 'v: 1\n', 'one');
    await syncRepository({ url: origin, ref: 'main', cacheDir });
    git('checkout', '-q', '--orphan', 'fresh');
    const rewritten = await commitFile('a.yaml', 'v: rewritten\n', 'rewrite');
    git('branch', '-q', '-M', 'fresh', 'main');
    const run = await syncRepository({ url: origin, ref: 'main', cacheDir });
    expect(run.commit).toBe(rewritten);
  });

  it('fails with user errors for an unknown ref or a missing path, and a remote error for a bad URL', async () => {
    await commitFile('a.yaml', 'v: 1\n', 'one');
    await expect(syncRepository({ url: origin, ref: 'nope', cacheDir })).rejects.toMatchObject({
      code: 'git-unknown-ref',
      fault: 'user',
    });
    await expect(syncRepository({ url: origin, ref: 'main', path: 'missing', cacheDir })).rejects.toMatchObject({
      code: 'git-path-missing',
    });
    await expect(syncRepository({ url: origin, ref: 'main', path: '../..', cacheDir })).rejects.toMatchObject({
      code: 'git-path-outside',
    });
    await expect(
      syncRepository({ url: path.join(origin, 'not-a-repo'), ref: 'main', cacheDir }),
    ).rejects.toMatchObject({ code: 'git-failed', fault: 'remote', message: expect.stringMatching(/^git clone failed/) });
  });
});

describe('credentials in the URL', () => {
  it('never appear in the error of a failed clone', async () => {
    const failure = syncRepository({ url: 'http://bot:s3cret-token@127.0.0.1:1/org/repo.git', ref: 'main', cacheDir });
    await expect(failure).rejects.toMatchObject({ code: 'git-failed', fault: 'remote' });
    const error = (await failure.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('http://***@127.0.0.1:1/org/repo.git');
    expect(error.message).not.toContain('s3cret');
  });

  it('refuses a URL that git would take for an option', async () => {
    await expect(syncRepository({ url: '--upload-pack=touch /tmp/x', cacheDir })).rejects.toMatchObject({ code: 'git-bad-url' });
  });
});

describe('redactUrl', () => {
  it('hides credentials in remote URLs and leaves others alone', () => {
    expect(redactUrl('https://bot:s3cret@git.example.com/org/repo.git')).toBe('https://***@git.example.com/org/repo.git');
    expect(redactUrl('https://git.example.com/org/repo.git')).toBe('https://git.example.com/org/repo.git');
    expect(redactUrl('/srv/repo')).toBe('/srv/repo');
  });
});
