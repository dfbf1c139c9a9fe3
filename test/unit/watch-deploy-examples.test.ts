import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { validate as validateCron } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

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

const action = parse(readFileSync(path.resolve(root, '../action.yml'), 'utf8')) as Doc;
const release = parse(readFileSync(path.resolve(root, '../.github/workflows/release.yml'), 'utf8')) as Doc;
/** The dss-gitops action as the examples use it: by the repository's ref (a tag, or a commit SHA once pinned). */
const OWN_ACTION = /^example-org\/dss-gitops@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/;
/** `${secret:NAME}` names of the example manifests: the secrets a workflow passes besides the DSS key. */
const manifestSecrets = new Set(
  readdirSync(path.resolve(root, '../manifests-example'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => [...readFileSync(path.resolve(root, '../manifests-example', f), 'utf8').matchAll(/\$\{secret:([A-Z0-9_]+)\}/g)].map((m) => m[1]!)),
);

function ownAction(doc: Doc): Doc[] {
  return steps(doc).filter((s) => OWN_ACTION.test(String(s.uses)));
}

describe('GitHub Actions examples', () => {
  it('holds the three workflows, all parsed', () => {
    expect([...actions.keys()]).toEqual(['apply.yml', 'drift.yml', 'plan.yml']);
  });

  it('run the CLI through the repository\'s action, never npx of a package name', () => {
    for (const [name, file] of actions) {
      expect(file.text, name).not.toMatch(/\bnpx\b/);
      expect(ownAction(workflow(name)).length, name).toBeGreaterThan(0);
    }
  });

  it('pin every third-party action by full commit SHA with its version in a comment, in the examples and release.yml', () => {
    const texts = [...[...actions].map(([name, f]) => [name, f.text] as const), ['release.yml', readFileSync(path.resolve(root, '../.github/workflows/release.yml'), 'utf8')] as const];
    let checked = 0;
    for (const [name, text] of texts) {
      for (const match of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
        const [, ref, rest] = match;
        if (OWN_ACTION.test(ref!)) continue;
        expect(ref, name).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(rest, `${name}: ${ref}`).toMatch(/^ # v\d+\.\d+\.\d+$/);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(8);
  });

  it('give the action only inputs it declares, and pass only the DSS key and the manifests\' own secrets', () => {
    const inputs = new Set(Object.keys(action.inputs as object));
    const outputs = new Set(Object.keys(action.outputs as object));
    for (const [name, file] of actions) {
      for (const step of ownAction(workflow(name))) {
        for (const input of Object.keys(step.with as object)) expect(inputs.has(input), `${name}: ${input}`).toBe(true);
        for (const [input, spec] of Object.entries(action.inputs as Record<string, Doc>)) {
          if (spec.required) expect(step.with, `${name}: ${input}`).toHaveProperty(input);
        }
      }
      for (const match of file.text.matchAll(/steps\.(\w+)\.outputs\.([\w-]+)/g)) {
        const producer = steps(workflow(name)).find((s) => s.id === match[1]);
        expect(producer, `${name}: ${match[0]}`).toBeDefined();
        if (OWN_ACTION.test(String(producer!.uses))) expect(outputs.has(match[2]!), `${name}: ${match[0]}`).toBe(true);
      }
      for (const match of file.text.matchAll(/\$\{\{\s*secrets\.(\w+)\s*\}\}/g)) {
        expect(match[1] === 'DSS_API_KEY' || manifestSecrets.has(match[1]!), `${name}: secrets.${match[1]}`).toBe(true);
      }
    }
    expect(manifestSecrets.size).toBeGreaterThan(0);
  });

  it('plan.yml validates fork pull requests offline and plans only this repository\'s branches, with the history --changed-since needs', () => {
    const plan = workflow('plan.yml');
    expect(plan.on).toHaveProperty('pull_request');
    const fork = plan.jobs['validate-fork'];
    const same = plan.jobs.plan;
    expect(fork.if).toBe('github.event.pull_request.head.repo.full_name != github.repository');
    expect(same.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(JSON.stringify(fork)).not.toContain('secrets.');
    expect((fork.steps as Doc[]).find((s) => OWN_ACTION.test(String(s.uses)))!.with.command).toBe('validate');
    expect(same.permissions).toMatchObject({ 'pull-requests': 'write' });
    expect((same.steps as Doc[])[0]!.with['fetch-depth']).toBe(0);
  });

  it('plan.yml saves the plan as an artifact and posts the markdown as one comment found by its marker and edited', () => {
    const plan = workflow('plan.yml');
    const all = steps(plan);
    const run = all.find((s) => s.id === 'plan')!;
    expect(run.with).toMatchObject({ command: 'plan', output: 'markdown', 'plan-file': 'plan.json' });
    expect(run.with.args).toContain('--detailed-exitcode');
    expect(run.env.DSS_API_KEY).toBe('${{ secrets.DSS_API_KEY }}');
    const upload = all.find((s) => String(s.uses).startsWith('actions/upload-artifact@'))!;
    expect(upload.with).toMatchObject({ name: 'dss-gitops-plan', path: '${{ steps.plan.outputs.plan-path }}' });
    const comment = all.find((s) => String(s.uses).startsWith('actions/github-script@'))!;
    expect(comment.with.script).toContain("'<!-- dss-gitops-plan -->'");
    expect(comment.with.script).toContain('updateComment');
    expect(comment.with.script).toContain('createComment');
    // The rendered plan carries its own heading: the comment adds none.
    expect(comment.with.script).not.toMatch(/'#+ /);
  });

  it('plan.yml plans under the base branch\'s dss-gitops.yaml and gives the plan step only the variables it needs', () => {
    const plan = workflow('plan.yml');
    expect(plan).not.toHaveProperty('env');
    const same = plan.jobs.plan.steps as Doc[];
    const run = same.find((s) => s.id === 'plan')!;
    const trusted = '${{ runner.temp }}/dss-gitops.yaml';
    // GitHub substitutes the expression before the action splits the arguments on whitespace.
    expect(run.with.args).toContain(`--config ${trusted}`);
    const fetch = same.find((s) => typeof s.run === 'string' && s.run.includes('git show'))!;
    expect(same.indexOf(fetch)).toBeLessThan(same.indexOf(run));
    expect(fetch.env).toEqual({ BASE_REF: '${{ github.base_ref }}', TRUSTED_CONFIG: trusted });
    expect(fetch.run).toContain('git show "origin/$BASE_REF:manifests/dss-gitops.yaml" > "$TRUSTED_CONFIG"');
    // No step but the plan gets a secret, and it gets the DSS connection, the manifests' secrets and the policy only.
    for (const step of same.filter((s) => s !== run)) expect(JSON.stringify(step.env ?? {})).not.toContain('secrets.');
    const expected = new Set(['DSS_URL', 'DSS_API_KEY', 'DSS_GITOPS_ENV_ALLOW', ...manifestSecrets]);
    expect(new Set(Object.keys(run.env as object))).toEqual(expected);
    expect(run.env.DSS_URL).toBe('${{ vars.DSS_URL }}');
    expect(run.env.DSS_GITOPS_ENV_ALLOW).toBe('');
  });

  it('apply.yml applies only the reviewed plan of the merged pull request, and refuses without one', () => {
    const apply = workflow('apply.yml');
    expect(apply.on.push.branches).toEqual(['main']);
    const all = steps(apply);
    const find = all.find((s) => s.id === 'reviewed')!;
    expect(find.with.script).toContain("workflow_id: 'plan.yml'");
    expect(find.with.script).toContain('head_sha: pr.head.sha');
    expect(find.with.script.match(/core\.setFailed/g)).toHaveLength(2);
    const download = all.find((s) => String(s.uses).startsWith('actions/download-artifact@'))!;
    expect(download.with).toMatchObject({ name: 'dss-gitops-plan', 'run-id': '${{ steps.reviewed.outputs.run-id }}' });
    expect(download).not.toHaveProperty('continue-on-error');
    const runs = ownAction(apply);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.with).toEqual({ command: 'apply', 'plan-file': '${{ runner.temp }}/saved-plan/plan.json' });
    expect(JSON.stringify(apply)).not.toContain('--auto-approve');
  });

  it('drift.yml runs drift on a valid schedule and opens or updates an issue on exit code 2', () => {
    const drift = workflow('drift.yml');
    for (const entry of drift.on.schedule as Array<{ cron: string }>) expect(validateCron(entry.cron)).toBe(true);
    expect(drift.permissions).toMatchObject({ issues: 'write' });
    const all = steps(drift);
    expect(all.find((s) => s.id === 'drift')!.with).toMatchObject({ command: 'drift', output: 'markdown' });
    const issue = all.find((s) => String(s.uses).startsWith('actions/github-script@'))!;
    expect(issue.with.script).toContain("process.env.EXIT_CODE === '2'");
    expect(issue.with.script).toContain('issues.create');
  });

  it('release.yml tests, then publishes npm with provenance and the image with provenance and SBOM, on a version tag', () => {
    expect(release.on.push.tags).toEqual(['v*.*.*']);
    expect(release.jobs.npm.needs).toBe('test');
    expect(release.jobs.image.needs).toBe('test');
    expect(JSON.stringify(release.jobs.test.steps)).toContain('.ci/run');
    expect((release.jobs.npm.steps as Doc[]).map((s) => s.run).join('\n')).toContain('npm publish --provenance');
    expect(release.jobs.npm.permissions['id-token']).toBe('write');
    const build = (release.jobs.image.steps as Doc[]).find((s) => String(s.uses).startsWith('docker/build-push-action@'))!;
    expect(build.with).toMatchObject({ provenance: 'mode=max', sbom: true, push: true });
  });
});

describe('Kubernetes examples', () => {
  it('declares each object once, with the expected kinds', () => {
    const kinds = [...kube.values()].flatMap((f) => f.docs.map((d) => `${d.apiVersion} ${d.kind}`)).sort();
    expect(kinds).toEqual([
      'apps/v1 Deployment',
      'batch/v1 CronJob',
      'monitoring.coreos.com/v1 PrometheusRule',
      'v1 Secret',
      'v1 Secret',
      'v1 Secret',
      'v1 Service',
    ]);
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

/** Metric names that `watch` serves, read from the code, with the series a histogram adds. */
const METRICS = new Set(
  [...readFileSync(path.resolve(root, '../src/watch/metrics.ts'), 'utf8').matchAll(/name: '(dss_gitops_\w+)'/g)].flatMap((m) => [
    m[1]!,
    `${m[1]!}_bucket`,
    `${m[1]!}_sum`,
    `${m[1]!}_count`,
  ]),
);
const metricsIn = (expr: string): string[] => expr.match(/\bdss_gitops_\w+/g) ?? [];
const pods = (): Array<[string, Doc]> => [
  ['watch', kind('Deployment').spec.template.spec],
  ['drift', kind('CronJob').spec.jobTemplate.spec.template.spec],
];

describe('Kubernetes examples: private repositories, the image, monitoring', () => {
  it('every container that runs git can read an https token or an SSH key mounted from an optional Secret', () => {
    const secrets = new Map(
      [...kube.values()].flatMap((f) => f.docs).filter((d) => d.kind === 'Secret').map((d) => [d.metadata.name as string, Object.keys(d.stringData as object)]),
    );
    let checked = 0;
    for (const [name, pod] of pods()) {
      const containers = [...((pod.initContainers ?? []) as Doc[]), ...(pod.containers as Doc[])];
      const cloning = containers.filter((c) => c.command?.[0] === 'git' || (c.args as string[]).includes('--git-url'));
      expect(cloning.length, name).toBe(1);
      for (const container of cloning) {
        const env = new Map((container.env as Doc[]).map((e) => [e.name as string, e.value as string | undefined]));
        const files = [
          /--file=(\S+)/.exec(env.get('GIT_CONFIG_VALUE_0') ?? '')?.[1],
          /-i (\S+)/.exec(env.get('GIT_SSH_COMMAND') ?? '')?.[1],
          /UserKnownHostsFile=(\S+)/.exec(env.get('GIT_SSH_COMMAND') ?? '')?.[1],
        ];
        expect(env.get('GIT_SSH_COMMAND'), name).toContain('StrictHostKeyChecking=yes');
        for (const file of files) {
          expect(file, name).toBeDefined();
          const mount = (container.volumeMounts as Doc[]).find((m) => file!.startsWith(`${m.mountPath as string}/`));
          expect(mount, `${name}: ${file}`).toBeDefined();
          const volume = (pod.volumes as Doc[]).find((v) => v.name === mount!.name)!;
          expect(volume.secret.optional, `${name}: ${file}`).toBe(true);
          expect(secrets.get(volume.secret.secretName as string), `${name}: ${file}`).toContain(path.posix.basename(file!));
          checked += 1;
        }
      }
    }
    expect(checked).toBe(6);
  });

  it('HOME and the paths the workloads read are on writable mounted volumes, under a read-only root filesystem', () => {
    for (const [name, pod] of pods()) {
      for (const container of [...((pod.initContainers ?? []) as Doc[]), ...(pod.containers as Doc[])]) {
        const mounts = (container.volumeMounts as Doc[]).filter((m) => !m.readOnly).map((m) => m.mountPath as string);
        const home = (container.env as Doc[]).find((e) => e.name === 'HOME')?.value as string;
        expect(mounts, `${name}/${container.name}`).toContain(home);
        expect(mounts, `${name}/${container.name}`).toContain('/tmp');
        expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
        const args = (container.args ?? []) as string[];
        const manifestArg = args[args.indexOf('-f') + 1];
        if (args.includes('-f')) expect(mounts.some((m) => manifestArg!.startsWith(`${m}/`)), manifestArg).toBe(true);
      }
    }
  });

  it('the image runs the CLI under tini, with HOME outside the image and the mounted checkout', () => {
    const dockerfile = readFileSync(path.resolve(root, '../Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/apt-get install [^\n]*\btini\b/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "dss-gitops"\]$/m);
    expect(dockerfile).toMatch(/^ENV HOME=\/tmp$/m);
    expect(dockerfile).toMatch(/^WORKDIR \/workspace$/m);
    // The example pods run the image's entrypoint (their `args` only), except the clone, which runs git itself.
    for (const [, pod] of pods()) for (const c of pod.containers as Doc[]) expect(c.command, c.name as string).toBeUndefined();
  });

  it('alerting rules use only metrics watch serves, each with a severity and a summary', () => {
    const rules = (kind('PrometheusRule').spec.groups as Doc[]).flatMap((g) => g.rules as Doc[]);
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['DssGitopsDrift', 'DssGitopsRunsFailing', 'DssGitopsNoRecentSuccess']));
    for (const rule of rules) {
      for (const metric of metricsIn(rule.expr as string)) expect(METRICS.has(metric), `${rule.alert}: ${metric}`).toBe(true);
      expect(rule.labels.severity, rule.alert).toBeDefined();
      expect(rule.annotations.summary, rule.alert).toBeDefined();
    }
    expect(rules.filter((r) => metricsIn(r.expr as string).length > 0).length).toBeGreaterThanOrEqual(5);
  });

  it('the Grafana dashboard parses and charts only metrics watch serves, covering every one of them', () => {
    const dashboard = JSON.parse(readFileSync(path.join(root, 'kubernetes/grafana-dashboard.json'), 'utf8')) as Doc;
    const exprs = (dashboard.panels as Doc[]).flatMap((p) => (p.targets as Doc[]).map((t) => t.expr as string));
    const used = new Set(exprs.flatMap(metricsIn));
    for (const metric of used) expect(METRICS.has(metric), metric).toBe(true);
    const served = [...METRICS].filter((m) => !/_(bucket|sum|count)$/.test(m));
    for (const metric of served) expect([...used].some((u) => u.startsWith(metric)), metric).toBe(true);
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
      // Actions pinned by commit SHA (`uses: owner/name@<40 hex>`) are not tokens.
      const tokenLike = (file.text.replace(/@[0-9a-f]{40}\b/g, '@').match(/\b[A-Za-z0-9_-]{24,}\b/g) ?? []).filter((w) => /\d/.test(w) && /[A-Za-z]/.test(w));
      expect(tokenLike, name).toEqual([]);
    }
    const secretValues = [...kube.values()].flatMap((f) => f.docs).filter((d) => d.kind === 'Secret')
      .flatMap((d) => Object.values(d.stringData as Record<string, string>));
    for (const value of secretValues) expect(value).toMatch(/^<replace with .+>$/);
  });
});
