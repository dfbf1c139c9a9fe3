// The kinds a command works with: the registry's, or those an in-process caller gives `runCli` (a test's own kind
// beside them). Its own small module, so that a command asks for kinds without loading the run's machinery.

import { kindRegistry, type KindRegistry } from '../resources/registry.js';
import type { CommandContext } from './program.js';

/** The kinds of a command's run: the caller's (`runCli`'s options), else the registry's. */
export function registryOf(ctx: Pick<CommandContext, 'kinds'>): KindRegistry {
  return kindRegistry(ctx.kinds);
}
