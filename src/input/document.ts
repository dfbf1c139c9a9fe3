// Turns one parsed YAML document into a `ManifestDocument`: interpolation, the kind's schema, and the kind's checks
// of what a schema cannot express (`checkDocument`: e.g. a scenario's `scriptFile` inside the manifests tree).

import { isObject } from '../base/json.js';
import * as path from 'node:path';
import { interpolate, type Interpolated, type InterpolationSources } from '../config/interpolate.js';
import { API_VERSION } from '../resources/common.schema.js';
import { kindRegistry, type KindRegistry } from '../resources/registry.js';
import { didYouMean } from '../base/did-you-mean.js';
import { checkDuplicateKeys } from '../manifest/duplicates.js';
import { checkSchema } from '../base/schema-check.js';
import { readTreeFile } from '../manifest/tree-file.js';
import type { ManifestDocument, ManifestMetadata, Problem } from '../manifest/types.js';
import type { ParsedYamlDocument } from '../base/yaml-source.js';

export interface LoadedDocument {
  /** Absent when the document cannot be used at all (not a mapping, unknown kind, no name). */
  document?: ManifestDocument;
  problems: Problem[];
  secrets: string[];
  /** Pointers left unresolved by interpolation: cross-document checks skip them. */
  unresolvedPointers: string[];
}

type Raw = Record<string, unknown>;

export interface DocumentLocation {
  cwd: string;
  /** The manifests tree the document was found in: the files it names must stay inside. */
  root: string;
}

/** What interpolate() gives for a value in which no string holds `${`: the value itself, and nothing else. */
function uninterpolated(value: unknown): Interpolated {
  return { value, issues: [], sensitivePointers: [], unresolvedPointers: [], secrets: [] };
}

/** `kinds`: the kinds documents may be of (the registry's, unless a caller gives its own). */
export function loadDocument(
  parsed: ParsedYamlDocument,
  sources: InterpolationSources,
  location: DocumentLocation,
  kinds: KindRegistry = kindRegistry(),
): LoadedDocument {
  const { positions } = parsed;
  const result: LoadedDocument = { problems: [], secrets: [], unresolvedPointers: [] };
  if (!isObject(parsed.value)) {
    result.problems.push({ ...positions.start(), message: 'a manifest document must be a mapping with apiVersion, kind, metadata and spec' });
    return result;
  }
  // A document with no reference anywhere is its own interpolation (see ParsedYamlDocument.referenceFree).
  const interpolated = parsed.referenceFree ? uninterpolated(parsed.value) : interpolate(parsed.value, sources);
  for (const issue of interpolated.issues) {
    result.problems.push({ ...positions.valuePosition(issue.pointer), message: issue.message, ...(issue.hint ? { hint: issue.hint } : {}) });
  }
  result.secrets.push(...interpolated.secrets);
  result.unresolvedPointers = interpolated.unresolvedPointers;
  const value = interpolated.value as Raw;

  const kind = value.kind;
  if (kind === undefined) {
    result.problems.push({ ...positions.start(), message: 'missing required field `kind`' });
    return result;
  }
  const own = typeof kind === 'string' ? kinds.get(kind) : undefined;
  if (typeof kind !== 'string' || own === undefined) {
    const kindNames = [...kinds.keys()];
    if (value.apiVersion !== API_VERSION && !interpolated.unresolvedPointers.includes('/apiVersion')) {
      result.problems.push({
        ...positions.valuePosition('/apiVersion'),
        message:
          value.apiVersion === undefined
            ? 'missing required field `apiVersion`'
            : `\`apiVersion\` must be \`${API_VERSION}\`, not \`${String(value.apiVersion)}\``,
      });
    }
    if (!interpolated.unresolvedPointers.includes('/kind')) {
      const hint = typeof kind === 'string' && !interpolated.sensitivePointers.includes('/kind') ? didYouMean(kind, kindNames) : undefined;
      result.problems.push({
        ...positions.valuePosition('/kind'),
        message: `unknown kind ${typeof kind === 'string' ? `\`${kind}\`` : JSON.stringify(kind)}; the kinds are ${kindNames.join(', ')}`,
        ...(hint ? { hint } : {}),
      });
    }
    return result;
  }
  result.problems.push(...checkSchema(own.schema, value, positions, interpolated.unresolvedPointers, interpolated.sensitivePointers));
  result.problems.push(...checkDuplicateKeys(own.keyedLists ?? [], value, positions));
  const metadata = value.metadata;
  if (!isObject(metadata) || typeof metadata.name !== 'string') return result;

  const loading = isObject(value.spec) ? value.spec : {};
  // What a schema cannot express is the kind's to check (a script file read into the spec, a literal key).
  const fromDirectory = path.dirname(positions.file);
  const checked = own.checkDocument?.({
    metadata: metadata as unknown as ManifestMetadata,
    spec: loading,
    valuePosition: (pointer) => positions.valuePosition(pointer),
    sensitivePointers: interpolated.sensitivePointers,
    unresolvedPointers: interpolated.unresolvedPointers,
    readFile: (given, limit) => readTreeFile({ root: location.root, fromDirectory, given, limit, cwd: location.cwd }),
    files: { fromDirectory, root: location.root },
  });
  result.problems.push(...(checked?.problems ?? []));
  result.secrets.push(...(checked?.secrets ?? []));
  const spec = checked?.spec ?? loading;

  result.document = {
    apiVersion: String(value.apiVersion),
    kind,
    metadata: metadata as unknown as ManifestMetadata,
    spec,
    source: positions.start(),
    // Bound rather than a closure of this function, whose scope (the location, the directory) it would keep.
    positionOf: positions.fieldPosition.bind(positions),
    sensitivePaths: interpolated.sensitivePointers,
    root: location.root,
  };
  return result;
}
