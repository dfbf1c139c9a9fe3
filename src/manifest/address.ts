// Addresses name every managed object across a run: `Kind/name`, or `Kind/project/name` for project-scoped kinds
// (e.g. `Scenario/CHURN/DAILY_REFRESH`), optionally with a `#block` for a separately planned part of an object.

export const PROJECT_SCOPED_KINDS: ReadonlySet<string> = new Set(['Scenario', 'Bundle']);

export function addressOf(kind: string, name: string, project?: string): string {
  return PROJECT_SCOPED_KINDS.has(kind) ? `${kind}/${project ?? ''}/${name}` : `${kind}/${name}`;
}

export function documentAddress(doc: { kind: string; metadata: { name: string; project?: string } }): string {
  return addressOf(doc.kind, doc.metadata.name, doc.metadata.project);
}

export interface ParsedAddress {
  kind: string;
  project?: string;
  /** For a ProjectFolder, the whole path (`Analytics/Churn`). */
  name: string;
  block?: string;
}

/** The inverse of `addressOf`; `undefined` when the text is not an address. */
export function parseAddress(address: string): ParsedAddress | undefined {
  const hash = address.indexOf('#');
  const main = hash === -1 ? address : address.slice(0, hash);
  const block = hash === -1 ? undefined : address.slice(hash + 1);
  const slash = main.indexOf('/');
  if (slash <= 0) return undefined;
  const kind = main.slice(0, slash);
  const rest = main.slice(slash + 1);
  let parsed: ParsedAddress;
  if (PROJECT_SCOPED_KINDS.has(kind)) {
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
