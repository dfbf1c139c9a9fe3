// `dss-gitops fmt`: canonical key order and indentation, comments kept; --check for CI; nothing written when a
// file does not parse.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-fmt-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const run = (argv: string[], cwd: string) => runCliCaptured(argv, { cwd, env: {} });

const DIRTY = [
  '# yaml-language-server: $schema=../schemas/scenario.schema.json',
  'spec:',
  '    # Runs every morning.',
  '    triggers:',
  '        -   name: Mornings',
  '            type: temporal',
  '            id: morning   # the key',
  '    type: step_based',
  '    params:',
  '        steps:',
  '            - type: build_flowitem',
  '              id: build',
  '    active: true',
  'metadata:',
  '    project: CHURN',
  '    name: DAILY',
  'kind: Scenario',
  'apiVersion: dss-gitops/v1',
  '---',
  'kind: Project',
  'apiVersion: dss-gitops/v1',
  'metadata: {name: CHURN}',
  'spec:',
  '  variables:',
  '    standard: {zeta: 1, alpha: 2}',
  '  owner: admin',
  '',
].join('\n');

const CLEAN = [
  '# yaml-language-server: $schema=../schemas/scenario.schema.json',
  'apiVersion: dss-gitops/v1',
  'kind: Scenario',
  'metadata:',
  '  name: DAILY',
  '  project: CHURN',
  'spec:',
  '  type: step_based',
  '  active: true',
  '  params:',
  '    steps:',
  '      - id: build',
  '        type: build_flowitem',
  '  # Runs every morning.',
  '  triggers:',
  '    - id: morning # the key',
  '      name: Mornings',
  '      type: temporal',
  '---',
  'apiVersion: dss-gitops/v1',
  'kind: Project',
  'metadata: {name: CHURN}',
  'spec:',
  '  owner: admin',
  '  variables:',
  '    standard: {zeta: 1, alpha: 2}',
  '',
].join('\n');

describe('dss-gitops fmt', () => {
  it('finds the shipped example tree already in canonical form', async () => {
    const example = path.resolve(import.meta.dirname, '../../manifests-example');
    const checked = await runCliCaptured(['fmt', '--check', '-f', example], { env: {}, cwd: example });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it('rewrites a file in schema order with 2-space indentation, keeping comments and free maps as they are', async () => {
    const dir = tree({ 'a.yaml': DIRTY, 'b.yaml': CLEAN });
    const result = await run(['fmt'], dir);
    expect(result).toEqual({ code: 0, stdout: 'a.yaml\n', stderr: '' });
    expect(readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(CLEAN);
    // Idempotent, and the result is still valid.
    expect(await run(['fmt'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await run(['validate', '-f', 'a.yaml'], dir)).toMatchObject({ code: 0, stderr: '' });
  });

  it('puts metadata.dependsOn after the name and annotations', async () => {
    const text = (metadata: string[]) =>
      ['apiVersion: dss-gitops/v1', 'kind: Project', 'metadata:', ...metadata, 'spec:', '  owner: admin', ''].join('\n');
    const dir = tree({ 'p.yaml': text(['  dependsOn: [CodeEnv/py]', '  annotations: {a: b}', '  name: CHURN']) });
    expect((await run(['fmt'], dir)).code).toBe(0);
    expect(readFileSync(path.join(dir, 'p.yaml'), 'utf8')).toBe(text(['  name: CHURN', '  annotations: {a: b}', '  dependsOn: [CodeEnv/py]']));
  });

  it('--check lists the files that would change, exits 1, and writes nothing; a clean tree exits 0', async () => {
    const dir = tree({ 'a.yaml': DIRTY, 'b.yaml': CLEAN });
    const checked = await run(['fmt', '--check'], dir);
    expect(checked).toEqual({ code: 1, stdout: 'a.yaml\n', stderr: '' });
    expect(readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(DIRTY);
    expect(await run(['fmt', '--check', '-f', 'b.yaml'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('--diff prints the changed lines', async () => {
    const dir = tree({ 'p.yaml': 'kind: Project\napiVersion: dss-gitops/v1\nmetadata:\n  name: P\n' });
    const diffed = await run(['fmt', '--check', '--diff'], dir);
    expect(diffed.code).toBe(1);
    expect(diffed.stdout).toBe(
      ['--- p.yaml', '+++ p.yaml (formatted)', '-kind: Project', ' apiVersion: dss-gitops/v1', '+kind: Project', ' metadata:', '   name: P', '@@', 'p.yaml', ''].join('\n'),
    );
  });

  it('a file that does not parse: file:line:col, exit 1, and no file is written', async () => {
    const dir = tree({ 'a.yaml': DIRTY, 'bad.yaml': 'kind: Project\nmetadata: [unclosed\n' });
    const result = await run(['fmt'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^bad\.yaml:\d+:\d+: invalid YAML/m);
    expect(result.stderr).toContain('nothing was formatted');
    expect(readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(DIRTY);
  });
});
