import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatApplyText, renderApplyJson, renderApplyMarkdown, renderApplyText } from '../../src/diff/render-apply.js';
import type { ApplyReport } from '../../src/diff/types.js';
import { REDACTED, SecretRegistry, withRunSecrets } from '../../src/base/secrets.js';

function sampleApply(): ApplyReport {
  return {
    formatVersion: '1.0',
    results: [
      { address: 'ProjectFolder/Marketing', action: 'create', status: 'applied' },
      { address: 'Project/CHURN', action: 'update', status: 'applied', notes: ['moved to folder /Marketing'] },
      { address: 'Project/CHURN#permissions', action: 'no-op', status: 'unchanged' },
      { address: 'Project/LEADS', action: 'create', status: 'failed', error: 'DSS answered 500: Internal | error' },
      { address: 'Scenario/LEADS/nightly', action: 'create', status: 'skipped', error: 'Project/LEADS' },
      { address: 'Scenario/LEADS/weekly', action: 'create', status: 'skipped', error: 'skipped: Project/LEADS was not applied' },
      { address: 'Scenario/CHURN/old', action: 'delete', status: 'applied' },
    ],
    summary: { add: 1, change: 1, destroy: 1 },
    failed: 1,
    skipped: 2,
  };
}

describe('apply report renderers', () => {
  it('renders one line per written or unwritten object and the byte-stable summary last', async () => {
    const text = formatApplyText(sampleApply());
    await expect(text).toMatchFileSnapshot('./__snapshots__/render-apply.sample.txt');
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-2)).toBe('');
    expect(lines.at(-1)).toBe('Apply failed! Resources: 1 added, 1 changed, 1 destroyed, 1 failed, 2 skipped.');
    expect(text).not.toContain('Apply complete!');
    expect(text).toContain('Scenario/LEADS/nightly: create skipped because Project/LEADS failed\n');
    expect(text).toContain('Project/LEADS: create failed: DSS answered 500: Internal | error\n');
    expect(text).toContain('Scenario/LEADS/weekly: create skipped: Project/LEADS was not applied\n');
    expect(text).not.toContain('Project/CHURN#permissions');
  });

  it('prints only the summary when everything applied without failures', () => {
    const report: ApplyReport = { formatVersion: '1.0', results: [], summary: { add: 0, change: 0, destroy: 0 }, failed: 0, skipped: 0 };
    expect(formatApplyText(report)).toBe('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.\n');
  });

  it('writes to the stream it is given', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    renderApplyText(sampleApply(), out, { color: true });
    expect(text).toContain('\u001b[31mProject/LEADS: create failed');
  });

  it('renders JSON and markdown', async () => {
    const doc = JSON.parse(renderApplyJson(sampleApply())) as Record<string, unknown>;
    expect(doc).toMatchObject({ format_version: '1.0', summary: { add: 1, change: 1, destroy: 1 }, failed: 1, skipped: 2 });
    expect((doc.results as unknown[]).length).toBe(7);
    const md = renderApplyMarkdown(sampleApply());
    await expect(md).toMatchFileSnapshot('./__snapshots__/render-apply.sample.md');
    expect(md).toContain('**Apply failed! Resources: 1 added, 1 changed, 1 destroyed, 1 failed, 2 skipped.**');
    expect(md).not.toContain('Apply complete!');
    expect(md).toContain('| `Project/LEADS` | create | failed | DSS answered 500: Internal \\| error |');
  });
});

describe('apply report secrets', () => {
  const SECRET = 'warehouse-pw-7Hk2';
  const report = (): ApplyReport => ({
    formatVersion: '1.0',
    results: [
      {
        address: 'Deployment/churn-prod',
        action: 'update',
        status: 'failed',
        error: `DSS answered 400: bad password ${SECRET}`,
        notes: [`rolled back to v1: health WARNING: connection failed with password ${SECRET}`],
      },
    ],
    summary: { add: 0, change: 0, destroy: 0 },
    failed: 1,
    skipped: 0,
  });
  const inRun = <T>(fn: () => T): T => withRunSecrets(new SecretRegistry([SECRET]), fn);

  it('prints a registered secret in a note or an error as redacted, in text, JSON and markdown', () => {
    const outputs = inRun(() => [formatApplyText(report()), renderApplyJson(report()), renderApplyMarkdown(report())]);
    for (const output of outputs) {
      expect(output).not.toContain(SECRET);
      expect(output).toContain(`password ${REDACTED}`);
    }
    expect(outputs[0]).toContain(`  # rolled back to v1: health WARNING: connection failed with password ${REDACTED}\n`);
    const json = JSON.parse(outputs[1] ?? '') as { results: Array<{ notes: string[]; error: string }> };
    expect(json.results[0]?.notes).toEqual([`rolled back to v1: health WARNING: connection failed with password ${REDACTED}`]);
    expect(json.results[0]?.error).toBe(`DSS answered 400: bad password ${REDACTED}`);
  });

  it('leaves the report it is given unchanged', () => {
    const given = report();
    inRun(() => renderApplyJson(given));
    expect(given.results[0]?.notes?.[0]).toContain(SECRET);
  });
});
