// `dss-gitops force-unlock LOCK_ID`: breaks the run lock of a run that is gone (a killed CI job), as Terraform's
// force-unlock does. Only the lock with that id is removed, on every node that holds it, after confirmation.

import { Command } from 'commander';
import { nodeSettings, requireConnection } from '../config/connection.js';
import { loadConfig, locateConfig } from '../input/load-config.js';
import { createDssClient } from '../dss/client.js';
import type { DssClient } from '../dss/types.js';
import { UserError } from '../errors.js';
import { describeLock, type LockInfo } from '../lock/lock-info.js';
import { breakNodeLock, readLock } from '../lock/node-lock.js';
import { createLogger } from '../log/logger.js';
import { formatProblem } from '../manifest/format-problems.js';
import { isError } from '../manifest/types.js';
import { askLine } from './apply.js';
import { EXIT_OK } from './exit-codes.js';
import { write, type CliIo } from './io.js';
import { lockClients } from './lock-options.js';
import type { CommandRegistrar } from './program.js';
import { runSecretValues, SIM_STATE_FILE, startEmbeddedSimulator } from './run-context.js';
import type { SimulatorHandle } from '../simulator/server.js';

interface ForceUnlockFlags {
  config?: string;
  force?: boolean;
  autoApprove?: boolean;
  sim?: boolean;
}

/** The lock with `id` on each node that holds it; throws naming what the nodes hold instead when none does. */
async function findLock(clients: DssClient[], id: string): Promise<{ client: DssClient; info: LockInfo }[]> {
  const found: { client: DssClient; info: LockInfo }[] = [];
  const others: string[] = [];
  for (const client of clients) {
    const state = await readLock(client);
    if (state.kind === 'held' && state.info.id === id) found.push({ client, info: state.info });
    else if (state.kind === 'held') others.push(`node ${client.nodeName} holds lock ${state.info.id} (${describeLock(state.info)})`);
    else others.push(`node ${client.nodeName} holds ${state.kind === 'free' ? 'no lock' : 'a value that is not a lock'}`);
  }
  if (found.length === 0) {
    throw new UserError('LOCK_NOT_FOUND', `no run lock ${id} to break: ${others.join('; ')}. Nothing was changed.`);
  }
  return found;
}

async function forceUnlock(id: string, flags: ForceUnlockFlags, io: CliIo, debug: boolean): Promise<void> {
  const loaded = loadConfig(locateConfig(flags.config, io.cwd, io.cwd), { env: io.env, vars: {} });
  for (const problem of loaded.problems) write(io.stderr, formatProblem(problem, io.cwd));
  if (loaded.problems.some(isError)) throw new UserError('INVALID_CONFIG', 'the configuration is not valid');
  const config = loaded.config;
  const confirmed = Boolean(flags.force || flags.autoApprove);
  if (!confirmed && !io.stdinIsTTY) {
    throw new UserError('CONFIRMATION_REQUIRED', 'force-unlock asks for confirmation, and standard input is not a terminal: pass --force to break the lock without asking');
  }
  let sim: SimulatorHandle | undefined;
  if (flags.sim) sim = await startEmbeddedSimulator(io, config);
  else requireConnection(config);
  const log = createLogger({ level: debug ? 'debug' : 'warn', pretty: Boolean(io.stderr.isTTY), destination: io.stderr, secrets: runSecretValues(loaded.secrets, config) });
  const design = createDssClient(nodeSettings(config, 'design'), { nodeName: 'design', defaults: config.defaults, logger: log });
  const deployer: DssClient = config.nodes.deployer
    ? createDssClient(nodeSettings(config, 'deployer'), { nodeName: 'deployer', defaults: config.defaults, logger: log })
    : design;
  try {
    const found = await findLock(lockClients({ clients: { design, deployer }, set: { config } }, ['design', 'deployer']), id);
    if (!confirmed) {
      for (const { client, info } of found) write(io.stderr, `Lock ${id} on node ${client.nodeName}: held by ${describeLock(info)}.`);
      write(io.stderr, 'Breaking it lets another run write while the one that holds it may still be running.');
      const answer = await askLine(io, 'Break this lock? (yes) ');
      if (answer.trim() !== 'yes') throw new UserError('CANCELLED', 'force-unlock cancelled: the lock is kept');
    }
    for (const { client } of found) {
      const removed = await breakNodeLock(client, id);
      if (removed) write(io.stdout, `Lock ${id} on node ${client.nodeName} (held by ${describeLock(removed)}) removed.`);
      else write(io.stderr, `Warning: lock ${id} on node ${client.nodeName} was released or replaced meanwhile; nothing removed there.`);
    }
  } finally {
    await design.close();
    if (deployer !== design) await deployer.close();
    if (sim) await sim.close();
  }
}

export const registerForceUnlock: CommandRegistrar = (program, ctx) => {
  const command = new Command('force-unlock')
    .description('break the run lock of a run that is gone; only the lock with this id is removed')
    .argument('<lock-id>', 'the id the refused run printed (dss-gitops force-unlock ID)')
    .option('--force', 'break the lock without asking for confirmation')
    .option('--auto-approve', 'the same as --force')
    .option('--config <file>', 'configuration file with the connection settings (default: dss-gitops.yaml in the current directory, if any)')
    .option('--sim', `use the embedded DSS simulator (state in ${SIM_STATE_FILE})`)
    .action(async (id: string, flags: ForceUnlockFlags) => {
      await forceUnlock(id, flags, ctx.io, ctx.debug());
      ctx.setExitCode(EXIT_OK);
    });
  program.addCommand(command);
};
