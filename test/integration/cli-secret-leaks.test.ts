// Manifests are pull-request input, run with the runner's credentials in the environment: they cannot read the
// credentials, nor read a `${secret:..}` variable in clear, and the value of every known secret is scrubbed from
// every output (plans in each format, plan files, show, apply, drift, webhooks), whatever field it shows in.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo, runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';
import { editFile, webhookReceiver } from '../helpers/watch.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');
/** Quotes, a slash, a space and a dollar: its JSON-escaped and URL-encoded forms differ from it. */
const PASSWORD = 'Wh-Pa$$/w0rd "q"';
const DEPLOYER_KEY = 'deployer-key-4242';
const PROJECT = 'projects/CHURN/project.yaml';
const SHORT_DESC = 'shortDesc: Nightly churn scores for the retention team';

let sim: TestSimulator;
let dir: string;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey, WAREHOUSE_PASSWORD: PASSWORD, ...extra };
}

async function cli(argv: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  return runCliCaptured(argv, { env: env(extra), cwd: dir });
}

/** Every form in which a secret of these tests could show. */
function forms(): string[] {
  const values = [PASSWORD, sim.adminKey, DEPLOYER_KEY];
  return values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v), Buffer.from(`${v}:`).toString('base64')]);
}

function expectNoSecret(text: string, what: string): void {
  for (const form of forms()) expect(text, `${what} shows ${form}`).not.toContain(form);
}

beforeEach(async () => {
  sim = await startTestSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-leaks-'));
  cpSync(EXAMPLE, path.join(dir, 'm'), { recursive: true });
});

afterEach(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a manifest reading credentials or secrets in clear', () => {
  it.each([
    ['${env:DSS_API_KEY}', 'holds the credentials of dss-gitops'],
    ['${secret:DSS_API_KEY}', 'holds the credentials of dss-gitops'],
    ['${env:DSS_DEPLOYER_API_KEY}', 'holds the credentials of dss-gitops'],
    ['${env:WAREHOUSE_PASSWORD}', 'WAREHOUSE_PASSWORD is read as a secret in this run (`${secret:WAREHOUSE_PASSWORD}`'],
  ])('%s is refused at its place, before any request, in validate, plan and apply', async (reference, reason) => {
    editFile(path.join(dir, 'm', PROJECT), SHORT_DESC, `shortDesc: "key ${reference}"`);
    for (const argv of [['validate', '-f', 'm'], ['plan', '-f', 'm'], ['plan', '-f', 'm', '--output', 'json'], ['apply', '-f', 'm', '--auto-approve']]) {
      const result = await cli(argv, { DSS_DEPLOYER_URL: sim.url, DSS_DEPLOYER_API_KEY: DEPLOYER_KEY });
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr).toContain(`m/${PROJECT}:10:14: \`${reference}\` is refused: `);
      expect(result.stderr).toContain(reason);
      expectNoSecret(result.stdout + result.stderr, argv.join(' '));
    }
    expect(sim.stats().total).toBe(0);
  });

  it('the configuration reads the key into a node, and nowhere else', async () => {
    const config = path.join(dir, 'm', 'dss-gitops.yaml');
    writeFileSync(config, 'nodes:\n  design:\n    url: ${env:DSS_URL}\n    apiKey: ${env:DSS_API_KEY}\nsource: tree\n');
    const ok = await cli(['plan', '-f', 'm'], { DSS_URL: sim.url });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Plan: ');
    writeFileSync(config, 'nodes:\n  design:\n    apiKey: ${env:DSS_API_KEY}\nsource: ${env:DSS_API_KEY}\n');
    const refused = await cli(['plan', '-f', 'm']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('m/dss-gitops.yaml:4:9: `${env:DSS_API_KEY}` is refused here');
    expectNoSecret(refused.stdout + refused.stderr, 'plan');
  });

  it('interpolation.envAllow of dss-gitops.yaml limits what ${env:..} reads', async () => {
    writeFileSync(path.join(dir, 'm', 'dss-gitops.yaml'), 'interpolation:\n  envAllow: [CHURN_*]\n');
    editFile(path.join(dir, 'm', PROJECT), SHORT_DESC, 'shortDesc: ${env:CHURN_NOTE}');
    expect((await cli(['validate', '-f', 'm'], { CHURN_NOTE: 'n' })).code).toBe(0);
    editFile(path.join(dir, 'm', PROJECT), 'owner: admin', 'owner: ${env:OWNER}');
    const refused = await cli(['validate', '-f', 'm'], { CHURN_NOTE: 'n', OWNER: 'admin' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`m/${PROJECT}:9:10: \`\${env:OWNER}\` is refused: OWNER is not listed in \`interpolation.envAllow\``);
  });
});

describe('secret values in fields of any name', () => {
  beforeEach(async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    // Someone pasted the password and the API key into the description on DSS.
    const metadata = await sim.ok<Record<string, unknown>>('GET', '/projects/CHURN/metadata');
    await sim.ok('PUT', '/projects/CHURN/metadata', { ...metadata, description: `pw ${PASSWORD} key ${sim.adminKey}` });
  });

  it('are scrubbed from plans in every format, the plan file, show and drift', async () => {
    const outputs: string[] = [];
    for (const output of ['text', 'json', 'markdown']) {
      const plan = await cli(['plan', '-f', 'm', '--output', output]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('description');
      expect(plan.stdout).toContain('[redacted]');
      // The JSON output stays one JSON document.
      if (output === 'json') expect(JSON.parse(plan.stdout)).toHaveProperty('resource_changes');
      outputs.push(plan.stdout + plan.stderr);
      const drift = await cli(['drift', '-f', 'm', '--output', output]);
      expect(drift.code).toBe(2);
      expect(drift.stdout).toContain('description');
      outputs.push(drift.stdout + drift.stderr);
    }
    const file = path.join(dir, 'plan.json');
    const saved = await cli(['plan', '-f', 'm', '--out', file]);
    expect(saved.code).toBe(0);
    outputs.push(saved.stdout + saved.stderr, readFileSync(file, 'utf8'));
    for (const output of ['text', 'json', 'markdown']) {
      // show runs without the secrets in its environment: only the file keeps them out.
      const shown = await runCliCaptured(['show', file, '--output', output], { env: {}, cwd: dir });
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('description');
      outputs.push(shown.stdout + shown.stderr);
    }
    outputs.forEach((text, i) => expectNoSecret(text, `output ${i}`));
  });

  it('given through ${var:..}, are hashed in the plan file and written by applying it', async () => {
    editFile(path.join(dir, 'm', PROJECT), SHORT_DESC, 'shortDesc: ${var:note}');
    const note = `note ${PASSWORD}`;
    const file = path.join(dir, 'plan.json');
    const plan = await cli(['plan', '-f', 'm', '--var', `note=${note}`, '--out', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('shortDesc: "Nightly churn scores for the retention team" → "note [redacted]"');
    const apply = await cli(['apply', file, '--var', `note=${note}`]);
    expect(apply.code).toBe(0);
    expectNoSecret(plan.stdout + plan.stderr + apply.stdout + apply.stderr + readFileSync(file, 'utf8'), 'plan and apply');
    expect(await sim.ok('GET', '/projects/CHURN/metadata')).toMatchObject({ shortDesc: note });
  });

  it('given through ${var:..}, are left out of the plan file and asked for again by apply', async () => {
    editFile(path.join(dir, 'm', PROJECT), SHORT_DESC, 'shortDesc: ${var:note}');
    const file = path.join(dir, 'plan.json');
    expect((await cli(['plan', '-f', 'm', '--var', `note=note ${PASSWORD}`, '--var', 'team=data', '--out', file])).code).toBe(0);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { manifests: { vars: Record<string, string>; withheldVars: string[] } };
    expect(saved.manifests.vars).toEqual({ team: 'data' });
    expect(saved.manifests.withheldVars).toEqual(['note']);
    sim.reset({ stats: true, state: false });
    const apply = await cli(['apply', file]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('--var note');
    expect(sim.stats().total).toBe(0);
  });
});

describe('a DSS error quoting a value it was sent', () => {
  let proxy: Server;
  let proxyUrl: string;

  beforeEach(async () => {
    // DSS in front of which the metadata update fails with a message quoting the body it was sent.
    proxy = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'PUT' && req.url?.endsWith('/projects/CHURN/metadata')) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errorType: 'IllegalArgumentException', message: `Invalid metadata: ${body}` }));
          return;
        }
        void request(`${sim.url}${req.url ?? ''}`, { method: req.method as 'GET', headers: req.headers, body: body === '' ? null : body })
          .then(async (answer) => {
            res.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type'] ?? 'application/json') });
            res.end(await answer.body.text());
          })
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it('is scrubbed from apply in every format', async () => {
    editFile(path.join(dir, 'm', PROJECT), SHORT_DESC, 'shortDesc: ${var:note}');
    for (const output of ['text', 'json', 'markdown']) {
      const apply = await cli(['apply', '-f', 'm', '--auto-approve', '--output', output, '--var', `note=x ${PASSWORD}`], { DSS_URL: proxyUrl });
      expect(apply.code).toBe(1);
      expect(apply.stdout + apply.stderr).toContain('Invalid metadata');
      expectNoSecret(apply.stdout + apply.stderr, `apply ${output}`);
    }
  });
});

describe('watch', () => {
  it('posts webhook messages and logs without the secrets, whatever the drifted field is named', async () => {
    expect((await cli(['apply', '-f', 'm', '--auto-approve'])).code).toBe(0);
    const vars = await sim.ok<{ standard: Record<string, unknown> }>('GET', '/projects/CHURN/variables/');
    await sim.ok('PUT', '/projects/CHURN/variables/', { ...vars, standard: { ...vars.standard, [`k-${PASSWORD}`]: 1 } });
    const hook = await webhookReceiver();
    try {
      const captured = captureIo(env(), dir);
      const exit = runCli(['watch', '-f', 'm', '--schedule', '0 0 1 1 *', '--webhook', hook.url], captured.io);
      await vi.waitFor(() => expect(hook.messages.length).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
      process.emit('SIGTERM');
      expect(await exit).toBe(0);
      const payload = JSON.stringify(hook.messages);
      expect(payload).toContain('Project/CHURN#variables');
      expect(payload).toContain('[redacted]');
      expectNoSecret(payload + captured.stdout() + captured.stderr(), 'watch');
    } finally {
      await hook.close();
    }
  });
});
