import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { validate as validateCron } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// The deployment examples are documentation users copy: they must parse, and keep the fields that make them work.

const root = path.resolve(import.meta.dirname, '../../examples');
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function loadAll(dir: string): Map<string, { text: string; docs: Doc[] }> {
  const files = new Map<string, { text: string; docs: Doc[] }>();
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const text = readFileSync(path.join(root, dir, name), 'utf8');
    const parsed = parseAllDocuments(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const doc of list) expect(doc.errors, `${dir}/${name}`).toEqual([]);
    files.set(name, { text, docs: list.map((doc) => doc.toJS() as Doc) });
  }
  return files;
}

const actions = loadAll('github-actions');
const kube = loadAll('kubernetes');

function workflow(name: string): Doc {
  const file = actions.get(name);
  expect(file, name).toBeDefined();
  return file!.docs[0]!;
}

function steps(doc: Doc): Doc[] {
  return Object.values(doc.jobs as Record<string, Doc>).flatMap((job) => job.steps as Doc[]);
}

function kind(kindName: string): Doc {
  const found = [...kube.values()].flatMap((f) => f.docs).filter((d) => d.kind === kindName);
  expect(found, kindName).toHaveLength(1);
  return found[0]!;
}

describe('GitHub Actions examples', () => {
  it('holds the three workflows, all parsed', () => {
    expect([...actions.keys()]).toEqual(['apply.yml', 'drift.yml', 'plan.yml']);
  });

  it('plan.yml posts the markdown plan as one comment found by its marker, and uploads the saved plan', () => {
    const plan = workflow('plan.yml');
    expect(plan.on).toHaveProperty('pull_request');
    expect(plan.permissions).toMatchObject({ 'pull-requests': 'write' });
    const all = steps(plan);
    const run = all.find((s) => s.id === 'plan')!;
    expect(run.run).toMatch(/dss-gitops@\$\{DSS_GITOPS_VERSION\}" plan .*--out plan\.json --output markdown/s);
    expect(run.env).toEqual({ DSS_API_KEY: '${{ secrets.DSS_API_KEY }}' });
    const upload = all.find((s) => String(s.uses).startsWith('actions/upload-artifact@'))!;
    expect(upload.with).toMatchObject({ name: 'dss-gitops-plan', path: 'plan.json' });
    const comment = all.find((s) => String(s.uses).startsWith('actions/github-script@'))!;
    expect(comment.with.script).toContain("'<!-- dss-gitops-plan -->'");
    expect(comment.with.script).toContain('updateComment');
    expect(comment.with.script).toContain('createComment');
  });

  it('apply.yml applies the reviewed plan when available, else plans and applies with --auto-approve', () => {
    const apply = workflow('apply.yml');
    expect(apply.on.push.branches).toEqual(['main']);
    const all = steps(apply);
    const download = all.find((s) => String(s.uses).startsWith('actions/download-artifact@'))!;
    expect(download.with).toMatchObject({ name: 'dss-gitops-plan' });
    const run = all.find((s) => s.name === 'Apply')!;
    expect(run.run).toContain('apply saved-plan/plan.json');
    expect(run.run).toContain('apply -f "$MANIFESTS" --auto-approve');
    expect(run.env.DSS_API_KEY).toBe('${{ secrets.DSS_API_KEY }}');
  });

  it('drift.yml runs drift on a valid schedule and opens or updates an issue on exit code 2', () => {
    const drift = workflow('drift.yml');
    for (const entry of drift.on.schedule as Array<{ cron: string }>) expect(validateCron(entry.cron)).toBe(true);
    expect(drift.permissions).toMatchObject({ issues: 'write' });
    const all = steps(drift);
    expect(all.find((s) => s.id === 'drift')!.run).toContain('drift -f "$MANIFESTS" --output markdown');
    const issue = all.find((s) => String(s.uses).startsWith('actions/github-script@'))!;
    expect(issue.with.script).toContain("process.env.EXIT_CODE === '2'");
    expect(issue.with.script).toContain('issues.create');
  });
});

describe('Kubernetes examples', () => {
  it('declares each object once, with the expected kinds', () => {
    const kinds = [...kube.values()].flatMap((f) => f.docs.map((d) => `${d.apiVersion} ${d.kind}`)).sort();
    expect(kinds).toEqual(['apps/v1 Deployment', 'batch/v1 CronJob', 'v1 Secret', 'v1 Secret', 'v1 Service']);
  });

  it('runs watch with probes on /healthz and /readyz, scrape annotations, and a non-root, read-only container', () => {
    const deployment = kind('Deployment');
    expect(deployment.spec.replicas).toBe(1);
    const pod = deployment.spec.template;
    expect(pod.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9090',
      'prometheus.io/path': '/metrics',
    });
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    const container = pod.spec.containers[0];
    const args = container.args as string[];
    expect(args[0]).toBe('watch');
    for (const flag of ['--git-url', '--schedule', '--listen']) expect(args).toContain(flag);
    // The webhook URL is a credential: from the Secret through the environment, not an argument of the pod spec.
    expect(args).not.toContain('--webhook');
    const webhook = (container.env as Doc[]).find((e) => e.name === 'DSS_GITOPS_WEBHOOK_URL');
    expect(webhook).toEqual({ name: 'DSS_GITOPS_WEBHOOK_URL', valueFrom: { secretKeyRef: { name: 'dss-gitops', key: 'WEBHOOK_URL', optional: true } } });
    expect(args[args.indexOf('--listen') + 1]).toBe('0.0.0.0:9090');
    expect(validateCron(args[args.indexOf('--schedule') + 1]!)).toBe(true);
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    const apiKey = (container.env as Doc[]).find((e) => e.name === 'DSS_API_KEY')!;
    expect(apiKey).toEqual({ name: 'DSS_API_KEY', valueFrom: { secretKeyRef: { name: 'dss-gitops', key: 'DSS_API_KEY' } } });
  });

  it('runs drift from a CronJob that never overlaps nor retries, with the key from the Secret', () => {
    const cron = kind('CronJob');
    expect(validateCron(cron.spec.schedule)).toBe(true);
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(cron.spec.jobTemplate.spec.backoffLimit).toBe(0);
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    const container = pod.containers[0];
    expect(container.args[0]).toBe('drift');
    expect((container.env as Doc[]).find((e) => e.name === 'DSS_API_KEY')!.valueFrom.secretKeyRef.name).toBe('dss-gitops');
  });

  it('points the Service at the container port the probes and Prometheus use', () => {
    const service = kind('Service');
    const deployment = kind('Deployment');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports).toEqual([{ name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' }]);
  });

  it('the Secret names every key the workloads read', () => {
    const secretKeys = new Set(
      [...kube.values()].flatMap((f) => f.docs).filter((d) => d.kind === 'Secret' && d.metadata.name === 'dss-gitops')
        .flatMap((d) => Object.keys(d.stringData as object)),
    );
    const refs = [kind('Deployment').spec.template.spec, kind('CronJob').spec.jobTemplate.spec.template.spec]
      .flatMap((pod: Doc) => (pod.containers as Doc[]).flatMap((c) => (c.env ?? []) as Doc[]))
      .map((e) => e.valueFrom?.secretKeyRef)
      .filter((ref): ref is Doc => ref !== undefined);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(secretKeys.has(ref.key as string), ref.key as string).toBe(true);
  });
});

describe('secrets in examples', () => {
  const everyFile = [...actions.entries(), ...kube.entries()];

  it('holds no literal API key: env values for keys come from secrets, and Secret values are placeholders', () => {
    for (const [name, file] of everyFile) {
      for (const match of file.text.matchAll(/DSS_API_KEY:\s*(.+)/g)) {
        expect(match[1], name).toMatch(/^(\$\{\{ secrets\.DSS_API_KEY \}\}|"<replace with [^"]+>")$/);
      }
      // Anything that looks like a token: a long run of key characters mixing letters and digits.
      const tokenLike = (file.text.match(/\b[A-Za-z0-9_-]{24,}\b/g) ?? []).filter((w) => /\d/.test(w) && /[A-Za-z]/.test(w));
      expect(tokenLike, name).toEqual([]);
    }
    const secretValues = [...kube.values()].flatMap((f) => f.docs).filter((d) => d.kind === 'Secret')
      .flatMap((d) => Object.values(d.stringData as Record<string, string>));
    for (const value of secretValues) expect(value).toMatch(/^<replace with .+>$/);
  });
});
