// `dss-gitops drift`: compares live DSS with the manifests and tells drift (DSS changed since the last apply) from
// pending (the manifest changed, not applied yet) and unmanaged objects. Read-only: GET requests only. Exits 2
// when anything drifted, 0 otherwise (pending and unmanaged objects alone are not drift), 1 on error.

import { Command } from 'commander';
import { driftRun } from '../reconciler/drift-run.js';
import { writeDrift } from './drift-output.js';
import { useColor } from './io.js';
import { EXIT_CHANGES, EXIT_OK } from './exit-codes.js';
import { addManifestOptions, manifestLoadOptions } from './manifest-options.js';
import { outputOption, type OutputFormat } from './plan.js';
import type { CommandRegistrar } from './program.js';
import { openRun, PARALLELISM_HELP, preflightContexts, SIM_STATE_FILE, type RunFlags } from './run-context.js';
import { registryOf } from './kinds.js';

interface DriftFlags extends RunFlags {
  output: OutputFormat;
}

export const registerDrift: CommandRegistrar = (program, ctx) => {
  const command = new Command('drift').description(
    'report what changed in DSS since the last apply (exit 2), manifest changes not applied yet, and unmanaged objects',
  );
  addManifestOptions(command)
    .addOption(outputOption())
    .option('--parallelism <n>', PARALLELISM_HELP)
    .option('--sim', `run against the embedded DSS simulator (state in ${SIM_STATE_FILE})`)
    .action(async (flags: DriftFlags) => {
      const { io } = ctx;
      const run = await openRun({
        flags: { ...flags, target: [] },
        load: manifestLoadOptions(flags, io),
        io,
        debug: ctx.debug(),
        kinds: registryOf(ctx),
        plan: { prune: false, allowEmpty: false, targets: [] },
        preflightWhilePreparing: true,
      });
      try {
        // `prune: true` in the config must not make drift plan deletions: it reports, it never writes.
        const setup = { ...run.setup, options: { ...run.setup.options, prune: false } };
        // Drift may be as old as its preflight, like a plan: the project list the preflight read is the run's.
        const { report } = await driftRun(setup, run.set.documents, preflightContexts(run, setup), run.connected);
        writeDrift(report, flags.output, io.stdout, useColor(io, io.stdout));
        ctx.setExitCode(report.drift.length > 0 ? EXIT_CHANGES : EXIT_OK);
      } finally {
        await run.close();
      }
    });
  program.addCommand(command);
};
