// The example trees' rendered outputs, byte for byte: plan (text, markdown, json), apply, plan after hand edits in
// DSS, drift (text, markdown, json), plan --destroy and export (every file written). Refactors that must not change
// what users read are held to these snapshots; only the simulators' addresses, the temporary folder and clock readings are masked.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { automation, both, cli, design, dir, useExampleWithDeployer } from './kind-deployer-example-setup.js';

useExampleWithDeployer();

/** Masks what differs between runs without being output: simulator ports, the temporary folder, times and durations. */
function stable(text: string): string {
  let out = text.split(dir).join('<dir>');
  out = out.split(design.url).join('<design>');
  for (const [stage, sim] of automation) out = out.split(sim.url).join(`<${stage}>`);
  out = out.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
  return out.replace(/\b\d+(\.\d+)?(ms|s)\b/g, '<t>');
}

async function output(...argv: string[]): Promise<string> {
  const { code, out } = await cli(...argv);
  // A rollout's progress lines depend on how fast the simulated futures advance: not part of the contract here.
  const lines = stable(out).split('\n').filter((line) => !/^ {2}Deployment\/\S+: .* \(\d+\/\d+\)$/.test(line));
  return `exit ${code}\n${lines.join('\n')}`;
}

/** Every file under `root`, in code-unit order of path, with its content. */
function files(root: string): string {
  const walk = (folder: string): string[] =>
    readdirSync(folder).flatMap((name) => {
      const full = path.join(folder, name);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
  return walk(root)
    .map((full) => path.relative(root, full).split(path.sep).join('/'))
    .sort()
    .map((name) => `=== ${name}\n${stable(readFileSync(path.join(root, name), 'utf8'))}`)
    .join('\n');
}

async function handEdits(): Promise<void> {
  const variables = await design.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
  await design.ok('PUT', '/projects/CHURN/variables/', { ...variables, standard: { ...variables.standard, scoreThreshold: 0.85 } });
  const scenario = await design.ok<Record<string, unknown>>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH/');
  await design.ok('PUT', '/projects/CHURN/scenarios/DAILY_REFRESH/', { ...scenario, active: false });
  await design.ok('POST', '/projects/CHURN/scenarios/', { id: 'HAND_MADE', name: 'Made by hand', type: 'step_based' });
}

describe('the example trees, as rendered', () => {
  it('plan from an empty DSS', async () => {
    expect(await output('plan', ...both)).toMatchSnapshot('text');
    expect(await output('plan', ...both, '--output', 'markdown')).toMatchSnapshot('markdown');
    expect(await output('plan', ...both, '--output', 'json')).toMatchSnapshot('json');
    expect(await output('drift', ...both)).toMatchSnapshot('drift before apply');
  });

  it('apply, then plan and drift in sync', async () => {
    expect(await output('apply', ...both, '--auto-approve')).toMatchSnapshot('apply');
    expect(await output('plan', ...both)).toMatchSnapshot('plan in sync');
    expect(await output('drift', ...both)).toMatchSnapshot('drift in sync');
  });

  it('plan and drift after hand edits in DSS', async () => {
    await handEdits();
    expect(await output('plan', ...both)).toMatchSnapshot('text');
    expect(await output('plan', ...both, '--output', 'markdown')).toMatchSnapshot('markdown');
    expect(await output('drift', ...both)).toMatchSnapshot('drift text');
    expect(await output('drift', ...both, '--output', 'markdown')).toMatchSnapshot('drift markdown');
    expect(await output('drift', ...both, '--output', 'json')).toMatchSnapshot('drift json');
    expect(await output('plan', ...both, '--destroy')).toMatchSnapshot('plan --destroy');
  });

  it('export of the projects and the deployer, and the files it writes', async () => {
    expect(await output('export', '--all-projects', '--deployer', '--out', 'live')).toMatchSnapshot('by-project output');
    expect(files(path.join(dir, 'live'))).toMatchSnapshot('by-project files');
    expect(await output('export', '--all-projects', '--layout', 'by-kind', '--out', 'kinds')).toMatchSnapshot('by-kind output');
    expect(files(path.join(dir, 'kinds'))).toMatchSnapshot('by-kind files');
  });
});
