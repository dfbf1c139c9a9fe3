// Runs a composite GitHub Action's `run:` steps the way a runner does, with no GitHub: `${{ }}` expressions
// substituted from the inputs (defaults filled in), github.action_path, runner.temp and earlier steps' outputs,
// each script run by `bash --noprofile --norc -eo pipefail` in its working-directory with GITHUB_OUTPUT set.
// An expression it does not know fails the run, so a step that names an input the action lacks is caught.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export interface ActionStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
}

export interface ActionDefinition {
  name: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function readAction(file: string): ActionDefinition {
  return parse(readFileSync(file, 'utf8')) as ActionDefinition;
}

export interface ExpressionContext {
  inputs: Record<string, string>;
  github: Record<string, string>;
  runner: Record<string, string>;
  steps: Record<string, Record<string, string>>;
}

/** Every `${{ ... }}` in `text`, trimmed. */
export function expressionsIn(text: string): string[] {
  return [...text.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)].map((m) => m[1]!);
}

export function expand(text: string, context: ExpressionContext): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    const parts = expression.split('.');
    const [scope, ...rest] = parts;
    let value: string | undefined;
    if (scope === 'inputs' && rest.length === 1) value = context.inputs[rest[0]!];
    else if ((scope === 'github' || scope === 'runner') && rest.length === 1) value = context[scope][rest[0]!];
    else if (scope === 'steps' && rest.length === 3 && rest[1] === 'outputs') value = context.steps[rest[0]!]?.[rest[2]!] ?? '';
    if (value === undefined) throw new Error(`unknown expression in the action: \${{ ${expression} }}`);
    return value;
  });
}

export interface ActionRun {
  /** The steps that ran, in order, with their exit status. */
  steps: Array<{ name: string; status: number; stdout: string; stderr: string }>;
  /** The action's outputs, from its `outputs:` expressions. */
  outputs: Record<string, string>;
  failed: boolean;
}

function parseOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

function runScript(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/**
 * Runs `action`'s run steps (a `uses:` step is left out: the test provides what it sets up, e.g. Node on PATH).
 * `env` is the job's environment; the step's own `env:` is added on top, expanded.
 */
export async function runAction(
  action: ActionDefinition,
  options: { actionPath: string; workspace: string; inputs: Record<string, string>; env: NodeJS.ProcessEnv },
): Promise<ActionRun> {
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    const given = options.inputs[name];
    if (given === undefined && input.required) throw new Error(`input ${name} is required`);
    inputs[name] = given ?? input.default ?? '';
  }
  for (const name of Object.keys(options.inputs)) if (!(name in action.inputs)) throw new Error(`the action has no input ${name}`);
  const temp = mkdtempSync(path.join(options.workspace, '.runner-temp-'));
  const context: ExpressionContext = {
    inputs,
    github: { action_path: options.actionPath, workspace: options.workspace },
    runner: { temp },
    steps: {},
  };
  const steps: ActionRun['steps'] = [];
  let failed = false;
  for (const [index, step] of action.runs.steps.entries()) {
    if (failed) break;
    if (step.run === undefined) continue;
    if (step.shell !== 'bash') throw new Error(`step ${step.name ?? index}: composite run steps need shell: bash`);
    const script = path.join(temp, `step-${index}.sh`);
    writeFileSync(script, expand(step.run, context));
    const outputFile = path.join(temp, `output-${index}`);
    writeFileSync(outputFile, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), context)]));
    const cwd = path.resolve(options.workspace, expand(step['working-directory'] ?? '.', context));
    // Asynchronous: the simulator the steps talk to may run in this very process.
    const result = await runScript(script, cwd, { ...options.env, ...stepEnv, GITHUB_OUTPUT: outputFile, RUNNER_TEMP: temp, GITHUB_WORKSPACE: options.workspace });
    steps.push({ name: step.name ?? String(index), ...result });
    if (step.id !== undefined) context.steps[step.id] = parseOutputs(outputFile);
    if (result.status !== 0) failed = true;
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, expand(output.value, context)]));
  return { steps, outputs, failed };
}
