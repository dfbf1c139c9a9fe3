// The plan renderers redact the run's secrets from a value while it is whole: a multi-line value split into diff
// lines, or a long one cut at 200 characters, can no longer be recognized by a scrubber of the output.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/diff-managed.js';
import { renderPlanMarkdown } from '../../src/diff/render-markdown.js';
import { formatPlanText } from '../../src/diff/render-text.js';
import type { PlanReport, ResourceChange } from '../../src/diff/types.js';
import { SecretRegistry, withRunSecrets } from '../../src/base/secrets.js';
import { quoted } from '../../src/reconciler/record-check.js';

const PEM = '-----BEGIN KEY-----\nAAAAlineONEsecretmaterial\nBBBBlineTWOsecretmaterial\n-----END KEY-----';
const SECRET = 'VerySecretValue42';

function report(before: unknown, after: unknown): PlanReport {
  const change: ResourceChange = {
    address: 'Project/P#metadata',
    kind: 'Project',
    node: 'design',
    action: 'update',
    changes: diffManaged({ description: after }, { description: before }, {}),
  };
  return { formatVersion: '1', resourceChanges: [change], summary: { add: 0, change: 1, destroy: 0 }, warnings: [] };
}

function render(plan: PlanReport): string[] {
  return withRunSecrets(new SecretRegistry([PEM, SECRET]), () => [formatPlanText(plan), renderPlanMarkdown(plan)]);
}

describe('secrets in values the renderers split or cut', () => {
  it('a multi-line secret is one [redacted] line of the line diff, in text and markdown', () => {
    for (const out of render(report(PEM, 'other text\nsecond line\n'))) {
      for (const line of PEM.split('\n')) expect(out).not.toContain(line);
      expect(out).toMatch(/-\s+\[redacted\]\n/);
      expect(out).toMatch(/\+\s+other text\n/);
    }
  });

  it('a secret inside a multi-line value on both sides leaves only the lines that differ', () => {
    const [text] = render(report(`intro\n${PEM}\noutro`, `intro\n${PEM}\nnew outro`));
    expect(text).toContain('~ description: (1 line removed, 1 line added)');
    expect(text).not.toContain('secretmaterial');
    expect(text).toContain('      - outro\n');
  });

  it('a long value is redacted before it is cut at 200 characters', () => {
    for (const out of render(report(`${'a'.repeat(192)}${SECRET}`, 'plain'))) {
      expect(out).not.toContain('VerySe');
      expect(out).toContain(`"${'a'.repeat(192)}[redact… (204 chars) → "plain"`);
    }
  });

  it('an object added whole shows its leaves redacted', () => {
    const plan = report(undefined, { key: { pem: PEM }, note: `x${SECRET}` });
    for (const out of render(plan)) {
      expect(out).not.toContain('secretmaterial');
      expect(out).not.toContain('VerySe');
      expect(out).toContain('description.note: "x[redacted]"');
    }
  });

  it('a value without secrets renders as before', () => {
    const plan = report('line one\nline two', 'line one\nline 2');
    expect(render(plan)).toEqual([formatPlanText(plan), renderPlanMarkdown(plan)]);
  });

  it('a record value quoted in a warning is redacted before its cut at 120 characters', () => {
    const text = withRunSecrets(new SecretRegistry([SECRET]), () => quoted(`${'b'.repeat(115)}${SECRET}`));
    expect(text).not.toContain('VerySe');
    expect(text).toBe(JSON.stringify(`${'b'.repeat(115)}[reda…`));
  });
});
