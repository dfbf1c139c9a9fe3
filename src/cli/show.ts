// `dss-gitops show PLANFILE`: prints a saved plan in any output format. Offline: sends no request.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { parsePlanFile } from '../reconciler/plan-file.js';
import { EXIT_OK } from './exit-codes.js';
import { outputOption, renderPlan, type OutputFormat } from './plan.js';
import type { CommandRegistrar } from './program.js';

export const registerShow: CommandRegistrar = (program, ctx) => {
  const command = new Command('show')
    .description('print a plan saved with `plan --out`')
    .argument('<planfile>', 'the saved plan')
    .addOption(outputOption())
    .action((planfile: string, flags: { output: OutputFormat }) => {
      const saved = parsePlanFile(readFileSync(path.resolve(ctx.io.cwd, planfile), 'utf8'), planfile);
      renderPlan(saved.report, flags.output, ctx.io);
      ctx.setExitCode(EXIT_OK);
    });
  program.addCommand(command);
};
