// Turns one parsed YAML document into a `ManifestDocument`: interpolation, the kind's schema, and the checks a
// schema cannot express (a `scriptFile` inside the manifests tree, a literal infra admin key).

import { isObject } from '../base/json.js';
import * as path from 'node:path';
import { interpolate, type InterpolationSources } from '../config/interpolate.js';
import { API_VERSION } from '../resources/common.schema.js';
import { KIND_NAMES, isKindName, kindSchema } from '../resources/registry.js';
import { didYouMean } from '../base/did-you-mean.js';
import { checkDuplicateKeys } from '../manifest/duplicates.js';
import type { NodePositions } from '../base/positions.js';
import { SCRIPT_SIZE_LIMIT } from '../manifest/read-text.js';
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

export function loadDocument(parsed: ParsedYamlDocument, sources: InterpolationSources, location: DocumentLocation): LoadedDocument {
  const { positions } = parsed;
  const result: LoadedDocument = { problems: [], secrets: [], unresolvedPointers: [] };
  if (!isObject(parsed.value)) {
    result.problems.push({ ...positions.start(), message: 'a manifest document must be a mapping with apiVersion, kind, metadata and spec' });
    return result;
  }
  const interpolated = interpolate(parsed.value, sources);
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
  if (!isKindName(kind)) {
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
      const hint = typeof kind === 'string' && !interpolated.sensitivePointers.includes('/kind') ? didYouMean(kind, KIND_NAMES) : undefined;
      result.problems.push({
        ...positions.valuePosition('/kind'),
        message: `unknown kind ${typeof kind === 'string' ? `\`${kind}\`` : JSON.stringify(kind)}; the kinds are ${KIND_NAMES.join(', ')}`,
        ...(hint ? { hint } : {}),
      });
    }
    return result;
  }
  result.problems.push(...checkSchema(kindSchema(kind), value, positions, interpolated.unresolvedPointers, interpolated.sensitivePointers));
  result.problems.push(...checkDuplicateKeys(kind, value, positions));
  const metadata = value.metadata;
  if (!isObject(metadata) || typeof metadata.name !== 'string') return result;

  const spec = isObject(value.spec) ? value.spec : {};
  if (kind === 'Scenario') result.problems.push(...readScriptFile(spec, positions, location));
  if (kind === 'Infra') {
    result.problems.push(...checkAdminApiKey(spec, [...interpolated.sensitivePointers, ...interpolated.unresolvedPointers], positions));
    // A literal key is still a secret: output and logs must never show it.
    if (typeof spec.adminApiKey === 'string' && spec.adminApiKey !== '' && !interpolated.unresolvedPointers.includes('/spec/adminApiKey')) {
      result.secrets.push(spec.adminApiKey);
    }
  }

  result.document = {
    apiVersion: String(value.apiVersion),
    kind,
    metadata: metadata as unknown as ManifestMetadata,
    spec,
    source: positions.start(),
    positionOf: (pointer) => positions.fieldPosition(pointer),
    sensitivePaths: interpolated.sensitivePointers,
    root: location.root,
  };
  return result;
}

/**
 * Reads a scenario's `scriptFile` (relative to the manifest, inside the manifests tree) into `spec.script`, so that
 * planning stays pure.
 */
function readScriptFile(spec: Raw, positions: NodePositions, location: DocumentLocation): Problem[] {
  const scriptFile = spec.scriptFile;
  if (typeof scriptFile !== 'string' || spec.script !== undefined) return [];
  const read = readTreeFile({
    root: location.root,
    fromDirectory: path.dirname(positions.file),
    given: scriptFile,
    limit: SCRIPT_SIZE_LIMIT,
    cwd: location.cwd,
  });
  if ('reason' in read) return [{ ...positions.valuePosition('/spec/scriptFile'), message: `scriptFile \`${scriptFile}\` ${read.reason}` }];
  spec.script = read.text;
  delete spec.scriptFile;
  return [];
}

/** `interpolatedPointers`: values that came from (or failed to come from) a reference, which are not literal. */
function checkAdminApiKey(spec: Raw, interpolatedPointers: readonly string[], positions: NodePositions): Problem[] {
  const key = spec.adminApiKey;
  if (typeof key !== 'string' || key === '' || interpolatedPointers.includes('/spec/adminApiKey')) return [];
  return [
    {
      ...positions.valuePosition('/spec/adminApiKey'),
      severity: 'warning',
      message: '`spec.adminApiKey` is a literal key in the manifest; keep API keys out of Git',
      hint: 'use `${secret:NAME}` and export NAME in the environment',
    },
  ];
}
