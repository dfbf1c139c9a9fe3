// Code environments of the simulated design node (`/admin/code-envs/...`): their stored definitions, and the
// builds DSS runs when an env is created or its packages are updated.
//
// DSS answers these builds only when they are over (Dataiku's official client blocks on `create_code_env` and
// `update_packages`, and reads `messages` from the answer: no future). A build is simulated by a pause
// (`buildMs`, plus `perPackageMs` per requested package) and a package index:
// - every well-formed requirement resolves, except a package whose name starts with `missing-` or `no-such-`,
//   which the simulated index does not have (pip's "No matching distribution found"), and a line pip cannot
//   parse ("Invalid requirement");
// - the Python interpreters installed are PYTHON39 to PYTHON312 (and CUSTOM with a path); an older known one
//   (PYTHON27 to PYTHON38) is not installed, and creating an env with it fails.
// A failed creation leaves no env behind; a failed package update keeps the saved spec and the packages that
// were installed before. Either way the answer is 200 with `messages.error: true` (what the official client
// tests) and the tail of the build log in the error message's `details`; an update's whole log is also kept under
// `/logs/`.

import type { Json } from '../design/state.js';

export type EnvLang = 'PYTHON' | 'R';

export interface CodeEnvLog {
  name: string;
  lastModified: number;
  text: string;
}

export interface CodeEnvRecord {
  /** The whole definition `GET /admin/code-envs/{lang}/{name}` answers, fields DSS knows nothing about included. */
  settings: Json;
  logs: CodeEnvLog[];
}

export interface CodeEnvsState {
  /** By `LANG/name`. Names are unique across languages, as in DSS. */
  envs: Record<string, CodeEnvRecord>;
  /** How long a build takes, in real milliseconds: the request answers when it is over. */
  buildMs: number;
  perPackageMs: number;
}

export function createCodeEnvsState(): CodeEnvsState {
  return { envs: {}, buildMs: 20, perPackageMs: 2 };
}

export const INSTALLED_INTERPRETERS = ['PYTHON39', 'PYTHON310', 'PYTHON311', 'PYTHON312'] as const;
export const MISSING_INTERPRETERS = ['PYTHON27', 'PYTHON34', 'PYTHON35', 'PYTHON36', 'PYTHON37', 'PYTHON38'] as const;
export const DESIGN_DEPLOYMENT_MODES = ['DESIGN_MANAGED', 'DESIGN_NON_MANAGED', 'EXTERNAL_CONDA_NAMED'] as const;

const PYTHON_VERSIONS: Record<string, string> = {
  PYTHON39: '3.9.18',
  PYTHON310: '3.10.13',
  PYTHON311: '3.11.7',
  PYTHON312: '3.12.1',
  CUSTOM: '3.11.7',
};

const CORE_PACKAGES: Record<string, string[]> = {
  PANDAS13: ['pandas==1.3.5', 'numpy==1.21.6', 'python-dateutil==2.8.2', 'pytz==2023.3', 'requests==2.31.0'],
  PANDAS22: ['pandas==2.2.2', 'numpy==1.26.4', 'python-dateutil==2.9.0', 'pytz==2024.1', 'requests==2.32.3'],
};
const R_CORE_PACKAGES = ['IRkernel==1.3.2', 'repr==1.1.7', 'httr==1.4.7', 'RJSONIO==1.3-1.9', 'dplyr==1.1.4'];
const JUPYTER_PACKAGES = ['ipykernel==6.29.4'];
const BASE_PACKAGES = ['pip==23.3.1', 'setuptools==69.0.2', 'wheel==0.42.0'];

/** `PYTHON`, `python` → `PYTHON`; anything else is not a language DSS has code envs for. */
export function envLangOf(raw: string): EnvLang | undefined {
  const upper = raw.toUpperCase();
  return upper === 'PYTHON' || upper === 'R' ? upper : undefined;
}

export function envKey(lang: EnvLang, name: string): string {
  return `${lang}/${name}`;
}

/** The env of that name, in whichever language it is (names are unique across languages). */
export function findByName(state: CodeEnvsState, name: string): CodeEnvRecord | undefined {
  return state.envs[envKey('PYTHON', name)] ?? state.envs[envKey('R', name)];
}

/** One DSS info message (`InfoMessages.messages[]`). */
export interface InfoMessage {
  severity: 'INFO' | 'SUCCESS' | 'WARNING' | 'ERROR';
  isFatal: boolean;
  code: string;
  title: string;
  message: string;
  details: string;
}

/** DSS's `InfoMessages`: the flags the official client tests, and the messages. */
export function infoMessages(messages: InfoMessage[]): Json {
  const has = (severity: InfoMessage['severity']): boolean => messages.some((m) => m.severity === severity);
  return {
    anyMessage: messages.length > 0,
    success: has('SUCCESS'),
    warning: has('WARNING'),
    error: has('ERROR'),
    fatal: messages.some((m) => m.isFatal),
    messages,
  };
}

export interface BuildOutcome {
  ok: boolean;
  /** The packages installed when the build succeeded, one `name==version` a line. */
  installed: string[];
  log: string;
  messages: InfoMessage[];
}

/** The name of a requirement line (`scikit-learn[extra]>=1.2` → `scikit-learn`), or undefined when pip could not parse it. */
export function requirementName(line: string): string | undefined {
  // A direct reference (PEP 508): `name @ https://...`.
  const direct = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9._,-]+\])?\s*@\s*[a-z][a-z0-9+.-]*:\/\/\S+$/i.exec(line);
  if (direct) return direct[1];
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9._,-]+\])?\s*(((==|>=|<=|~=|!=|>|<)\s*[A-Za-z0-9.*+!_-]+\s*,?\s*)*)(;.*)?$/.exec(line);
  return match?.[1];
}

/** As pip logs a URL: the password of its userinfo masked (`https://user:****@host`), so a log holds no credential. */
export function redactAuth(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi, '$1:****@');
}

function pinnedVersion(line: string): string {
  return /==\s*([A-Za-z0-9.+!_-]+)/.exec(line)?.[1] ?? '1.0.0';
}

export function isMissingPackage(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('missing-') || lower.startsWith('no-such-');
}

/** The lines a spec requests: blank lines, comments and pip options (`--index-url ...`) left out. */
export function requestedLines(spec: unknown): string[] {
  if (typeof spec !== 'string') return [];
  return spec
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('-'));
}

function failure(title: string, log: string): InfoMessage {
  const tail = log.split('\n').slice(-20).join('\n');
  return { severity: 'ERROR', isFatal: true, code: 'ERR_CODEENV_UPDATE_FAILED', title, message: `${title}, see the log`, details: tail };
}

function success(title: string): InfoMessage {
  return { severity: 'SUCCESS', isFatal: false, code: 'INFO_CODEENV_UPDATED', title, message: title, details: '' };
}

/** The packages DSS adds on its own (`mandatoryPackageList`). */
export function mandatoryPackages(settings: Json): string[] {
  const desc = (settings.desc ?? {}) as Json;
  if (settings.envLang === 'R') return desc.installCorePackages === false ? [] : R_CORE_PACKAGES;
  const core = desc.installCorePackages === false ? [] : (CORE_PACKAGES[String(desc.corePackagesSet)] ?? CORE_PACKAGES.PANDAS13 ?? []);
  return [...BASE_PACKAGES, ...core, ...(desc.installJupyterSupport === true ? JUPYTER_PACKAGES : [])];
}

export function pythonVersionOf(interpreter: unknown): string | undefined {
  return typeof interpreter === 'string' ? PYTHON_VERSIONS[interpreter] : undefined;
}

/**
 * The build of an env's environment from its settings: the interpreter (on creation), the mandatory packages,
 * then every requested line of `specPackageList` (and `specCondaEnvironment` for a conda env). Pure.
 */
export function buildEnv(settings: Json, creating: boolean): BuildOutcome {
  const desc = (settings.desc ?? {}) as Json;
  const name = String(settings.envName);
  const log: string[] = [];
  const fail = (title: string): BuildOutcome => ({ ok: false, installed: [], log: log.join('\n'), messages: [failure(title, log.join('\n'))] });
  if (creating && settings.envLang === 'PYTHON' && desc.deploymentMode === 'DESIGN_MANAGED') {
    const interpreter = String(desc.pythonInterpreter);
    log.push(`[${name}] Creating virtualenv with interpreter ${interpreter}`);
    if ((MISSING_INTERPRETERS as readonly string[]).includes(interpreter)) {
      const binary = `python${interpreter.slice(6, 7)}.${interpreter.slice(7)}`;
      log.push(`ERROR: ${binary} not found: the interpreter ${interpreter} is not installed on this host`);
      return fail(`Failed to create code env ${name}: interpreter ${interpreter} not installed`);
    }
  }
  const installed = mandatoryPackages(settings);
  for (const pkg of installed) log.push(`Collecting ${pkg}`);
  const lines = [...requestedLines(settings.specPackageList), ...(desc.conda === true ? requestedLines(settings.specCondaEnvironment) : [])];
  for (const line of lines) {
    const pkg = requirementName(line);
    if (pkg === undefined) {
      log.push(`ERROR: Invalid requirement: '${redactAuth(line)}'`);
      return fail(`Failed to install packages in code env ${name}`);
    }
    log.push(`Collecting ${redactAuth(line)}`);
    if (isMissingPackage(pkg)) {
      log.push(`ERROR: Could not find a version that satisfies the requirement ${redactAuth(line)} (from versions: none)`);
      log.push(`ERROR: No matching distribution found for ${pkg}`);
      return fail(`Failed to install packages in code env ${name}`);
    }
    installed.push(`${pkg}==${pinnedVersion(line)}`);
  }
  log.push(`Successfully installed ${installed.map((p) => p.replace('==', '-')).join(' ')}`);
  return { ok: true, installed, log: log.join('\n'), messages: [success(creating ? `Code env ${name} created` : `Code env ${name} updated`)] };
}

/** Requested packages in a build: what the pause of the build is proportional to. */
export function buildSize(settings: Json): number {
  return requestedLines(settings.specPackageList).length + requestedLines(settings.specCondaEnvironment).length;
}
