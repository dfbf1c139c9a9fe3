// Project Deployer stages and the direction of a promotion: a bundle moves forward through the deployer's stages
// (Development → Test → Production unless the deployer defines others), never backwards or sideways. Pure.

export interface Stage {
  id: string;
  desc?: string;
}

/** DSS's own default stages, used when the deployer does not list any. */
export const DEFAULT_STAGES: readonly Stage[] = [
  { id: 'Development', desc: 'For applications development' },
  { id: 'Test', desc: 'Acceptance testing' },
  { id: 'Production', desc: 'Running live for users' },
];

/** The stages of a `GET /project-deployer/stages` answer; the defaults when it is absent, empty or malformed. */
export function parseStages(answer: unknown): Stage[] {
  if (!Array.isArray(answer)) return DEFAULT_STAGES.map((s) => ({ ...s }));
  const stages: Stage[] = [];
  for (const item of answer) {
    if (typeof item !== 'object' || item === null) continue;
    const { id, desc } = item as { id?: unknown; desc?: unknown };
    if (typeof id !== 'string' || id === '') continue;
    stages.push(typeof desc === 'string' ? { id, desc } : { id });
  }
  return stages.length > 0 ? stages : DEFAULT_STAGES.map((s) => ({ ...s }));
}

export function isStage(stages: readonly Stage[], name: string): boolean {
  return stages.some((s) => s.id === name);
}

export function stageOrder(stages: readonly Stage[]): string {
  return stages.map((s) => s.id).join(' → ');
}

/**
 * Why promoting from `from` to `to` goes the wrong way, or `undefined` when it moves forward. A stage the deployer
 * does not list cannot be ordered, which is a refusal too: `--force` is the way to say "I know".
 */
export function directionProblem(stages: readonly Stage[], from: string | undefined, to: string | undefined): string | undefined {
  const order = stageOrder(stages);
  if (from === undefined || to === undefined) {
    const which = from === undefined ? 'the source' : 'the target';
    return `the stage of ${which} is unknown, so the direction of the promotion cannot be checked (stages: ${order})`;
  }
  const fromIndex = stages.findIndex((s) => s.id === from);
  const toIndex = stages.findIndex((s) => s.id === to);
  if (fromIndex === -1 || toIndex === -1) {
    return `stage ${fromIndex === -1 ? from : to} is not one of the deployer's stages (${order})`;
  }
  if (fromIndex === toIndex) return `the source and the target are both in stage ${to}`;
  if (fromIndex > toIndex) return `promoting backwards, from ${from} to ${to} (stages: ${order})`;
  return undefined;
}
