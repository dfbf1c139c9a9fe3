// The dependency graph of the manifests as Graphviz DOT (`dss-gitops graph`). Pure and deterministic: nodes and
// edges sorted, so the output is byte-stable from run to run.

import { compareText } from '../base/order.js';
import type { ResourceUnit } from '../resources/types.js';
import { mainAddressOf } from './select.js';

function quote(id: string): string {
  return `"${id.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * One node per object (a document's blocks fold into its address), an edge `A -> B` when A depends on B
 * (`dependsOn`, solid) or is only written after B when both are in the run (`orderAfter`, dashed). A dependency
 * the manifests do not declare (listed under `external`, assumed to exist) is drawn dashed as a box.
 */
export function renderDot(units: readonly ResourceUnit[]): string {
  const declared = new Set(units.map((u) => mainAddressOf(u.address)));
  const edges = new Map<string, 'depends' | 'order'>();
  const external = new Set<string>();
  for (const unit of units) {
    const from = mainAddressOf(unit.address);
    for (const dep of unit.dependsOn.map(mainAddressOf)) {
      if (dep === from) continue;
      edges.set(`${from}\u0000${dep}`, 'depends');
      if (!declared.has(dep)) external.add(dep);
    }
    for (const dep of (unit.orderAfter ?? []).map(mainAddressOf)) {
      const key = `${from}\u0000${dep}`;
      if (dep === from || !declared.has(dep) || edges.has(key)) continue;
      edges.set(key, 'order');
    }
  }
  const lines = ['digraph dss_gitops {', '  rankdir = "RL";', '  node [shape = "ellipse"];'];
  for (const address of [...declared].sort(compareText)) lines.push(`  ${quote(address)};`);
  for (const address of [...external].sort(compareText)) lines.push(`  ${quote(address)} [shape = "box", style = "dashed"];`);
  for (const key of [...edges.keys()].sort(compareText)) {
    const [from = '', to = ''] = key.split('\u0000');
    lines.push(`  ${quote(from)} -> ${quote(to)}${edges.get(key) === 'order' ? ' [style = "dashed"]' : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
