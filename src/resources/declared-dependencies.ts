// `metadata.dependsOn` in the units: every unit of a document that names addresses there depends on them (the
// reconciler writes them first, skips the document's units when one fails, and `--target` brings them along),
// and is written after their blocks too (`Project/CHURN#permissions` when it names `Project/CHURN`). The registry
// lays this over every kind, so that a kind needs nothing of its own for it.

import { documentAddress } from '../manifest/address.js';
import { declaredDependencies } from '../manifest/dependencies.js';
import type { ResourceKind, ResourceUnit } from './types.js';

export function withDeclaredDependencies(kind: ResourceKind): ResourceKind {
  return {
    ...kind,
    units(doc) {
      const units = kind.units(doc);
      const own = documentAddress(doc);
      const named = declaredDependencies(doc.metadata).filter((a) => a !== own);
      if (named.length === 0) return units;
      return units.map(
        (unit): ResourceUnit => ({
          ...unit,
          dependsOn: [...new Set([...unit.dependsOn, ...named])],
          orderAfterPrefixes: [...new Set([...(unit.orderAfterPrefixes ?? []), ...named.map((a) => `${a}#`)])],
        }),
      );
    },
  };
}
