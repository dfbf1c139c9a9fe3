// `dss-gitops demo` (what `npm start` runs): the whole loop on the example repository against an embedded DSS API
// simulator: plan (everything to add), apply, plan again (no changes), then a user changes a variable and a
// trigger in DSS as they would in the UI, and plan shows it. Needs nothing installed; always ends by itself.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { startSimulator, type SimulatorHandle } from '../simulator/server.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { write, type CliIo } from './io.js';
import { runCli, type CommandRegistrar } from './program.js';

const EXAMPLE = fileURLToPath(new URL('../../manifests-example', import.meta.url));

/** Calls the simulator's API the way the DSS UI's backend would, with the admin key. */
function dssApi(sim: SimulatorHandle) {
  const authorization = `Basic ${Buffer.from(`${sim.adminKey}:`).toString('base64')}`;
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sim.url}/public/api${path}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
}

export async function runDemo(io: CliIo, manifests = EXAMPLE): Promise<number> {
  if (!existsSync(manifests)) throw new UserError('DEMO_NO_EXAMPLE', `the example manifests are not at ${manifests}`);
  // A throwaway key: the demo's node lives only for this run.
  const sim = await startSimulator({ adminKey: randomBytes(24).toString('base64url') });
  const env = {
    ...io.env,
    DSS_URL: sim.url,
    DSS_API_KEY: sim.adminKey,
    // The example reads one secret from the environment; the demo supplies a stand-in when it is not set.
    WAREHOUSE_PASSWORD: io.env.WAREHOUSE_PASSWORD ?? 'demo-only-password',
  };
  const step = async (title: string, argv: string[]): Promise<number> => {
    write(io.stdout, `\n=== ${title}\n$ dss-gitops ${argv.join(' ')}\n`);
    return runCli(argv, { ...io, env, stdinIsTTY: false });
  };
  const call = dssApi(sim);
  try {
    write(io.stdout, `Embedded DSS API simulator at ${sim.url}; manifests: ${manifests}`);
    const steps: Array<[string, string[], number[]]> = [
      ['1. plan: DSS is empty, so everything is to add', ['plan', '-f', manifests, '--detailed-exitcode'], [2]],
      ['2. apply', ['apply', '-f', manifests, '--auto-approve'], [0]],
      ['3. plan again: nothing to do', ['plan', '-f', manifests, '--detailed-exitcode'], [0]],
    ];
    for (const [title, argv, expected] of steps) {
      const code = await step(title, argv);
      if (!expected.includes(code)) return EXIT_ERROR;
    }

    write(io.stdout, '\n=== 4. someone edits DSS by hand: a project variable and a scenario trigger');
    const variables = await call<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
    await call('PUT', '/projects/CHURN/variables/', { ...variables, standard: { ...variables.standard, scoreThreshold: 0.85 } });
    write(io.stdout, 'PUT /projects/CHURN/variables/                    scoreThreshold 0.7 → 0.85');
    const scenario = await call<{ triggers: Array<Record<string, unknown>> }>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
    const triggers = scenario.triggers.map((t) =>
      t.id === 'nightly' ? { ...t, params: { ...(t.params as Record<string, unknown>), hour: 5 } } : t,
    );
    await call('PUT', '/projects/CHURN/scenarios/DAILY_REFRESH', { ...scenario, triggers });
    write(io.stdout, 'PUT /projects/CHURN/scenarios/DAILY_REFRESH       trigger "nightly" at 05:30 instead of 02:30');

    const code = await step('5. plan shows what apply would put back', ['plan', '-f', manifests, '--detailed-exitcode']);
    if (code !== 2) return EXIT_ERROR;
    const stats = sim.stats();
    write(io.stdout, `\nThe simulator served ${stats.total} requests (${stats.reads} reads, ${stats.writes} writes). Demo done.`);
    return EXIT_OK;
  } finally {
    await sim.close();
  }
}

export const registerDemo: CommandRegistrar = (program, ctx) => {
  const command = new Command('demo')
    .description('a demonstration on the example manifests: plan, apply, plan, a change in DSS, plan')
    .action(async () => {
      ctx.setExitCode(await runDemo(ctx.io));
    });
  program.addCommand(command);
};
