// Colored output only on a terminal, and never with --no-color, NO_COLOR (no-color.org) or TERM=dumb.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../helpers/cli.js';
import { EXAMPLE } from '../helpers/watch.js';

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-color-'));
  cpSync(EXAMPLE, path.join(work, 'm'), { recursive: true });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `plan` with stdout a terminal. */
async function planOnTerminal(env: NodeJS.ProcessEnv, extra: string[] = []): Promise<string> {
  const captured = captureIo({ WAREHOUSE_PASSWORD: 'p', ...env }, work);
  Object.assign(captured.io.stdout, { isTTY: true });
  expect(await runCli([...extra, 'plan', '-f', 'm', '--sim'], captured.io)).toBe(0);
  return captured.stdout();
}

// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001b\[/;

describe('color', () => {
  it('is on for a terminal by default', async () => {
    expect(await planOnTerminal({})).toMatch(ESCAPE);
  });

  it.each([
    ['NO_COLOR=1', { NO_COLOR: '1' }, []],
    ['TERM=dumb', { TERM: 'dumb' }, []],
    ['--no-color', {}, ['--no-color']],
  ])('is off with %s', async (_name, env, extra) => {
    const text = await planOnTerminal(env, extra);
    expect(text).toContain('Plan: ');
    expect(text).not.toMatch(ESCAPE);
  });
});
