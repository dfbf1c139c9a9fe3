// The explicit list of commands. Adding a command: write src/cli/<command>.ts exporting a registrar, add it here.

import type { CommandRegistrar } from './program.js';

export const COMMANDS: CommandRegistrar[] = [];
