// Addresses name every managed object across a run: `Kind/name`, or `Kind/project/name` for project-scoped kinds
// (e.g. `Scenario/CHURN/DAILY_REFRESH`), optionally with a `#block` for a separately planned part of an object.
//
// Which kinds are project-scoped is the kinds' to say (`ResourceKind.projectScoped`), but manifest/ sits below the
// kinds and cannot ask the registry: a registry declares its kinds here when it is built (`declareKindScopes`), so
// that an address parses the same wherever it is read. A kind name keeps one scope for the life of the process.
// A kind that builds or parses its own addresses says its scope itself (the project it passes, `parseAddress`'s
// second argument), so that a kind's module works on its own too, without the registry loaded.

const projectScoped = new Set<string>();
const declared = new Set<string>();

/** The kinds declared project-scoped so far (by the registry of every kind, and by any registry built since). */
export const PROJECT_SCOPED_KINDS: ReadonlySet<string> = projectScoped;

/** What an address needs to know of a kind. */
export interface KindScope {
  readonly kind: string;
  readonly projectScoped?: boolean;
}

/**
 * Records whether each kind's objects are addressed inside a project. Declaring a kind again with the same scope
 * is harmless; with another scope it is an error, since addresses already made would no longer parse back.
 */
export function declareKindScopes(kinds: Iterable<KindScope>): void {
  for (const { kind, projectScoped: scoped = false } of kinds) {
    if (declared.has(kind) && projectScoped.has(kind) !== scoped) {
      const was = scoped ? 'not project-scoped' : 'project-scoped';
      throw new Error(`kind ${kind} is declared ${scoped ? '' : 'not '}project-scoped, but was declared ${was} before: a kind name keeps one scope (set projectScoped as the kind of that name does)`);
    }
    declared.add(kind);
    if (scoped) projectScoped.add(kind);
  }
}

/** A declared kind's scope decides; for another, whether the caller gives a project. */
function inProject(kind: string, project: string | undefined): boolean {
  return declared.has(kind) ? projectScoped.has(kind) : project !== undefined;
}

export function addressOf(kind: string, name: string, project?: string): string {
  return inProject(kind, project) ? `${kind}/${project ?? ''}/${name}` : `${kind}/${name}`;
}

export function documentAddress(doc: { kind: string; metadata: { name: string; project?: string } }): string {
  return addressOf(doc.kind, doc.metadata.name, doc.metadata.project);
}

export interface ParsedAddress {
  kind: string;
  project?: string;
  /** For a kind whose names are paths (a project folder's), the whole path (`Analytics/Churn`). */
  name: string;
  block?: string;
}

/**
 * The inverse of `addressOf`; `undefined` when the text is not an address. `scoped`: whether the address's kind is
 * project-scoped, when the caller knows (a kind parsing its own addresses); else its declared scope.
 */
export function parseAddress(address: string, scoped?: boolean): ParsedAddress | undefined {
  const hash = address.indexOf('#');
  const main = hash === -1 ? address : address.slice(0, hash);
  const block = hash === -1 ? undefined : address.slice(hash + 1);
  const slash = main.indexOf('/');
  if (slash <= 0) return undefined;
  const kind = main.slice(0, slash);
  const rest = main.slice(slash + 1);
  let parsed: ParsedAddress;
  if (scoped ?? projectScoped.has(kind)) {
    const [project, name, ...extra] = rest.split('/');
    if (!project || !name || extra.length > 0) return undefined;
    parsed = { kind, project, name };
  } else {
    if (rest === '') return undefined;
    parsed = { kind, name: rest };
  }
  if (block !== undefined) parsed.block = block;
  return parsed;
}
