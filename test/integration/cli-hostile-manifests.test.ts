// Manifests come from pull requests: a hostile tree must be refused by validate, plan --sim and plan against DSS
// alike, with its exact `file:line:col: message`, before any request, and without showing what lies outside the
// tree. Cases that need the file system (links, FIFOs, sizes) are made here at run time; the others are in
// test/fixtures/invalid, copied into a temporary tree.

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured, type CliResult } from '../helpers/cli.js';
import { startTestSimulator, type TestSimulator } from '../helpers/simulator.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUTSIDE_CONTENT = 'OUTSIDE-THE-TREE-a41f9c';
const PROJECT = 'apiVersion: dss-gitops/v1\nkind: Project\nmetadata:\n  name: CHURN\nspec:\n  name: Churn\n  owner: admin\n';

function scenario(scriptFile: string): string {
  return `${PROJECT}---\napiVersion: dss-gitops/v1\nkind: Scenario\nmetadata:\n  name: PY\n  project: CHURN\nspec:\n  type: custom_python\n  scriptFile: ${scriptFile}\n`;
}

function write(file: string, text: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** What must never appear in any output: the outside file made by the tests, and what the fixtures aim at. */
function forbiddenContent(): string[] {
  const forbidden = [OUTSIDE_CONTENT];
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n')[0];
  if (passwd) forbidden.push(passwd);
  try {
    const environ = readFileSync('/proc/self/environ', 'utf8').split('\0').filter((entry) => entry.length > 8);
    forbidden.push(...environ);
  } catch {
    // Not Linux: nothing to leak from there.
  }
  return forbidden;
}

interface HostileCase {
  name: string;
  /** Makes the tree at `tree`; `dir/outside` holds a file with OUTSIDE_CONTENT. */
  build(tree: string): void;
  /** The problem lines, with paths as seen from the run's working directory (the tree is `tree`). */
  expected: string[];
}

function fixtureCase(name: string): HostileCase {
  const source = path.join(ROOT, 'test/fixtures/invalid', name);
  const prefix = `test/fixtures/invalid/${name}/`;
  const expected = readFileSync(path.join(source, 'expected.txt'), 'utf8')
    .split('\n')
    .filter((line) => /^\S+:\d+:\d+: /.test(line))
    .map((line) => `tree/${line.slice(prefix.length)}`);
  return { name, build: (tree) => cpSync(source, tree, { recursive: true, filter: (f) => !f.endsWith('expected.txt') }), expected };
}

const LINK_OUT = 'leads outside the manifests tree; only links inside it are followed';

const cases: HostileCase[] = [
  ...[
    'script-file-traversal',
    'script-file-traversal-device',
    'script-file-absolute',
    'script-file-dev-zero',
    'script-file-proc-environ',
    'folder-path-dot-dot',
    'project-folder-dot-dot',
    'bad-utf8',
    'alias-bomb',
  ].map(fixtureCase),
  {
    name: 'scriptFile that is a FIFO',
    build: (tree) => {
      write(path.join(tree, 'all.yaml'), scenario('scripts/pipe.py'));
      mkdirSync(path.join(tree, 'scripts'));
      execFileSync('mkfifo', [path.join(tree, 'scripts/pipe.py')]);
    },
    expected: ['tree/all.yaml:16:15: scriptFile `scripts/pipe.py` is a FIFO, not a regular file'],
  },
  {
    name: 'scriptFile that is a directory',
    build: (tree) => {
      write(path.join(tree, 'all.yaml'), scenario('scripts'));
      mkdirSync(path.join(tree, 'scripts'));
    },
    expected: ['tree/all.yaml:16:15: scriptFile `scripts` is a directory, not a regular file'],
  },
  {
    name: 'scriptFile through a symbolic link to a file outside the tree',
    build: (tree) => {
      write(path.join(tree, 'all.yaml'), scenario('scripts/leak.py'));
      mkdirSync(path.join(tree, 'scripts'));
      symlinkSync('../../outside/secret.py', path.join(tree, 'scripts/leak.py'));
    },
    expected: ['tree/all.yaml:16:15: scriptFile `scripts/leak.py` leads outside the manifests tree through a symbolic link; it must name a file inside it'],
  },
  {
    name: 'scriptFile through a symbolic link to /dev/zero',
    build: (tree) => {
      write(path.join(tree, 'all.yaml'), scenario('zero.py'));
      symlinkSync('/dev/zero', path.join(tree, 'zero.py'));
    },
    expected: ['tree/all.yaml:16:15: scriptFile `zero.py` leads outside the manifests tree through a symbolic link; it must name a file inside it'],
  },
  {
    name: 'scriptFile through a directory link that leaves the tree',
    build: (tree) => {
      write(path.join(tree, 'all.yaml'), scenario('shared/secret.py'));
      symlinkSync('../outside', path.join(tree, 'shared'));
    },
    expected: [
      'tree/all.yaml:16:15: scriptFile `shared/secret.py` leads outside the manifests tree through a symbolic link; it must name a file inside it',
      `tree/shared:1:1: symbolic link to \`../outside\` ${LINK_OUT}`,
    ],
  },
  {
    name: 'oversize scriptFile',
    build: (tree) => {
      write(path.join(tree, 'all.yaml'), scenario('big.py'));
      write(path.join(tree, 'big.py'), `# ${'x'.repeat(1024 * 1024)}\n`);
    },
    expected: ['tree/all.yaml:16:15: scriptFile `big.py` is larger than 1 MiB, the limit'],
  },
  {
    name: 'scriptFile that is not UTF-8',
    build: (tree) => {
      write(path.join(tree, 'all.yaml'), scenario('latin1.py'));
      write(path.join(tree, 'latin1.py'), Buffer.from('# ok\nprint("\xe9t\xe9")\n', 'latin1'));
    },
    expected: ['tree/all.yaml:16:15: scriptFile `latin1.py` is not valid UTF-8 (byte 0xE9 at line 2, column 8)'],
  },
  {
    name: 'oversize manifest file',
    build: (tree) => write(path.join(tree, 'big.yaml'), `${PROJECT}# ${'x'.repeat(4 * 1024 * 1024)}\n`),
    expected: ['tree/big.yaml:1:1: the manifest file is larger than 4 MiB, the limit'],
  },
  {
    name: 'manifest file that is a FIFO',
    build: (tree) => {
      write(path.join(tree, 'project.yaml'), PROJECT);
      execFileSync('mkfifo', [path.join(tree, 'pipe.yaml')]);
    },
    expected: ['tree/pipe.yaml:1:1: a manifest must be a regular file; this is a FIFO'],
  },
  {
    name: 'symbolic link to a manifest outside the tree',
    build: (tree) => {
      write(path.join(tree, 'project.yaml'), PROJECT);
      symlinkSync('../outside/secret.yaml', path.join(tree, 'leak.yaml'));
    },
    expected: [`tree/leak.yaml:1:1: symbolic link to \`../outside/secret.yaml\` ${LINK_OUT}`],
  },
  {
    name: 'symbolic link to a directory outside the tree',
    build: (tree) => {
      write(path.join(tree, 'project.yaml'), PROJECT);
      symlinkSync(path.join(tree, '../outside'), path.join(tree, 'shared'));
    },
    expected: [`tree/shared:1:1: symbolic link to \`${'DIR'}/outside\` ${LINK_OUT}`],
  },
  {
    name: 'symbolic link loop through a directory',
    build: (tree) => {
      write(path.join(tree, 'sub/project.yaml'), PROJECT);
      symlinkSync('..', path.join(tree, 'sub/up'));
    },
    expected: ['tree/sub/up:1:1: symbolic link to `..` leads back to a directory that holds it: a loop'],
  },
  {
    name: 'loop of symbolic links',
    build: (tree) => {
      write(path.join(tree, 'project.yaml'), PROJECT);
      symlinkSync('b.yaml', path.join(tree, 'a.yaml'));
      symlinkSync('a.yaml', path.join(tree, 'b.yaml'));
    },
    expected: ['tree/a.yaml:1:1: symbolic link to `b.yaml` is a loop of symbolic links', 'tree/b.yaml:1:1: symbolic link to `a.yaml` is a loop of symbolic links'],
  },
  {
    name: 'dangling symbolic link',
    build: (tree) => {
      write(path.join(tree, 'project.yaml'), PROJECT);
      symlinkSync('projects-moved', path.join(tree, 'projects'));
    },
    expected: ['tree/projects:1:1: symbolic link to `projects-moved` is dangling: its target does not exist'],
  },
];

let sim: TestSimulator;
const forbidden = forbiddenContent();

beforeAll(async () => {
  sim = await startTestSimulator();
});

afterAll(async () => {
  await sim.close();
});

function makeRun(hostile: HostileCase): { dir: string; expected: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-hostile-'));
  write(path.join(dir, 'outside/secret.yaml'), `${PROJECT.replace('CHURN', 'LEAKED')}  description: ${OUTSIDE_CONTENT}\n`);
  write(path.join(dir, 'outside/secret.py'), `print("${OUTSIDE_CONTENT}")\n`);
  hostile.build(path.join(dir, 'tree'));
  return { dir, expected: hostile.expected.map((line) => line.replace('DIR', dir)) };
}

function problemLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^\S+:\d+:\d+: /.test(line));
}

function expectNothingLeaked(result: CliResult): void {
  for (const text of forbidden) {
    expect(result.stdout).not.toContain(text);
    expect(result.stderr).not.toContain(text);
  }
}

describe('hostile manifests', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: refused with its exact problem by validate, plan --sim and plan', async (_name, hostile) => {
    const { dir, expected } = makeRun(hostile);
    try {
      const errors = `${expected.length} error${expected.length === 1 ? '' : 's'}: the manifests are not valid.`;
      const validate = await runCliCaptured(['validate', '-f', 'tree'], { env: {}, cwd: dir });
      expect(validate).toEqual({ code: 1, stdout: '', stderr: `${[...expected, errors].join('\n')}\n` });
      expectNothingLeaked(validate);

      const planSim = await runCliCaptured(['plan', '--sim', '-f', 'tree'], { env: {}, cwd: dir });
      expect(planSim.code).toBe(1);
      expect(problemLines(planSim.stderr)).toEqual(expected);
      expect(planSim.stdout).toBe('');
      // The embedded simulator was never started: it keeps its state there.
      expect(existsSync(path.join(dir, '.dss-gitops'))).toBe(false);
      expectNothingLeaked(planSim);

      sim.reset({ stats: true, state: false });
      const plan = await runCliCaptured(['plan', '-f', 'tree', '--output', 'markdown'], { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey }, cwd: dir });
      expect(plan.code).toBe(1);
      expect(problemLines(plan.stderr)).toEqual(expected);
      expect(plan.stdout).toBe('');
      expect(sim.stats().total).toBe(0);
      expectNothingLeaked(plan);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('symbolic links inside the tree', () => {
  it('are followed: to a manifest, to a directory of manifests, to a scriptFile; a file reached twice is read once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-links-'));
    const tree = path.join(dir, 'tree');
    try {
      write(path.join(tree, 'project.yaml'), PROJECT);
      // Reachable only through the links: a dot-directory and a name that is not a manifest's are never walked.
      // The scriptFile is relative to the manifest as found, through the directory link.
      write(path.join(tree, '.store/scenarios/py.yaml'), scenario('../scripts/score.py').split('---\n')[1]!);
      write(path.join(tree, 'library/sales.manifest'), PROJECT.replaceAll('CHURN', 'SALES').replace('Churn', 'Sales'));
      write(path.join(tree, 'library/code/score.py'), 'print("inside the tree")\n');
      symlinkSync('.store/scenarios', path.join(tree, 'scenarios'));
      symlinkSync('library/sales.manifest', path.join(tree, 'sales.yaml'));
      mkdirSync(path.join(tree, 'scripts'));
      symlinkSync('../library/code/score.py', path.join(tree, 'scripts/score.py'));
      // The same file twice: directly and through a second link to it.
      symlinkSync('project.yaml', path.join(tree, 'again.yaml'));

      const validate = await runCliCaptured(['validate', '-f', 'tree'], { env: {}, cwd: dir });
      expect(validate).toEqual({ code: 0, stdout: '3 documents valid.\n', stderr: '' });

      const plan = await runCliCaptured(['plan', '--sim', '-f', 'tree'], { env: {}, cwd: dir });
      expect(plan.stderr).toBe('');
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('+ create Project/CHURN\n');
      expect(plan.stdout).toContain('+ create Project/SALES\n');
      expect(plan.stdout).toContain('+ create Scenario/CHURN/PY\n  + script: "print(\\"inside the tree\\")\\n"\n');
      expect(plan.stdout).toContain('Plan: 5 to add, 0 to change, 0 to destroy.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hold when the -f path itself goes through a symbolic link', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-links-'));
    try {
      write(path.join(dir, 'real/tree/all.yaml'), scenario('scripts/score.py'));
      write(path.join(dir, 'real/tree/scripts/score.py'), 'print("ok")\n');
      symlinkSync('real', path.join(dir, 'checkout'));
      const validate = await runCliCaptured(['validate', '-f', 'checkout/tree'], { env: {}, cwd: dir });
      expect(validate).toEqual({ code: 0, stdout: '2 documents valid.\n', stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prune and symbolic links', () => {
  it('does not delete an object whose manifest became a symbolic link inside the tree', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-link-prune-'));
    const tree = path.join(dir, 'tree');
    const daily = 'apiVersion: dss-gitops/v1\nkind: Scenario\nmetadata:\n  name: DAILY\n  project: CHURN\nspec:\n  type: step_based\n  active: true\n';
    const cli = (argv: string[]): Promise<CliResult> => runCliCaptured(argv, { env: { DSS_URL: sim.url, DSS_API_KEY: sim.adminKey }, cwd: dir });
    try {
      write(path.join(tree, 'project.yaml'), PROJECT);
      write(path.join(tree, 'scenario.yaml'), daily);
      expect((await cli(['apply', '-f', 'tree', '--auto-approve'])).code).toBe(0);
      expect((await sim.call('GET', '/projects/CHURN/scenarios/DAILY')).status).toBe(200);

      rmSync(path.join(tree, 'scenario.yaml'));
      write(path.join(tree, 'library/daily.manifest'), daily);
      symlinkSync('library/daily.manifest', path.join(tree, 'scenario.yaml'));
      sim.reset({ stats: true, state: false });
      const pruned = await cli(['apply', '-f', 'tree', '--auto-approve', '--prune']);
      expect(pruned.stderr).toBe('');
      expect(pruned.stdout).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
      expect(pruned.code).toBe(0);
      expect(sim.stats().writes).toBe(0);
      expect((await sim.call('GET', '/projects/CHURN/scenarios/DAILY')).status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
