// A progress line printed during apply quotes DSS (a rollout step, a health message) and DSS may echo a value sent
// to it: the run's secrets are redacted from it before it reaches stdout, as they are from errors.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { openRun } from '../../src/cli/run-context.js';
import { REDACTED, SecretRegistry, withRunSecrets } from '../../src/base/secrets.js';
import { captureIo } from '../helpers/cli.js';

const KEY = 'design-key-Zq81vT';
const SECRET = 'warehouse-pw-7Hk2';
let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function captured(cwd: string, env: Record<string, string>): { io: CliIo; stdout: () => string } {
  return captureIo(env, cwd);
}

describe('progress lines', () => {
  it('print a registered secret and the API key as redacted', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-progress-'));
    const env = { DSS_URL: 'https://127.0.0.1:9', DSS_API_KEY: KEY };
    const { io, stdout } = captured(dir, env);
    const registry = new SecretRegistry([KEY, SECRET]);
    await withRunSecrets(registry, async () => {
      const run = await openRun({
        flags: { file: ['.'], var: [], varFile: [], target: [] },
        load: { paths: ['.'], vars: [], varFiles: [], env, cwd: dir as string },
        io,
        debug: false,
        plan: { prune: false, allowEmpty: true, targets: [] },
        progressLines: true,
        // No DSS behind the URL: the run only prints, it never reads.
        deferPreflight: true,
      });
      try {
        expect(run.setup.onMessage).toBeDefined();
        run.setup.onMessage?.('Deployment/churn-prod', `Activating (2/3): connection check failed for password ${SECRET} (key ${KEY})`);
      } finally {
        await run.close();
      }
    });
    expect(stdout()).toBe(`  Deployment/churn-prod: Activating (2/3): connection check failed for password ${REDACTED} (key ${REDACTED})\n`);
  });
});
