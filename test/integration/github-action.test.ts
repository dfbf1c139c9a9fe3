// The repository's GitHub Action (action.yml), run as a runner would run it from a clean clone of this
// repository: install and build from the action's own checkout, then plan (saving the plan), apply exactly that
// plan, and check drift, against a simulator. No GitHub, no registry name: what `uses: OWNER/dss-gitops@REF` runs.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressionsIn, readAction, runAction, type ActionDefinition } from '../helpers/github-action.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { EXAMPLE } from '../helpers/watch.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHA_PIN = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;

describe('action.yml, read', () => {
  const action = readAction(path.join(ROOT, 'action.yml'));

  it('is a composite action whose third-party steps are pinned by full commit SHA with the version in a comment', () => {
    expect(action.runs.using).toBe('composite');
    const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    const uses = action.runs.steps.filter((s) => s.uses !== undefined).map((s) => s.uses!);
    expect(uses.some((u) => u.startsWith('actions/setup-node@'))).toBe(true);
    for (const ref of uses) {
      expect(ref).toMatch(SHA_PIN);
      expect(text).toMatch(new RegExp(`uses: ${ref.replace(/[/.]/g, '\\$&')} # v\\d+\\.\\d+\\.\\d+\\n`));
    }
  });

  it('names only inputs it declares, and passes inputs to scripts through the environment, never inside them', () => {
    const declared = new Set(Object.keys(action.inputs));
    const ids = new Set(action.runs.steps.map((s) => s.id).filter(Boolean));
    const everywhere = [...action.runs.steps.flatMap((s) => [s.run ?? '', ...Object.values(s.env ?? {}), ...Object.values(s.with ?? {}), s['working-directory'] ?? '']),
      ...Object.values(action.outputs).map((o) => o.value)];
    for (const expression of everywhere.flatMap(expressionsIn)) {
      const [scope, name, , output] = expression.split('.');
      if (scope === 'inputs') expect(declared.has(name!), expression).toBe(true);
      else if (scope === 'steps') expect(ids.has(name) && output !== undefined, expression).toBe(true);
      else expect(['github.action_path', 'runner.temp'], expression).toContain(expression);
    }
    for (const step of action.runs.steps) expect(expressionsIn(step.run ?? ''), step.name).toEqual([]);
  });
});

describe('action.yml, run from a clean clone', () => {
  let sim: TestSimulator;
  let work: string;
  let actionPath: string;
  let workspace: string;
  let action: ActionDefinition;

  beforeAll(async () => {
    sim = await startTestSimulator();
    work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-action-'));
    actionPath = path.join(work, 'dss-gitops');
    execFileSync('git', ['clone', '-q', ROOT, actionPath]);
    action = readAction(path.join(actionPath, 'action.yml'));
    workspace = path.join(work, 'workspace');
    cpSync(EXAMPLE, path.join(workspace, 'manifests'), { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    HOME: work,
    // The runner's npm: from its cache when it can (no new download for the test), never an audit.
    npm_config_prefer_offline: 'true',
    npm_config_cache: process.env.npm_config_cache ?? path.join(process.env.HOME ?? work, '.npm'),
    DSS_URL: sim.url,
    DSS_API_KEY: sim.adminKey,
    WAREHOUSE_PASSWORD: 'action-secret-value',
  });
  const run = (inputs: Record<string, string>): ReturnType<typeof runAction> => runAction(action, { actionPath, workspace, inputs, env: env() });

  it('plans with the saved plan and markdown, applies exactly that plan, then finds no drift', async () => {
    const plan = await run({ command: 'plan', 'plan-file': 'plan.json', output: 'markdown', args: '--detailed-exitcode' });
    expect(plan.steps.map((s) => [s.name, s.status]), plan.steps.map((s) => s.stderr).join('\n')).toEqual([
      ['Install and build dss-gitops from the action\'s checkout', 0],
      ['Run dss-gitops', 0],
    ]);
    expect(existsSync(path.join(actionPath, 'dist/cli/main.js'))).toBe(true);
    expect(plan.outputs['exit-code']).toBe('2');
    expect(plan.outputs['plan-path']).toBe(path.join(workspace, 'plan.json'));
    expect(existsSync(plan.outputs['plan-path']!)).toBe(true);
    const report = readFileSync(plan.outputs['report-path']!, 'utf8');
    expect(report).toContain('<details>');
    expect(report).toMatch(/to add/);
    expect(report + plan.steps.map((s) => s.stdout + s.stderr).join('')).not.toContain('action-secret-value');

    const apply = await run({ command: 'apply', 'plan-file': 'plan.json' });
    expect(apply.failed, apply.steps.map((s) => s.stderr).join('\n')).toBe(false);
    expect(apply.outputs['exit-code']).toBe('0');
    expect(apply.outputs['plan-path']).toBe('');

    const drift = await run({ command: 'drift', output: 'json' });
    expect(drift.outputs['exit-code']).toBe('0');
    expect(JSON.parse(readFileSync(drift.outputs['report-path']!, 'utf8'))).toMatchObject({ drift: [] });

    const again = await run({ command: 'plan', args: '--detailed-exitcode' });
    expect(again.outputs['exit-code']).toBe('0');
  }, 300_000);

  it('fails the step on exit code 1 and on a command it does not run, passing shell text through as data', async () => {
    const invalid = await run({ command: 'validate', manifests: 'missing; touch injected' });
    expect(invalid.failed).toBe(true);
    expect(invalid.outputs['exit-code']).toBe('1');
    expect(existsSync(path.join(workspace, 'injected'))).toBe(false);
    const unknown = await run({ command: 'sim' });
    expect(unknown.failed).toBe(true);
    expect(unknown.steps.at(-1)!.stdout).toContain('command must be validate, plan, apply, drift or show');
    await expect(run({ command: 'plan', 'no-such-input': 'x' })).rejects.toThrow('the action has no input no-such-input');
  }, 120_000);
});
