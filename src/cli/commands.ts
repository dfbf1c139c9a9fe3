// The explicit list of commands. Adding a command: write src/cli/<command>.ts exporting a registrar, add it here.

import { registerDemo } from './demo.js';
import type { CommandRegistrar } from './program.js';
import { registerSim } from './sim.js';
import { registerValidate } from './validate.js';

export const COMMANDS: CommandRegistrar[] = [
  registerValidate,
  registerSim,
  registerDemo,
];
