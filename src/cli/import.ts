// `dss-gitops import ADDRESS`: adopts one existing DSS object. Writes its manifest as `export` would (same spec,
// same file layout, secrets as `${secret:NAME}` references) into the manifests tree, and records it in its
// project's ownership record, so that the next plan is empty. Never overwrites a file; never writes the object.

import { compareText } from '../base/order.js';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { exportAddress } from '../export/one.js';
import { CONFIG_FILE, renderExport, SECRETS_FILE, secretsOf } from '../export/render.js';
import { EXPORT_LAYOUTS, type ExportLayout } from '../export/types.js';
import { documentAddress } from '../manifest/address.js';
import { formatProblem } from '../manifest/format-problems.js';
import { loadManifestSet } from '../input/load.js';
import { isError } from '../manifest/types.js';
import type { OwnershipRecord } from '../reconciler/ownership.js';
import { ownershipScopes } from '../reconciler/ownership/scopes.js';
import { recordClient, scopeAddressOf, storeOf } from '../reconciler/ownership/stores.js';
import { entryOf } from '../reconciler/plan.js';
import { contextFactory, unitsOf } from '../reconciler/reconcile.js';
import { mainAddressOf } from '../reconciler/select.js';
import { editScopeRecord, scopeRefOfAddress } from '../reconciler/state.js';
import { EXIT_OK } from './exit-codes.js';
import { schemasDirFor } from './export.js';
import { write } from './io.js';
import { addLockOptions, lockSettings, recordLockGuard, type LockFlags } from './lock-options.js';
import { manifestLoadOptions } from './manifest-options.js';
import type { CommandContext, CommandRegistrar } from './program.js';
import { addStateOptions, openStateRun } from './state.js';
import type { RunFlags } from './run-context.js';

interface ImportFlags extends RunFlags, LockFlags {
  layout: ExportLayout;
}

async function importAddress(address: string, flags: ImportFlags, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const load = manifestLoadOptions(flags, io);
  const root = path.resolve(io.cwd, load.paths[0] ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError('BAD_FLAG', `import writes into the manifests directory: ${load.paths[0] ?? '.'} is not a directory (give -f DIR)`);
  }
  const run = await openStateRun(flags, ctx);
  try {
    const declared = run.set.documents.find((d) => documentAddress(d) === address);
    if (declared) {
      throw new UserError(
        'ALREADY_DECLARED',
        `${address} is already declared in ${formatProblem({ ...declared.source, message: 'here' }, io.cwd)}: nothing to import`,
      );
    }
    const scopes = ownershipScopes(run.setup.registry);
    const scope = scopeRefOfAddress(address, scopes);
    const source = run.setup.source;
    // Checked before anything is written; the edit checks again right before its PUT.
    const before =
      scope === undefined ? undefined : (await storeOf(scope).read(recordClient(run.clients, scope), scope, scopes)).record;
    if (scope !== undefined && before && before.source !== source) {
      throw new UserError(
        'OWNED_ELSEWHERE',
        `${scopeAddressOf(scope)} is owned by ${before.source}, not by ${source}: import does not take ownership over; use plan/apply --adopt`,
      );
    }
    const exported = await exportAddress([...run.setup.registry.values()], contextFactory(run.setup), address);
    const files = renderExport([exported], {
      layout: flags.layout,
      separateDeployer: run.set.config.nodes.deployer !== undefined,
      ...(await schemasDirFor(root).then((dir) => (dir === undefined ? {} : { schemasDir: dir }))),
    });
    files.delete(CONFIG_FILE);
    files.delete(SECRETS_FILE);
    const targets = [...files.keys()].map((file) => ({ file, full: path.join(root, ...file.split('/')) }));
    const taken = targets.filter((t) => existsSync(t.full));
    if (taken.length > 0) {
      throw new UserError(
        'FILE_EXISTS',
        `${taken.map((t) => path.relative(io.cwd, t.full)).join(', ')} exists already: import never overwrites a file (move it, or use --layout)`,
      );
    }
    for (const t of targets) {
      mkdirSync(path.dirname(t.full), { recursive: true });
      writeFileSync(t.full, files.get(t.file) ?? '', { flag: 'wx' });
    }
    // The record takes the spec hashes of the manifest as the next plan will read it (interpolated, validated).
    const set = loadManifestSet(load, run.setup.registry);
    const units = unitsOf(set.documents, run.setup.registry).filter((u) => mainAddressOf(u.address) === address);
    if (set.problems.some(isError) || units.length === 0) {
      for (const t of targets) rmSync(t.full, { force: true });
      for (const problem of set.problems) write(io.stderr, formatProblem(problem, io.cwd));
      const needed = [...secretsOf([exported]).keys()];
      throw new UserError(
        'IMPORT_INVALID',
        `the imported manifest does not load, so it was removed again and nothing is recorded` +
          (needed.length > 0 ? ` (it needs ${needed.join(', ')} in the environment)` : ''),
      );
    }
    if (scope !== undefined) {
      await editScopeRecord(
        run.clients,
        scope,
        (record) => {
          if (record && record.source !== source) throw new UserError('OWNED_ELSEWHERE', `${scopeAddressOf(scope)} is now owned by ${record.source}: nothing recorded`);
          const inventory = { ...(record?.inventory ?? {}) };
          for (const unit of units) inventory[unit.address] = entryOf(unit);
          const sorted = Object.fromEntries(Object.entries(inventory).sort(([a], [b]) => compareText(a, b)));
          const commit = run.setup.commit ?? record?.commit;
          const after: OwnershipRecord = { version: 1, source, inventory: sorted, ...(commit !== undefined ? { commit } : {}) };
          return after;
        },
        scopes,
        recordLockGuard(lockSettings(flags, io, `import ${address} from ${source}`), io),
        `import ${address}`,
      );
    }
    for (const t of targets) write(io.stdout, `Wrote ${path.relative(io.cwd, t.full).split(path.sep).join('/')}`);
    const needed = secretsOf([exported]);
    for (const [name, where] of needed) write(io.stdout, `Secret to provide in the environment: ${name} (${where.join(', ')})`);
    write(
      io.stdout,
      scope === undefined
        ? `Imported ${address}. Objects outside projects have no ownership record: it is managed from the manifest alone.`
        : `Imported ${address}: recorded as managed by ${source} in ${scopeAddressOf(scope)}.`,
    );
  } finally {
    await run.close();
  }
}

export const registerImport: CommandRegistrar = (program, ctx) => {
  const command = addLockOptions(
    addStateOptions(
      new Command('import')
        .description('adopt one existing DSS object: write its manifest into the -f directory (as export does) and record it as managed')
        .argument('<address>', 'the object, e.g. Scenario/CHURN/DAILY_REFRESH'),
    ),
  )
    .addOption(new Option('--layout <layout>', "where the file goes, as export's layouts").choices(EXPORT_LAYOUTS).default('by-project'))
    .action(async (address: string, flags: ImportFlags) => {
      await importAddress(address, flags, ctx);
      ctx.setExitCode(EXIT_OK);
    });
  program.addCommand(command);
};
