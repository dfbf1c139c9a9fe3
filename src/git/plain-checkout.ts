// Reads what a run records about the checkout holding its manifests (its root, the commit checked out, the `origin`
// URL) straight from the .git directory, as git would answer it, without starting a git process: a run asks these
// before its first request, and each process costs a fork of this one and ~10 ms of waiting. Only the plain layout
// is read here: a `.git` directory found by walking up, HEAD on a loose or packed branch or detached, the remote in
// `.git/config`. Anything else (worktrees, GIT_* variables, config includes, URL rewrites, other ref stores,
// another owner...) is reported as unknown, and the caller asks git.

import { accessSync, constants, lstatSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import * as path from 'node:path';

/** What git says about a checkout: each field undefined when git has no answer (outside a checkout, no commit...). */
export interface CheckoutFacts {
  /** `git rev-parse --show-toplevel`. */
  root?: string;
  /** `git rev-parse --verify --quiet HEAD`. */
  commit?: string;
  /** `git remote get-url origin`. */
  origin?: string;
}

/** Thrown inside this module when the layout is not the plain one: the answer is then git's to give. */
class NotPlain extends Error {}

function notPlain(why: string): never {
  throw new NotPlain(why);
}

/** Variables that change where git looks or what configuration it reads. */
const GIT_LOCATION_VARIABLES = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
  'GIT_NAMESPACE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_REF_STORAGE',
  'GIT_DEFAULT_HASH',
  // Run by root through sudo, git checks a repository's owner against this user instead.
  'SUDO_UID',
]);

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

function statOrUndefined(file: string, follow = true): Stats | undefined {
  try {
    return follow ? statSync(file) : lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    return notPlain(`cannot stat ${file}`);
  }
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return notPlain(`cannot read ${file}`);
  }
}

/** One `section[.subsection].key = value` of a config file; names lowercased, the subsection as written. */
interface ConfigEntry {
  section: string;
  subsection?: string;
  key?: string;
  value?: string;
}

const SECTION_LINE = /^\[([A-Za-z0-9-]+)(?:\s+"([^"\\]*)")?\]\s*(?:[#;].*)?$/;
const KEY_LINE = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*([^"\\]*))?$/;

/**
 * The entries of a git config file in the subset of the syntax written by git itself and by hand in the usual way;
 * a line outside it (quotes, escapes, continuations, the old `[section.sub]` form, a key after a header) is not
 * plain. Each section header is an entry too, so that a section with no keys still shows.
 */
export function parseConfig(text: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  let section: { section: string; subsection?: string } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = SECTION_LINE.exec(line);
    if (header) {
      section = { section: (header[1] ?? '').toLowerCase(), ...(header[2] === undefined ? {} : { subsection: header[2] }) };
      entries.push({ ...section });
      continue;
    }
    const entry = KEY_LINE.exec(line);
    if (!entry || section === undefined) notPlain('a config line outside the plain syntax');
    // An unquoted value ends at a comment; a key alone is a boolean true, which no key read here may be.
    const value = entry[2] === undefined ? undefined : (entry[2].split(/[#;]/)[0] ?? '').trim();
    entries.push({ ...section, key: (entry[1] ?? '').toLowerCase(), ...(value === undefined ? {} : { value }) });
  }
  return entries;
}

/** The system and global configuration files git reads, wherever this platform's git usually keeps them. */
function outerConfigFiles(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME;
  const xdg = env.XDG_CONFIG_HOME ? path.join(env.XDG_CONFIG_HOME, 'git', 'config') : home ? path.join(home, '.config', 'git', 'config') : undefined;
  return [
    '/etc/gitconfig',
    '/usr/local/etc/gitconfig',
    '/opt/homebrew/etc/gitconfig',
    ...(xdg === undefined ? [] : [xdg]),
    ...(home ? [path.join(home, '.gitconfig')] : []),
  ];
}

/** Sections that would change the answers (an included file, a rewritten URL) when found in any config file. */
function checkAnyConfig(entries: ConfigEntry[], file: string): void {
  for (const e of entries) {
    if (e.section === 'include' || e.section === 'includeif' || e.section === 'url') notPlain(`[${e.section}] in ${file}`);
  }
}

/** The origin URL of the repository config, after checking that nothing in it asks for more than a plain read. */
function originOf(entries: ConfigEntry[], file: string): string | undefined {
  checkAnyConfig(entries, file);
  const urls: string[] = [];
  for (const e of entries) {
    if (e.section === 'extensions') notPlain(`[extensions] in ${file}`);
    if (e.section === 'core' && e.key === 'worktree') notPlain(`core.worktree in ${file}`);
    if (e.section === 'core' && e.key === 'bare' && e.value?.toLowerCase() !== 'false') notPlain(`core.bare in ${file}`);
    if (e.section === 'core' && e.key === 'repositoryformatversion' && e.value !== '0' && e.value !== '1') notPlain(`a repository format in ${file}`);
    if (e.section === 'remote' && e.subsection === 'origin' && e.key === 'url') {
      if (e.value === undefined || e.value === '') notPlain(`an empty origin URL in ${file}`);
      urls.push(e.value);
    }
  }
  // Several URLs, or a remote known only by the old files of .git/remotes or .git/branches: git's to sort out.
  if (urls.length > 1) notPlain(`several origin URLs in ${file}`);
  return urls[0];
}

/** The commit a ref names: its loose file, else its line in packed-refs; undefined when the branch has no commit. */
function resolveRef(gitDir: string, ref: string): string | undefined {
  if (!/^refs\/[A-Za-z0-9._/-]+$/.test(ref) || ref.split('/').some((part) => part === '' || part === '.' || part === '..' || part.endsWith('.lock'))) {
    notPlain(`an unusual ref name ${ref}`);
  }
  const loose = readOrUndefined(path.join(gitDir, ...ref.split('/')));
  if (loose !== undefined) {
    const id = loose.trim();
    return OBJECT_ID.test(id) ? id : notPlain(`${ref} is not a plain object id`);
  }
  const packed = readOrUndefined(path.join(gitDir, 'packed-refs'));
  for (const line of packed?.split('\n') ?? []) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const [id, name, ...rest] = line.trim().split(' ');
    if (id === undefined || name === undefined || rest.length > 0 || !OBJECT_ID.test(id)) notPlain('an unusual line in packed-refs');
    if (name === ref) return id;
  }
  return undefined;
}

/** The commit of HEAD: detached, or on a branch; undefined on a branch with no commit yet. */
function headOf(gitDir: string): string | undefined {
  const head = (readOrUndefined(path.join(gitDir, 'HEAD')) ?? notPlain('no HEAD')).trim();
  if (OBJECT_ID.test(head)) return head;
  const symbolic = /^ref: (\S+)$/.exec(head);
  return symbolic?.[1] !== undefined ? resolveRef(gitDir, symbolic[1]) : notPlain('an unusual HEAD');
}

/** The directory to start from, as git would: a file's directory, symbolic links resolved. */
function startDirectory(target: string): string | undefined {
  const info = statOrUndefined(target);
  if (info === undefined) return undefined;
  const dir = info.isDirectory() ? target : path.dirname(target);
  return realpathSync(dir);
}

/**
 * Walks up from `start` to the first directory holding `.git`, as git's discovery does: it stops at the root, or
 * where the file system changes (git does not cross mount points unless told to). A `.git` that is a file (a
 * worktree, a submodule), a symbolic link, or not a repository, and a directory that is itself a repository (a bare
 * one), are not plain.
 */
function findGitDir(start: string): { root: string; gitDir: string; info: Stats } | undefined {
  const device = statSync(start).dev;
  for (let dir = start; ; ) {
    if (path.basename(dir) === '.git') notPlain('inside a .git directory');
    const gitDir = path.join(dir, '.git');
    const info = statOrUndefined(gitDir, false);
    if (info !== undefined) {
      if (!info.isDirectory()) notPlain(`${gitDir} is not a directory`);
      if (statOrUndefined(path.join(gitDir, 'HEAD')) === undefined || statOrUndefined(path.join(gitDir, 'objects')) === undefined || statOrUndefined(path.join(gitDir, 'refs')) === undefined) {
        notPlain(`${gitDir} is not a plain repository`);
      }
      if (statOrUndefined(path.join(gitDir, 'commondir')) !== undefined) notPlain(`${gitDir} shares another repository`);
      return { root: dir, gitDir, info };
    }
    if (statOrUndefined(path.join(dir, 'HEAD')) !== undefined) notPlain(`${dir} may be a bare repository`);
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    if (statSync(parent).dev !== device) return undefined;
    dir = parent;
  }
}

/**
 * Whether `git` can be started from PATH, as execvp finds it: without git there is no answer to read (the run's
 * source was always the directory then), and what it would have said is not ours to make up.
 */
function gitOnPath(env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    try {
      const file = path.join(dir, 'git');
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return true;
    } catch {
      // Not there: the next directory.
    }
  }
  return false;
}

/**
 * The facts git would give about the checkout holding `target`, read from the files, or undefined when the layout
 * is not the plain one and git must be asked.
 */
export function readPlainCheckout(target: string, env: NodeJS.ProcessEnv = process.env): CheckoutFacts | undefined {
  if (process.platform === 'win32') return undefined;
  if (Object.keys(env).some((name) => GIT_LOCATION_VARIABLES.has(name) || name.startsWith('GIT_CONFIG'))) return undefined;
  if (!gitOnPath(env)) return undefined;
  try {
    const start = startDirectory(path.resolve(target));
    if (start === undefined) return {};
    const found = findGitDir(start);
    if (found === undefined) return {};
    const safeDirectories: string[] = [];
    for (const file of outerConfigFiles(env)) {
      const text = readOrUndefined(file);
      if (text === undefined) continue;
      const entries = parseConfig(text);
      checkAnyConfig(entries, file);
      if (entries.some((e) => e.section === 'remote' || (e.section === 'core' && (e.key === 'worktree' || e.key === 'bare')))) notPlain(`remote or core settings in ${file}`);
      for (const e of entries) {
        if (e.section !== 'safe' || e.key !== 'directory') continue;
        // An empty value empties the list, as in git; the files are read in git's order (system, then global).
        if (e.value === undefined) notPlain(`safe.directory without a value in ${file}`);
        if (e.value === '') safeDirectories.length = 0;
        else safeDirectories.push(e.value);
      }
    }
    // git refuses a repository owned by someone else unless safe.directory (system or global) is `*` or names it
    // (other forms, `~/...` or `/path/*`, are git's to match).
    const uid = process.geteuid?.();
    const owned = uid !== undefined && found.info.uid === uid && statSync(found.root).uid === uid;
    if (!owned && !safeDirectories.some((dir) => dir === '*' || dir === found.root)) return undefined;
    const configFile = path.join(found.gitDir, 'config');
    const origin = originOf(parseConfig(readOrUndefined(configFile) ?? ''), configFile);
    if (origin === undefined && (statOrUndefined(path.join(found.gitDir, 'remotes')) || statOrUndefined(path.join(found.gitDir, 'branches', 'origin')))) {
      notPlain('a remote in the old files');
    }
    const commit = headOf(found.gitDir);
    return { root: found.root, ...(commit === undefined ? {} : { commit }), ...(origin === undefined ? {} : { origin }) };
  } catch {
    // Not plain, or a file that could not be read as expected: git answers instead.
    return undefined;
  }
}
