// Where each exported document goes. `by-project`: one directory per project (`KEY/project.yaml`,
// `KEY/scenarios/ID.yaml`), folders under `folders/`, objects of no project under a directory per kind.
// Deployer objects go under `deployer/` (`deployer/infras/ID.yaml`). `by-kind`: a directory per kind
// (`projects/KEY.yaml`, `scenarios/KEY/ID.yaml`, `folders/...`, `infras/ID.yaml`).

import type { ExportLayout, ExportedDocument } from './types.js';

/** `PublishedProject` → `published-projects`: the directory of a kind. */
export function kindDirectory(kind: string): string {
  if (kind === 'ProjectFolder') return 'folders';
  return `${kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}s`;
}

/** A path segment safe on every file system; DSS ids are already, folder names may not be. */
export function safeSegment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+$/, '_').trim();
  return safe === '' ? '_' : safe;
}

/** The path of a document's file, relative to the output directory, `/`-separated. */
export function documentPath(doc: ExportedDocument, layout: ExportLayout): string {
  const name = doc.metadata.name;
  if (doc.kind === 'ProjectFolder') return `folders/${name.split('/').map(safeSegment).join('/')}.yaml`;
  if (doc.kind === 'Project') return layout === 'by-project' ? `${safeSegment(name)}/project.yaml` : `projects/${safeSegment(name)}.yaml`;
  const directory = kindDirectory(doc.kind);
  const project = doc.metadata.project;
  if (project === undefined) {
    const under = layout === 'by-project' && doc.node === 'deployer' ? `deployer/${directory}` : directory;
    return `${under}/${safeSegment(name)}.yaml`;
  }
  const under = layout === 'by-project' ? `${safeSegment(project)}/${directory}` : `${directory}/${safeSegment(project)}`;
  return `${under}/${safeSegment(name)}.yaml`;
}
