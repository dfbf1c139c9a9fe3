// A saved plan carries the ${var:..} values it was planned with: `apply plan.json` needs no --var again, as
// `terraform apply tfplan` needs no -var. Secrets are still read from the environment.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { EXAMPLE } from '../helpers/watch.js';

let work: string;

beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'dss-gitops-plan-vars-'));
  cpSync(EXAMPLE, path.join(work, 'm'), { recursive: true });
  const file = path.join(work, 'm/projects/CHURN/project.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('warehouseSchema: analytics', 'warehouseSchema: ${var:schema}'));
  writeFileSync(path.join(work, 'vars.env'), 'schema=analytics_prod\n');
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

const cli = (argv: string[]): ReturnType<typeof runCliCaptured> => runCliCaptured(argv, { env: { WAREHOUSE_PASSWORD: 'p' }, cwd: work });

describe('apply PLANFILE', () => {
  it('applies with the variables of the plan, from --var and --var-file, without them given again', async () => {
    const planned = await cli(['plan', '-f', 'm', '--sim', '--var-file', 'vars.env', '--var', 'other=1', '--out', 'plan.json']);
    expect(planned.code, planned.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(work, 'plan.json'), 'utf8')).manifests.vars).toEqual({ schema: 'analytics_prod', other: '1' });
    const applied = await cli(['apply', 'plan.json', '--sim']);
    expect(applied.code, applied.stderr).toBe(0);
    const again = await cli(['plan', '-f', 'm', '--sim', '--var', 'schema=analytics_prod', '--output', 'json']);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ add: 0, change: 0, destroy: 0 });
    const other = await cli(['plan', '-f', 'm', '--sim', '--var', 'schema=analytics_test']);
    expect(other.stdout).toContain('~ standard.warehouseSchema: "analytics_prod" → "analytics_test"');
  });

  it('applies the reviewed values even when a variable is given again with another one', async () => {
    expect((await cli(['plan', '-f', 'm', '--sim', '--var', 'schema=a', '--out', 'plan.json'])).code).toBe(0);
    const applied = await cli(['apply', 'plan.json', '--sim', '--var', 'schema=b']);
    expect(applied.code, applied.stderr).toBe(0);
    const again = await cli(['plan', '-f', 'm', '--sim', '--var', 'schema=a', '--output', 'json']);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ add: 0, change: 0, destroy: 0 });
  });
});
