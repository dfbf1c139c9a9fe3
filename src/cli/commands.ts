// The explicit list of commands. Adding a command: write src/cli/<command>.ts exporting a registrar, add it here.

import { registerApply } from './apply.js';
import { registerCompletion } from './completion.js';
import { registerDemo } from './demo.js';
import { registerDestroy } from './destroy.js';
import { registerDrift } from './drift.js';
import { registerExport } from './export.js';
import { registerFmt } from './fmt.js';
import { registerForceUnlock } from './force-unlock.js';
import { registerGraph } from './graph.js';
import { registerImport } from './import.js';
import { registerPlan } from './plan.js';
import type { CommandRegistrar } from './program.js';
import { registerPromote } from './promote.js';
import { registerShow } from './show.js';
import { registerSim } from './sim.js';
import { registerState } from './state.js';
import { registerValidate } from './validate.js';
import { registerWatch } from './watch.js';

export const COMMANDS: CommandRegistrar[] = [
  registerValidate,
  registerPlan,
  registerApply,
  registerShow,
  registerDrift,
  registerWatch,
  registerPromote,
  registerSim,
  registerDemo,
  registerExport,
  registerState,
  registerGraph,
  registerCompletion,
  registerImport,
  registerDestroy,
  registerFmt,
  registerForceUnlock,
];
