// Where each exported document goes. `by-project`: one directory per project (`KEY/project.yaml`,
// `KEY/scenarios/ID.yaml`), folders under `folders/`, objects of no project under a directory per kind.
// Deployer objects go under `deployer/` (`deployer/infras/ID.yaml`). `by-kind`: a directory per kind
// (`projects/KEY.yaml`, `scenarios/KEY/ID.yaml`, `folders/...`, `infras/ID.yaml`).

import { kindRegistry } from '../resources/registry.js';
import { safeSegment } from '../base/file-name.js';
import type { ExportLayout, ExportedDocument } from './types.js';

export { safeSegment };

const KINDS_BY_NAME = kindRegistry();

/** `PublishedProject` → `published-projects`: the directory of a kind. */
export function kindDirectory(kind: string): string {
  return `${kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}s`;
}

/** The path of a document's file, relative to the output directory, `/`-separated. */
export function documentPath(doc: ExportedDocument, layout: ExportLayout): string {
  const name = doc.metadata.name;
  const own = KINDS_BY_NAME.get(doc.kind)?.exportPath?.(name, layout);
  if (own !== undefined) return own;
  const directory = kindDirectory(doc.kind);
  const project = doc.metadata.project;
  if (project === undefined) {
    const under = layout === 'by-project' && doc.node === 'deployer' ? `deployer/${directory}` : directory;
    return `${under}/${safeSegment(name)}.yaml`;
  }
  const under = layout === 'by-project' ? `${safeSegment(project)}/${directory}` : `${directory}/${safeSegment(project)}`;
  return `${under}/${safeSegment(name)}.yaml`;
}
