// `dss-gitops sim`: runs the DSS API simulator until SIGINT or SIGTERM, so that a team can test its manifests
// in CI with no DSS. The admin key comes from the environment and is never printed.

import { isIPv4 } from 'node:net';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { randomErrorFaults } from '../simulator/faults.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_JSON_BODY_BYTES } from '../simulator/http.js';
import { defaultStateKeyFile } from '../simulator/persistence.js';
import { startSimulator } from '../simulator/server.js';
import { EXIT_OK } from './exit-codes.js';
import { write, type CliIo } from './io.js';
import type { CommandRegistrar } from './program.js';

export const DEFAULT_SIM_KEY_ENV = 'DSS_SIM_API_KEY';
/** The largest cap the flags take: 4 GiB. */
const MAX_BODY_CAP = 4 * 1024 * 1024 * 1024;

export interface SimFlags {
  host: string;
  port: string;
  state?: string;
  latencyMs: string;
  faultRate: string;
  adminKeyEnv: string;
  maxBodyBytes?: string;
  maxJsonBodyBytes?: string;
}

/** Whether a bound address is reachable from this machine only (127.0.0.0/8, ::1, and their IPv4-mapped forms). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return (isIPv4(v4) && v4.startsWith('127.')) || bare === '::1';
}

function number(value: string, flag: string, min: number, max: number, integer: boolean): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
    throw new UserError('SIM_BAD_FLAG', `${flag} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max} (got '${value}')`);
  }
  return parsed;
}

/** Runs the simulator until `stop` settles. Separate from the registrar so that tests drive it in-process. */
export async function runSim(flags: SimFlags, io: CliIo, stop: Promise<unknown>): Promise<void> {
  const adminKey = io.env[flags.adminKeyEnv];
  if (!adminKey) {
    throw new UserError(
      'SIM_NO_ADMIN_KEY',
      `the simulator needs an admin API key: set the environment variable ${flags.adminKeyEnv} (clients send it as the HTTP Basic user)`,
    );
  }
  const port = number(flags.port, '--port', 0, 65535, true);
  const latencyMs = number(flags.latencyMs, '--latency-ms', 0, 600_000, false);
  const faultRate = number(flags.faultRate, '--fault-rate', 0, 1, false);
  const maxBodyBytes = number(flags.maxBodyBytes ?? String(DEFAULT_MAX_BODY_BYTES), '--max-body-bytes', 1, MAX_BODY_CAP, true);
  const maxJsonBodyBytes = number(flags.maxJsonBodyBytes ?? String(DEFAULT_MAX_JSON_BODY_BYTES), '--max-json-body-bytes', 1, MAX_BODY_CAP, true);
  const sim = await startSimulator({
    host: flags.host,
    port,
    adminKey,
    latencyMs,
    maxBodyBytes,
    maxJsonBodyBytes,
    faults: randomErrorFaults(faultRate),
    ...(flags.state ? { stateFile: flags.state, stateKeyFile: defaultStateKeyFile(io.env) } : {}),
  });
  const bound = new URL(sim.url).hostname;
  if (!isLoopbackAddress(bound)) {
    write(
      io.stderr,
      `Warning: the simulator listens on ${bound}, reachable from the network: whoever reaches ${sim.url} can try keys on its API and controls, and with the admin key (sent in clear over plain HTTP) read every object and secret value it holds; use --host 127.0.0.1 unless other machines must reach it.`,
    );
  }
  write(io.stdout, `DSS API simulator listening on ${sim.url} (API at ${sim.url}/public/api and ${sim.url}/dip/publicapi)`);
  write(io.stdout, `Admin key: read from $${flags.adminKeyEnv}; the API and the controls (${sim.url}/__sim/stats) take it. Stop with Ctrl-C.`);
  if (flags.state) write(io.stdout, `State file: ${flags.state} (secret values sealed with the key in ${defaultStateKeyFile(io.env)})`);
  try {
    await stop;
  } finally {
    const stats = sim.stats();
    await sim.close();
    write(io.stderr, `Simulator stopped after ${stats.total} requests (${stats.reads} reads, ${stats.writes} writes).`);
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export const registerSim: CommandRegistrar = (program, ctx) => {
  const command = new Command('sim')
    .description('run a DSS public API simulator (design node and deployer) until interrupted')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '0')
    .option('--state <file>', 'load the state from this file and save every change to it')
    .option('--latency-ms <ms>', 'delay added to every API request', '0')
    .option('--fault-rate <p>', 'probability in [0, 1] of answering 500, 502 or 503', '0')
    .option('--admin-key-env <name>', 'environment variable holding the admin API key', DEFAULT_SIM_KEY_ENV)
    .option('--max-body-bytes <n>', 'largest bundle archive upload or control body, in bytes (larger: 413)', String(DEFAULT_MAX_BODY_BYTES))
    .option('--max-json-body-bytes <n>', 'largest JSON body of an API request, in bytes (larger: 413)', String(DEFAULT_MAX_JSON_BODY_BYTES))
    .action(async (flags: SimFlags) => {
      await runSim(flags, ctx.io, untilSignal());
      ctx.setExitCode(EXIT_OK);
    });
  program.addCommand(command);
};
