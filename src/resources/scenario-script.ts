// The python code of a custom_python scenario: `script` inline, or `scriptFile` relative to the manifest that
// names it. The file is read while units are built, before any request, so a missing file stops the run early.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { ManifestDocument } from '../manifest/types.js';

export function scenarioScript(doc: ManifestDocument): string | undefined {
  if (typeof doc.spec.script === 'string') return doc.spec.script;
  const file = doc.spec.scriptFile;
  if (typeof file !== 'string') return undefined;
  const path = resolve(dirname(doc.source.file), file);
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const at = doc.positionOf('/spec/scriptFile');
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UserError('SCRIPT_FILE', `${at.file}:${at.line}:${at.column}: cannot read scriptFile ${file} (${reason})`, {
      cause,
    });
  }
}
