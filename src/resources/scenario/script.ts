// The python code of a custom_python scenario: `script` inline, or `scriptFile` relative to the manifest that
// names it, inside the manifests tree. Loading the manifests reads the file into `script`; a document made
// otherwise has it read here, under the same confinement, while units are built, before any request.

import { dirname } from 'node:path';
import { UserError } from '../../errors.js';
import { SCRIPT_SIZE_LIMIT } from '../../manifest/read-text.js';
import { readTreeFile } from '../../manifest/tree-file.js';
import type { ManifestDocument } from '../../manifest/types.js';
import type { DocumentCheck, LoadingDocument } from '../types.js';

/**
 * `checkDocument`: reads a `scriptFile` (relative to the manifest, inside the manifests tree) into `spec.script`
 * while the manifests are loaded, so that planning stays pure.
 */
export function readScriptFile(doc: LoadingDocument): DocumentCheck {
  const { scriptFile, ...rest } = doc.spec;
  if (typeof scriptFile !== 'string' || doc.spec.script !== undefined) return {};
  const read = doc.readFile(scriptFile, SCRIPT_SIZE_LIMIT);
  if ('reason' in read) return { problems: [{ ...doc.valuePosition('/spec/scriptFile'), message: `scriptFile \`${scriptFile}\` ${read.reason}` }] };
  return { spec: { ...rest, script: read.text } };
}

export function scenarioScript(doc: ManifestDocument): string | undefined {
  if (typeof doc.spec.script === 'string') return doc.spec.script;
  const file = doc.spec.scriptFile;
  if (typeof file !== 'string') return undefined;
  const fromDirectory = dirname(doc.source.file);
  const read = readTreeFile({ root: doc.root ?? fromDirectory, fromDirectory, given: file, limit: SCRIPT_SIZE_LIMIT, cwd: process.cwd() });
  if ('text' in read) return read.text;
  const at = doc.positionOf('/spec/scriptFile');
  throw new UserError('SCRIPT_FILE', `${at.file}:${at.line}:${at.column}: cannot read scriptFile ${file} (it ${read.reason})`);
}
