// `dss-gitops demo` (what `npm start` runs): starts an embedded DSS API simulator, makes a few API calls the way
// a DSS client does, prints them, and stops. It needs nothing installed and always ends by itself.

import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { startSimulator } from '../simulator/server.js';
import { EXIT_OK } from './exit-codes.js';
import { write, type CliIo } from './io.js';
import type { CommandRegistrar } from './program.js';

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

export async function runDemo(io: CliIo): Promise<void> {
  // A throwaway key: the demo's node lives only for this run.
  const adminKey = randomBytes(24).toString('base64url');
  const sim = await startSimulator({ adminKey, scenarioRunMs: 50 });
  const authorization = `Basic ${Buffer.from(`${adminKey}:`).toString('base64')}`;
  const call = async <T>({ method, path, body }: Call): Promise<T> => {
    const response = await fetch(`${sim.url}/public/api${path}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    write(io.stdout, `${method.padEnd(6)} ${path}  → ${response.status}`);
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  const show = (label: string, value: unknown): void => {
    write(io.stdout, `       ${label}: ${JSON.stringify(value)}`);
  };

  try {
    write(io.stdout, `Embedded DSS API simulator at ${sim.url}\n`);
    const folder = await call<{ id: string; name: string }>({ method: 'POST', path: '/project-folders/ROOT/children?name=Analytics' });
    show('folder', folder);
    await call({ method: 'POST', path: `/projects/?projectFolderId=${folder.id}`, body: { projectKey: 'CHURN', name: 'Churn prediction', owner: 'admin' } });
    await call({ method: 'PUT', path: '/projects/CHURN/variables/', body: { standard: { threshold: 0.7, region: 'EMEA' }, local: {} } });
    show('variables', await call({ method: 'GET', path: '/projects/CHURN/variables/' }));
    const metadata = await call<Record<string, unknown>>({ method: 'GET', path: '/projects/CHURN/metadata' });
    await call({ method: 'PUT', path: '/projects/CHURN/metadata', body: { ...metadata, tags: ['demo', 'ml'] } });
    show('project list', await call({ method: 'GET', path: '/projects/?tags=demo' }));
    const scenario = await call<{ id: string; triggers: unknown[] }>({
      method: 'POST',
      path: '/projects/CHURN/scenarios/',
      body: { name: 'Daily refresh', type: 'step_based', triggers: [{ type: 'temporal', params: { frequency: 'Daily', hour: 2 } }] },
    });
    show('scenario', { id: scenario.id, triggers: scenario.triggers });
    const fire = await call<{ runId: string; trigger: { id: string } }>({ method: 'POST', path: `/projects/CHURN/scenarios/${scenario.id}/run` });
    let outcome: unknown;
    while (outcome === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const run = await call<{ scenarioRun?: { result?: { outcome: string } } }>({
        method: 'GET',
        path: `/projects/CHURN/scenarios/${scenario.id}/get-run-for-trigger?triggerId=${fire.trigger.id}&triggerRunId=${fire.runId}`,
      });
      outcome = run.scenarioRun?.result?.outcome;
    }
    show('run outcome', outcome);
    show('folder now', await call({ method: 'GET', path: `/project-folders/${folder.id}` }));
    const stats = sim.stats();
    write(io.stdout, `\n${stats.total} requests (${stats.reads} reads, ${stats.writes} writes). Simulator stopped.`);
  } finally {
    await sim.close();
  }
}

export const registerDemo: CommandRegistrar = (program, ctx) => {
  const command = new Command('demo')
    .description('a short demonstration: an embedded DSS API simulator and a few API calls against it')
    .action(async () => {
      await runDemo(ctx.io);
      ctx.setExitCode(EXIT_OK);
    });
  program.addCommand(command);
};
