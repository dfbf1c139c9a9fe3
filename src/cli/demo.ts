// `dss-gitops demo` (what `npm start` runs): the whole loop on a temporary copy of the example repository against
// embedded DSS API simulators: plan (everything to add), apply, plan again (no changes), a user changes a variable
// and a trigger in DSS as they would in the UI, and plan shows it. Then the deployer side: three automation nodes,
// the bundles, infras and deployments applied with their rollouts, and a promotion of the bundle Test runs to
// Production, shown first and then applied, ending with an empty plan. Last the platform layer of the design node
// (groups, users, connections, a code env, a plugin): planned, applied, planned again with no changes; an
// administrator adds a user to a group and grants a group a permission by hand, drift reports it and apply puts it
// back. Needs nothing installed; ends by itself.

import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { startSimulator, type SimulatorHandle } from '../simulator/server.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import { write, type CliIo } from './io.js';
import { runCli, type CommandRegistrar } from './program.js';

export interface DemoSources {
  /** The projects tree (`manifests-example/`). */
  example: string;
  /** The deployer tree beside it (`manifests-example-deployer/`). */
  deployer: string;
  /** The platform tree beside it (`manifests-example-platform/`). */
  platform: string;
}

const SOURCES: DemoSources = {
  example: fileURLToPath(new URL('../../manifests-example', import.meta.url)),
  deployer: fileURLToPath(new URL('../../manifests-example-deployer', import.meta.url)),
  platform: fileURLToPath(new URL('../../manifests-example-platform', import.meta.url)),
};

/** The automation nodes of the deployer tree, by the prefix of the environment variables its infras read. */
const STAGES = [
  ['DEV', 'Development'],
  ['TEST', 'Test'],
  ['PROD', 'Production'],
] as const;

/** The secrets the platform tree reads (users' passwords, the preset's client secret) besides WAREHOUSE_PASSWORD. */
const PLATFORM_SECRETS = ['ALICE_PASSWORD', 'BOB_PASSWORD', 'CAROL_PASSWORD', 'SVC_AIRFLOW_PASSWORD', 'GOOGLESHEETS_CLIENT_SECRET'] as const;

/** A throwaway key: each simulated node lives only for this run. */
const throwawayKey = (): string => randomBytes(24).toString('base64url');

export interface DemoOptions {
  sources?: DemoSources;
  /** Makes each node's admin key (tests pass known keys to check that none is ever printed). */
  newKey?: () => string;
  /** Makes a stand-in for each secret of the platform tree not set in the environment (tests check none is printed). */
  newSecret?: () => string;
}

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

/** Changes a variable and a trigger of CHURN as someone would in the DSS UI. */
async function editByHand(io: CliIo, design: SimulatorHandle): Promise<void> {
  const call = dssApi(design);
  const variables = await call<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
  await call('PUT', '/projects/CHURN/variables/', { ...variables, standard: { ...variables.standard, scoreThreshold: 0.85 } });
  write(io.stdout, 'PUT /projects/CHURN/variables/                    scoreThreshold 0.7 → 0.85');
  const scenario = await call<{ triggers: Array<Record<string, unknown>> }>('GET', '/projects/CHURN/scenarios/DAILY_REFRESH');
  const triggers = scenario.triggers.map((t) =>
    t.id === 'nightly' ? { ...t, params: { ...(t.params as Record<string, unknown>), hour: 5 } } : t,
  );
  await call('PUT', '/projects/CHURN/scenarios/DAILY_REFRESH', { ...scenario, triggers });
  write(io.stdout, 'PUT /projects/CHURN/scenarios/DAILY_REFRESH       trigger "nightly" at 05:30 instead of 02:30');
}

/** What an administrator does in the DSS UI: adds bob to platform-admins and lets data-scientists write unsafe code. */
async function editPlatformByHand(io: CliIo, design: SimulatorHandle): Promise<void> {
  const call = dssApi(design);
  const bob = await call<{ groups: string[] }>('GET', '/admin/users/bob');
  await call('PUT', '/admin/users/bob', { ...bob, groups: [...bob.groups, 'platform-admins'] });
  write(io.stdout, 'PUT /admin/users/bob                              groups + platform-admins');
  const group = await call<Record<string, unknown>>('GET', '/admin/groups/data-scientists');
  await call('PUT', '/admin/groups/data-scientists', { ...group, mayWriteUnsafeCode: true });
  write(io.stdout, 'PUT /admin/groups/data-scientists                 mayWriteUnsafeCode false → true');
}

type Step = [title: string, argv: string[], expected: number[]];

export async function runDemo(io: CliIo, options: DemoOptions = {}): Promise<number> {
  const sources = options.sources ?? SOURCES;
  const newKey = options.newKey ?? throwawayKey;
  const newSecret = options.newSecret ?? throwawayKey;
  for (const dir of [sources.example, sources.deployer, sources.platform]) {
    if (!existsSync(dir)) throw new UserError('DEMO_NO_EXAMPLE', `the example manifests are not at ${dir}`);
  }
  // The demo works on a copy: promote writes to the manifests, and the checked-in example must stay as it is.
  const workdir = realpathSync(mkdtempSync(path.join(tmpdir(), 'dss-gitops-demo-')));
  const example = path.basename(sources.example);
  const deployer = path.basename(sources.deployer);
  const platform = path.basename(sources.platform);
  for (const source of [sources.example, sources.deployer, sources.platform]) {
    cpSync(source, path.join(workdir, path.basename(source)), { recursive: true });
  }
  const servers: SimulatorHandle[] = [];
  const start = async (): Promise<SimulatorHandle> => {
    const sim = await startSimulator({ adminKey: newKey() });
    servers.push(sim);
    return sim;
  };
  try {
    const design = await start();
    const env: Record<string, string | undefined> = {
      ...io.env,
      DSS_URL: design.url,
      DSS_API_KEY: design.adminKey,
      // The example reads one secret from the environment; the demo supplies a stand-in when it is not set.
      WAREHOUSE_PASSWORD: io.env.WAREHOUSE_PASSWORD ?? 'demo-only-password',
    };
    // The platform tree's passwords: throwaway ones, like the nodes' keys, unless the environment has them.
    for (const name of PLATFORM_SECRETS) env[name] = io.env[name] ?? newSecret();
    const heading = (title: string): void => write(io.stdout, `\n=== ${title}`);
    const run = async ([title, argv, expected]: Step): Promise<boolean> => {
      heading(title);
      write(io.stdout, `$ dss-gitops ${argv.join(' ')}`);
      const code = await runCli(argv, { ...io, env, cwd: workdir, stdinIsTTY: false });
      if (!expected.includes(code)) write(io.stderr, `The demo stops: dss-gitops exited ${code}.`);
      return expected.includes(code);
    };
    const both = ['-f', example, '-f', deployer];

    write(io.stdout, `Embedded DSS API simulator at ${design.url}; manifests: a copy of ${example}/, ${deployer}/ and ${platform}/ in ${workdir}`);
    const projects: Step[] = [
      ['1. plan: DSS is empty, so everything is to add', ['plan', '-f', example, '--detailed-exitcode'], [2]],
      ['2. apply', ['apply', '-f', example, '--auto-approve'], [0]],
      ['3. plan again: nothing to do', ['plan', '-f', example, '--detailed-exitcode'], [0]],
    ];
    for (const step of projects) if (!(await run(step))) return EXIT_ERROR;

    heading('4. someone edits DSS by hand: a project variable and a scenario trigger');
    await editByHand(io, design);
    if (!(await run(['5. plan shows what apply would put back', ['plan', '-f', example, '--detailed-exitcode'], [2]]))) return EXIT_ERROR;

    heading('6. the Project Deployer: three automation nodes');
    for (const [prefix, stage] of STAGES) {
      const node = await start();
      env[`${prefix}_AUTOMATION_URL`] = node.url;
      env[`${prefix}_AUTOMATION_API_KEY`] = node.adminKey;
      write(io.stdout, `${`${stage}:`.padEnd(13)}${node.url}   (${prefix}_AUTOMATION_URL; admin key in ${prefix}_AUTOMATION_API_KEY)`);
    }
    const deployerSteps: Step[] = [
      [
        '7. apply both trees: the hand edits put back, bundles exported and published, infras, deployments rolled out',
        ['apply', ...both, '--auto-approve'],
        [0],
      ],
      ['8. promote: what moving the bundle Test runs to Production would change', ['promote', 'churn-prod', '--from', 'Test', ...both], [0]],
      ['9. promote --apply: write the manifest and roll out to Production', ['promote', 'churn-prod', '--from', 'Test', ...both, '--apply'], [0]],
      ['10. plan: DSS matches the promoted manifests', ['plan', ...both, '--detailed-exitcode'], [0]],
    ];
    for (const step of deployerSteps) if (!(await run(step))) return EXIT_ERROR;

    const platformSteps: Step[] = [
      ['11. the platform layer: groups, users, connections, a code env and a plugin to add', ['plan', '-f', platform, '--detailed-exitcode'], [2]],
      ['12. apply it: groups before their users, the code env built, the plugin installed', ['apply', '-f', platform, '--auto-approve'], [0]],
      ['13. plan again: nothing to do', ['plan', '-f', platform, '--detailed-exitcode'], [0]],
    ];
    for (const step of platformSteps) if (!(await run(step))) return EXIT_ERROR;
    heading('14. an administrator edits DSS by hand: a user joins a group, a group gains a permission');
    await editPlatformByHand(io, design);
    const healing: Step[] = [
      ['15. drift reports both', ['drift', '-f', platform], [2]],
      ['16. apply puts them back', ['apply', '-f', platform, '--auto-approve'], [0]],
    ];
    for (const step of healing) if (!(await run(step))) return EXIT_ERROR;

    const stats = servers.map((s) => s.stats());
    const count = (of: (s: (typeof stats)[number]) => number): number => stats.reduce((n, s) => n + of(s), 0);
    write(
      io.stdout,
      `\nThe simulator served ${count((s) => s.total)} requests (${count((s) => s.reads)} reads, ${count((s) => s.writes)} writes) ` +
        `on ${servers.length} nodes: design, ${STAGES.map(([, stage]) => stage).join(', ')}. Demo done.`,
    );
    return EXIT_OK;
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(workdir, { recursive: true, force: true });
  }
}

export const registerDemo: CommandRegistrar = (program, ctx) => {
  const command = new Command('demo')
    .description('a demonstration on a copy of the example: plan, apply, a change in DSS, deployments and a promotion')
    .action(async () => {
      ctx.setExitCode(await runDemo(ctx.io));
    });
  program.addCommand(command);
};
