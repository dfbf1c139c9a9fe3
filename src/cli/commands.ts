// The explicit list of commands. Adding a command: write src/cli/<command>.ts exporting a registrar, add it here.
//
// A registrar is loaded only when its command runs: loading one pulls in everything its command needs (undici, ajv
// and the schemas, the simulator, pino...), which `--version`, `--help` and every other command must not pay for.
// The program's help lists every command from the term and description written here; a test checks that they are
// the ones the registrars declare.

import type { CommandRegistrar } from './program.js';

export interface CommandEntry {
  name: string;
  /** The command's line in the program's help, as commander writes it from the registrar: `apply [options] [planfile]`. */
  term: string;
  description: string;
  load(): Promise<CommandRegistrar>;
  /** The command reads the whole program (completion lists every command's flags): every registrar is loaded. */
  wholeProgram?: true;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: 'validate',
    term: 'validate [options]',
    description: 'check manifests offline: schema, references, interpolation',
    load: async () => (await import('./validate.js')).registerValidate,
  },
  {
    name: 'plan',
    term: 'plan [options]',
    description: 'show what apply would change, without changing anything',
    load: async () => (await import('./plan.js')).registerPlan,
  },
  {
    name: 'apply',
    term: 'apply [options] [planfile]',
    description: 'write the changes of a plan to DSS (GET-modify-PUT of the declared fields only)',
    load: async () => (await import('./apply.js')).registerApply,
  },
  {
    name: 'show',
    term: 'show [options] <planfile>',
    description: 'print a plan saved with `plan --out`',
    load: async () => (await import('./show.js')).registerShow,
  },
  {
    name: 'drift',
    term: 'drift [options]',
    description: 'report what changed in DSS since the last apply (exit 2), manifest changes not applied yet, and unmanaged objects',
    load: async () => (await import('./drift.js')).registerDrift,
  },
  {
    name: 'watch',
    term: 'watch [options]',
    description: 'detect drift on a schedule (and repair it with --self-heal), with health, readiness and Prometheus endpoints',
    load: async () => (await import('./watch.js')).registerWatch,
  },
  {
    name: 'promote',
    term: 'promote [options] <deployment>',
    description: "move the bundle a healthy deployment runs to the next stage's deployment, through its manifest",
    load: async () => (await import('./promote.js')).registerPromote,
  },
  {
    name: 'sim',
    term: 'sim [options]',
    description: 'run a DSS public API simulator (design node and deployer) until interrupted',
    load: async () => (await import('./sim.js')).registerSim,
  },
  {
    name: 'demo',
    term: 'demo',
    description: 'a demonstration on a copy of the example: plan, apply, a change in DSS, deployments and a promotion',
    load: async () => (await import('./demo.js')).registerDemo,
  },
  {
    name: 'export',
    term: 'export [options]',
    description: 'write manifests from live DSS objects (GET requests only; secrets become ${secret:NAME} references)',
    load: async () => (await import('./export.js')).registerExport,
  },
  {
    name: 'state',
    term: 'state',
    description: 'read and edit what this manifests tree manages (the ownership records on DSS)',
    load: async () => (await import('./state.js')).registerState,
  },
  {
    name: 'graph',
    term: 'graph [options]',
    description: 'print the dependency graph of the manifests as Graphviz DOT (offline; dashed edges only order writes)',
    load: async () => (await import('./graph.js')).registerGraph,
  },
  {
    name: 'completion',
    term: 'completion <shell>',
    description: 'print a shell completion script: source <(dss-gitops completion bash), or | source in fish',
    load: async () => (await import('./completion.js')).registerCompletion,
    wholeProgram: true,
  },
  {
    name: 'import',
    term: 'import [options] <address>',
    description: 'adopt one existing DSS object: write its manifest into the -f directory (as export does) and record it as managed',
    load: async () => (await import('./import.js')).registerImport,
  },
  {
    name: 'destroy',
    term: 'destroy [options]',
    description: 'delete everything this manifests tree manages (its ownership records), or the --target objects; protected objects never',
    load: async () => (await import('./destroy.js')).registerDestroy,
  },
  {
    name: 'fmt',
    term: 'fmt [options]',
    description: 'rewrite manifest files in canonical form: keys in schema order, 2-space indent, comments kept',
    load: async () => (await import('./fmt.js')).registerFmt,
  },
  {
    name: 'force-unlock',
    term: 'force-unlock [options] <lock-id>',
    description: 'break the run lock of a run that is gone; only the lock with this id is removed',
    load: async () => (await import('./force-unlock.js')).registerForceUnlock,
  },
];
