// `dss-gitops graph`: the dependency graph of the manifests as DOT on stdout (`| dot -Tsvg > graph.svg`).
// Offline: reads the manifests only.

import { Command } from 'commander';
import { renderDot } from '../reconciler/dot.js';
import { unitsOf } from '../reconciler/reconcile.js';
import { graphOfUnits } from '../reconciler/select.js';
import { EXIT_OK } from './exit-codes.js';
import { addManifestOptions, manifestLoadOptions, type ManifestFlags } from './manifest-options.js';
import type { CommandRegistrar } from './program.js';
import { loadValidManifests } from './run-context.js';
import { registryOf } from './kinds.js';

export const registerGraph: CommandRegistrar = (program, ctx) => {
  const command = new Command('graph').description(
    'print the dependency graph of the manifests as Graphviz DOT (offline; dashed edges only order writes)',
  );
  addManifestOptions(command).action((flags: ManifestFlags) => {
    const kinds = registryOf(ctx);
    const set = loadValidManifests(manifestLoadOptions(flags, ctx.io), ctx.io, kinds);
    const units = unitsOf(set.documents, kinds);
    // A cycle is an error here as in plan, naming the whole cycle.
    graphOfUnits(units);
    ctx.io.stdout.write(renderDot(units));
    ctx.setExitCode(EXIT_OK);
  });
  program.addCommand(command);
};
