// `dss-gitops demo` (npm start): the whole loop on the example, in-process.

import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';

it('plans, applies, plans no changes, then shows the changes made by hand in DSS, and exits 0', async () => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await runCli(['demo'], { stdout, stderr, env: {}, cwd: process.cwd(), stdinIsTTY: false });
  expect(code).toBe(0);
  const sections = out.split('\n=== ');
  expect(sections[1]).toContain('Plan: 20 to add, 0 to change, 0 to destroy.');
  expect(sections[2]).toContain('Apply complete! Resources: 20 added, 0 changed, 0 destroyed.');
  expect(sections[3]).toContain('No changes. DSS matches the manifests.');
  expect(sections[5]).toContain('~ standard.scoreThreshold: 0.85 → 0.7');
  expect(sections[5]).toContain('~ triggers[id=nightly].params.hour: 5 → 2');
  expect(sections[5]).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');
  expect(out).toContain('(sensitive value)');
  expect(out).not.toContain('demo-only-password');
});
