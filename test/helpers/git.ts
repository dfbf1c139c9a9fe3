// Real local git repositories for tests: commands run with a fixed identity and no signing, whatever the
// machine's git configuration says.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

export interface TestRepository {
  dir: string;
  git(...args: string[]): string;
  /** Writes `file` (relative to the repository) and commits everything; returns the new HEAD. */
  commitFile(file: string, content: string, message?: string): Promise<string>;
  remove(): Promise<void>;
}

/** An empty repository on branch `main` in a new temporary directory. */
export function createTestRepository(prefix: string): TestRepository {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const run = (...args: string[]): string => git(dir, ...args);
  run('init', '-q', '-b', 'main');
  return {
    dir,
    git: run,
    async commitFile(file, content, message = `update ${file}`) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
      run('add', '-A');
      run('commit', '-q', '-m', message);
      return run('rev-parse', 'HEAD');
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
