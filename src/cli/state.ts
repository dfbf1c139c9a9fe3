// `dss-gitops state list | rm`: what this manifests tree manages, as the ownership records on DSS say, and
// forgetting an object without deleting it. `list` sends GET requests only; `rm` writes records, never objects.

import { compareText } from '../base/order.js';
import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { FORMAT_VERSION } from '../diff/types.js';
import type { OwnershipRecord } from '../reconciler/ownership.js';
import type { KindRegistry } from '../resources/registry.js';
import { ownershipId, ownershipScopes, scopeId, scopeOfOwnership, type ScopeRef } from '../reconciler/ownership/scopes.js';
import { recordAddressOf, scopeAddressOf } from '../reconciler/ownership/stores.js';
import { coveredAddresses, editScopeRecord, readSourceRecords, scopeRefOfAddress, withoutAddresses } from '../reconciler/state.js';
import { EXIT_OK } from './exit-codes.js';
import { addLockOptions, lockSettings, recordLockGuard, type LockFlags } from './lock-options.js';
import { write } from './io.js';
import { addManifestOptions, manifestLoadOptions } from './manifest-options.js';
import type { CommandContext, CommandRegistrar } from './program.js';
import { openRun, PARALLELISM_HELP, SIM_STATE_FILE, type RunContext, type RunFlags } from './run-context.js';
import { registryOf } from './kinds.js';

interface StateFlags extends RunFlags, LockFlags {
  output?: 'text' | 'json';
}

/** The options of a command that reads the records of this tree: the manifests (for the source), --sim, parallelism. */
export function addStateOptions(command: Command): Command {
  return addManifestOptions(command)
    .option('--parallelism <n>', PARALLELISM_HELP)
    .option('--sim', `run against the embedded DSS simulator (state in ${SIM_STATE_FILE})`);
}

/** Opens a run that only reads and edits records: the manifests give the source, nothing is planned. */
export function openStateRun(flags: RunFlags, ctx: CommandContext, options: { deferPreflight?: boolean } = {}): Promise<RunContext> {
  return openRun({
    ...(options.deferPreflight === true ? { deferPreflight: true } : {}),
    flags: { ...flags, target: [] },
    load: manifestLoadOptions(flags, ctx.io),
    io: ctx.io,
    debug: ctx.debug(),
    kinds: registryOf(ctx),
    plan: { prune: false, allowEmpty: false, targets: [] },
  });
}

async function list(flags: StateFlags, ctx: CommandContext): Promise<void> {
  const run = await openStateRun(flags, ctx);
  try {
    const owned = await readSourceRecords(run.clients.design, run.setup.source, run.setup.parallelism, {
      clients: run.clients,
      scopes: ownershipScopes(run.setup.registry),
    });
    if (flags.output === 'json') {
      const scopes = owned.map((p) => {
        const record = p.record as OwnershipRecord;
        return {
          scope: scopeAddressOf(scopeOfOwnership(p)),
          ...(record.commit !== undefined ? { commit: record.commit } : {}),
          addresses: Object.keys(record.inventory)
            .sort()
            .map((address) => ({ address, hash: record.inventory[address]?.hash, protected: record.inventory[address]?.protected === true })),
        };
      });
      write(ctx.io.stdout, JSON.stringify({ format_version: FORMAT_VERSION, source: run.setup.source, scopes }, null, 2));
      return;
    }
    if (owned.length === 0) write(ctx.io.stderr, `No object is recorded as managed by ${run.setup.source}.`);
    for (const p of owned) for (const address of Object.keys(p.record?.inventory ?? {}).sort()) write(ctx.io.stdout, address);
  } finally {
    await run.close();
  }
}

/** The platform kinds whose objects a node's instance record holds, when the registry has any. */
function platformNote(registry: KindRegistry): string {
  const kinds = [...registry.values()].filter((k) => k.ownership === 'instance').map((k) => k.kind).sort();
  return kinds.length === 0 ? '' : `, and the platform objects of the instance-scoped kinds (${kinds.join(', ')})`;
}

async function remove(addresses: string[], flags: StateFlags, ctx: CommandContext): Promise<void> {
  const run = await openStateRun(flags, ctx);
  try {
    const source = run.setup.source;
    const scopes = ownershipScopes(run.setup.registry);
    const byScope = new Map<string, string[]>();
    const refs = new Map<string, ScopeRef>();
    const unscoped: string[] = [];
    for (const address of [...new Set(addresses)].sort()) {
      const ref = scopeRefOfAddress(address, scopes);
      if (ref === undefined) {
        unscoped.push(address);
        continue;
      }
      const scope = scopeId(ref);
      refs.set(scope, ref);
      byScope.set(scope, [...(byScope.get(scope) ?? []), address]);
    }
    if (unscoped.length > 0) {
      throw new UserError(
        'NOT_IN_STATE',
        `no ownership record can hold ${unscoped.join(', ')}: only the objects of projects are recorded (Project/KEY, Scenario/KEY/ID, ...)` +
          platformNote(run.setup.registry),
      );
    }
    // Every address is checked against the records before any is written: one unknown address writes nothing.
    const records = await readSourceRecords(run.clients.design, source, run.setup.parallelism, { clients: run.clients, scopes });
    const owned = new Map(records.map((p) => [ownershipId(p), p]));
    const missing: string[] = [];
    const drops = new Map<string, string[]>();
    for (const [scope, wanted] of byScope) {
      const record = owned.get(scope)?.record;
      for (const address of wanted) {
        const covered = record ? coveredAddresses(record, address) : [];
        if (covered.length === 0) missing.push(address);
        else drops.set(scope, [...(drops.get(scope) ?? []), ...covered]);
      }
    }
    if (missing.length > 0) {
      throw new UserError('NOT_IN_STATE', `not managed by ${source} (no ownership record lists it): ${missing.join(', ')}; see \`dss-gitops state list\``);
    }
    for (const [scope, dropped] of [...drops].sort(([a], [b]) => compareText(a, b))) {
      const ref = refs.get(scope) as ScopeRef;
      await editScopeRecord(
        run.clients,
        ref,
        (record) => {
          if (!record || record.source !== source) {
            const which = ref.store === 'project' ? `the ownership record of ${scopeAddressOf(ref)}` : recordAddressOf(ref);
            throw new UserError('RECORD_CHANGED', `${which} changed while it was edited: run state rm again`);
          }
          return withoutAddresses(record, dropped);
        },
        scopes,
        recordLockGuard(lockSettings(flags, ctx.io, `state rm from ${source}`), ctx.io),
        'state rm',
      );
      for (const address of dropped) write(ctx.io.stdout, `Removed ${address}`);
    }
    const count = [...drops.values()].reduce((n, d) => n + d.length, 0);
    write(ctx.io.stdout, `Successfully removed ${count} address(es) from the ownership records; the objects in DSS are untouched.`);
  } finally {
    await run.close();
  }
}

export const registerState: CommandRegistrar = (program, ctx) => {
  const state = new Command('state').description("read and edit what this manifests tree manages (the ownership records on DSS)");
  const listCommand = addStateOptions(new Command('list').description('list the addresses this manifests tree manages, one per line (GET requests only)'))
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: StateFlags) => {
      await list(flags, ctx);
      ctx.setExitCode(EXIT_OK);
    });
  const rmCommand = addLockOptions(addStateOptions(
    new Command('rm')
      .description('forget objects without deleting them: remove their addresses from the ownership records (an object also drops its #blocks)')
      .argument('<address...>', 'addresses to forget, as `state list` prints them'),
  )).action(async (addresses: string[], flags: StateFlags) => {
    await remove(addresses, flags, ctx);
    ctx.setExitCode(EXIT_OK);
  });
  state.addCommand(listCommand);
  state.addCommand(rmCommand);
  program.addCommand(state);
};
