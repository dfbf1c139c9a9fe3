// Secret names unique across the whole export. Each kind names its secrets uniquely within one document, but two
// documents may derive the same name (a variable `dailyToken` of CHURN and a `token` param of its scenario DAILY
// both give CHURN_DAILY_TOKEN): one environment variable cannot hold two values, so the later one is renamed.
// Pure: no I/O.

import { isObject } from '../base/json.js';
import type { ExportedSecret } from '../resources/types.js';
import type { ExportedDocument } from './types.js';

/** A copy of `value` where every text equal to a key of `renames` is replaced by its value. */
function renamed(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return renames.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => renamed(item, renames));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renamed(item, renames);
    return out;
  }
  return value;
}

const reference = (name: string): string => `\${secret:${name}}`;

/**
 * The documents with secret names unique across all of them, in document order: the first document keeps a
 * name, a later one that derived it again gets the next free `_N` suffix, in its references and its list. Only
 * whole texts equal to a reference are renamed: references are whole values, and any other `${` in exported
 * text is escaped to `$${`.
 */
export function uniqueSecretNames(documents: readonly ExportedDocument[]): ExportedDocument[] {
  const taken = new Set<string>(documents.flatMap((d) => d.secrets.map((s) => s.name)));
  const owner = new Map<string, ExportedDocument>();
  return documents.map((doc) => {
    const renames = new Map<string, string>();
    const secrets: ExportedSecret[] = doc.secrets.map((secret) => {
      const first = owner.get(secret.name);
      if (first === undefined || first === doc) {
        owner.set(secret.name, doc);
        return secret;
      }
      let name = `${secret.name}_2`;
      for (let n = 3; taken.has(name); n += 1) name = `${secret.name}_${n}`;
      taken.add(name);
      owner.set(name, doc);
      renames.set(reference(secret.name), reference(name));
      return { ...secret, name };
    });
    if (renames.size === 0) return doc;
    return { ...doc, spec: renamed(doc.spec, renames) as Record<string, unknown>, secrets };
  });
}
