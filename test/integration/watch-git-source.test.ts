import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScheduleFn } from '../../src/watch/scheduler.js';
import { createManifestSource, defaultCacheDir } from '../../src/watch/source.js';
import type { RunOutcome } from '../../src/watch/types.js';
import { startWatch } from '../../src/watch/watch.js';
import { createTestRepository, type TestRepository } from '../helpers/git.js';

let repo: TestRepository;
let origin: string;
let cacheDir: string;

const commit = (file: string, content: string): Promise<string> => repo.commitFile(file, content);

beforeEach(async () => {
  repo = createTestRepository('dss-gitops-watch-origin-');
  origin = repo.dir;
  cacheDir = await mkdtemp(path.join(tmpdir(), 'dss-gitops-watch-cache-'));
});

afterEach(async () => {
  await repo.remove();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('watch with a git source', () => {
  it('reads the new commit on the run after a push, and reports it in the outcome', async () => {
    const first = await commit('manifests/project.yaml', 'threshold: 1\n');
    const source = createManifestSource({ gitUrl: origin, gitRef: 'main', gitPath: 'manifests', cacheDir });
    const seen: Array<{ commit: string | undefined; content: string }> = [];
    let onTick: (() => void) | undefined;
    const scheduleFn: ScheduleFn = (_expression, tick) => {
      onTick = tick;
      return { stop: () => undefined };
    };
    const watch = await startWatch({
      schedule: '*/5 * * * *',
      scheduleFn,
      runOnce: async (): Promise<RunOutcome> => {
        const checkout = await source();
        seen.push({ commit: checkout.commit, content: await readFile(path.join(checkout.dir, 'project.yaml'), 'utf8') });
        return {
          startedAt: new Date().toISOString(),
          durationSeconds: 0,
          counts: {},
          drifted: [],
          ...(checkout.commit === undefined ? {} : { commit: checkout.commit }),
        };
      },
    });
    try {
      await expect.poll(() => !watch.controller.running && watch.controller.completedRuns === 1).toBe(true);
      const second = await commit('manifests/project.yaml', 'threshold: 2\n');
      onTick?.();
      await expect.poll(() => !watch.controller.running && watch.controller.completedRuns === 2, { timeout: 10_000 }).toBe(true);
      expect(seen).toEqual([
        { commit: first, content: 'threshold: 1\n' },
        { commit: second, content: 'threshold: 2\n' },
      ]);
      expect(watch.controller.lastOutcome?.commit).toBe(second);
    } finally {
      await watch.stop();
    }
  });

  it('reports the checkout commit of a local path, and none outside git', async () => {
    const sha = await commit('m/a.yaml', 'a: 1\n');
    expect(await createManifestSource({ path: path.join(origin, 'm') })()).toEqual({ dir: path.join(origin, 'm'), commit: sha });
    expect(await createManifestSource({ path: cacheDir })()).toEqual({ dir: cacheDir });
  });

  it('chooses the cache directory from the environment, else under the working directory', () => {
    expect(defaultCacheDir({ DSS_GITOPS_CACHE_DIR: 'cache' }, '/work')).toBe('/work/cache');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/home/u/.cache' }, '/work')).toBe('/home/u/.cache/dss-gitops');
    expect(defaultCacheDir({}, '/work')).toBe('/work/.dss-gitops/cache');
  });
});
