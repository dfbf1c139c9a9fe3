import { describe, expect, it } from 'vitest';
import { checkRecord, entryInScope, MAX_INVENTORY_ENTRIES } from '../../src/reconciler/record-check.js';
import { MAX_SECRET_POINTERS } from '../../src/reconciler/recorded-secrets.js';

const HASH = 'a'.repeat(64);

describe('entryInScope', () => {
  it.each([
    'Project/CHURN',
    'Project/CHURN#variables',
    'Project/CHURN#permissions',
    'Scenario/CHURN/DAILY_REFRESH',
    'Bundle/CHURN/v1',
    'Bundle/CHURN/v1#publication',
  ])('lets a project record list its own %s', (address) => {
    expect(entryInScope('CHURN', address)).toBe(true);
  });

  it.each([
    ['another project', 'Project/SALES'],
    ['a project whose key starts alike', 'Project/CHURN2'],
    ['another project block', 'Project/SALES#variables'],
    ["another project's scenario", 'Scenario/SALES/DAILY'],
    ["another project's bundle", 'Bundle/SALES/v1'],
    ['a folder named like the project', 'ProjectFolder/CHURN/x'],
    ['a folder', 'ProjectFolder/Analytics'],
    ['a deployment', 'Deployment/churn-prod'],
    ['a published project', 'PublishedProject/CHURN'],
    ['an infra', 'Infra/prod'],
    ['an unknown kind', 'Dataset/CHURN/customers'],
    ['no kind', 'CHURN'],
    ['an empty string', ''],
    ['an extra segment', 'Scenario/CHURN/A/B'],
    ['a blank name', 'Scenario/CHURN/ '],
    ['a control character', 'Scenario/CHURN/A\nB'],
    ['an odd block', 'Project/CHURN#../x'],
    ['a very long address', `Scenario/CHURN/${'x'.repeat(600)}`],
  ])('refuses %s', (_what, address) => {
    expect(entryInScope('CHURN', address)).toBe(false);
  });
});

describe('checkRecord', () => {
  it('keeps a well-formed record as it is', () => {
    const entry = {
      version: 1,
      source: 'git:github.com/team/dss#manifests',
      commit: 'abcdef1234567',
      inventory: { 'Project/CHURN': { hash: HASH }, 'Scenario/CHURN/A': { hash: HASH, protected: true } },
    };
    expect(checkRecord('CHURN', entry)).toEqual({ record: entry, warnings: [] });
    expect(checkRecord('CHURN', undefined)).toEqual({ warnings: [] });
  });

  it('keeps only the fields it knows of an entry, whatever else the entry read holds', () => {
    const entry = {
      source: 'git:github.com/team/dss#manifests',
      inventory: {
        'Project/CHURN': { hash: HASH },
        'Scenario/CHURN/A': { hash: HASH, note: 'added by hand' },
        'Scenario/CHURN/B': { note: 'first', hash: HASH, protected: false },
      },
    };
    const checked = checkRecord('CHURN', entry).record?.inventory ?? {};
    expect(checked).toEqual({ 'Project/CHURN': { hash: HASH }, 'Scenario/CHURN/A': { hash: HASH }, 'Scenario/CHURN/B': { hash: HASH } });
    expect(JSON.stringify(checked['Scenario/CHURN/A'])).toBe(`{"hash":"${HASH}"}`);
    expect(JSON.stringify(checked['Scenario/CHURN/B'])).toBe(`{"hash":"${HASH}"}`);
  });

  it('drops entries outside the scope, with a warning naming the record and the entry', () => {
    const { record, warnings } = checkRecord('CHURN', {
      source: 's',
      inventory: { 'Project/CHURN': { hash: HASH }, 'Project/SALES': { hash: HASH }, 'ProjectFolder/Analytics': { hash: HASH } },
    });
    expect(record?.inventory).toEqual({ 'Project/CHURN': { hash: HASH } });
    expect(warnings).toEqual([
      expect.stringMatching(/^Project\/CHURN#ownership: entry "Project\/SALES" is ignored: it is not an object of project CHURN/) as unknown,
      expect.stringMatching(/^Project\/CHURN#ownership: entry "ProjectFolder\/Analytics" is ignored/) as unknown,
    ]);
  });

  it('drops entries of the wrong shape, and keeps an unreadable protected mark as protection', () => {
    const { record, warnings } = checkRecord('CHURN', {
      source: 's',
      inventory: {
        'Scenario/CHURN/A': 'x',
        'Scenario/CHURN/B': [HASH],
        'Scenario/CHURN/C': { hash: 'not-a-hash' },
        'Scenario/CHURN/D': { hash: 42 },
        'Scenario/CHURN/E': { hash: HASH, protected: 'no' },
        'Scenario/CHURN/F': { hash: HASH, protected: false },
      },
      commit: '; rm -rf /',
    });
    expect(record?.inventory).toEqual({ 'Scenario/CHURN/E': { hash: HASH, protected: true }, 'Scenario/CHURN/F': { hash: HASH } });
    expect(record?.commit).toBeUndefined();
    expect(warnings).toHaveLength(6);
    expect(warnings.join('\n')).toContain('"Scenario/CHURN/A" is ignored: it is a string, not an object');
    expect(warnings.join('\n')).toContain('"Scenario/CHURN/B" is ignored: it is an array, not an object');
    expect(warnings.join('\n')).toContain('"Scenario/CHURN/C" is ignored: its hash is not a spec hash');
    expect(warnings.join('\n')).toContain('"Scenario/CHURN/E" has a protected mark that is not true or false');
    expect(warnings.join('\n')).toContain('its commit is not a git commit id');
  });

  it.each([
    ['a string', 'not json {', /it is a string, not an object/],
    ['an array', [{ source: 's', inventory: {} }], /it is an array, not an object/],
    ['null', null, /it is null, not an object/],
    ['a source that is not a string', { source: 7, inventory: {} }, /its source is a number/],
    ['an empty source', { source: ' ', inventory: {} }, /its source is not a valid source name/],
    ['an inventory that is an array', { source: 's', inventory: ['Project/CHURN'] }, /its inventory is an array/],
    ['another version', { version: 2, source: 's', inventory: {} }, /its version "2" is not 1/],
  ])('ignores a record that is %s, with one warning naming it', (_what, entry, why) => {
    const checked = checkRecord('CHURN', entry);
    expect(checked.record).toBeUndefined();
    expect(checked.warnings).toHaveLength(1);
    expect(checked.warnings[0]).toMatch(/^Project\/CHURN#ownership: the ownership record read from DSS is ignored: /);
    expect(checked.warnings[0]).toMatch(why);
  });

  it('ignores a huge inventory without walking it', () => {
    const inventory = Object.fromEntries(Array.from({ length: MAX_INVENTORY_ENTRIES + 1 }, (_, i) => [`Scenario/CHURN/S${i}`, { hash: HASH }]));
    const checked = checkRecord('CHURN', { source: 's', inventory });
    expect(checked.record).toBeUndefined();
    expect(checked.warnings[0]).toContain(`lists ${MAX_INVENTORY_ENTRIES + 1} entries`);
  });

  it('keeps the secret places of an entry, which can only widen masking, bounded and as JSON pointers', () => {
    const many = Array.from({ length: MAX_SECRET_POINTERS + 5 }, (_, i) => `/p${i}`);
    const { record, warnings } = checkRecord('CHURN', {
      source: 's',
      inventory: {
        'Project/CHURN#metadata': { hash: HASH, sensitive: ['/shortDesc', '/custom/token'] },
        'Scenario/CHURN/A': { hash: HASH, sensitive: '/x' },
        'Scenario/CHURN/B': { hash: HASH, sensitive: ['/ok', 7, 'no-slash', `/${'x'.repeat(600)}`, '/a\nb'] },
        'Scenario/CHURN/C': { hash: HASH, sensitive: many },
      },
    });
    expect(record?.inventory).toEqual({
      'Project/CHURN#metadata': { hash: HASH, sensitive: ['/shortDesc', '/custom/token'] },
      'Scenario/CHURN/A': { hash: HASH },
      'Scenario/CHURN/B': { hash: HASH, sensitive: ['/ok'] },
      'Scenario/CHURN/C': { hash: HASH, sensitive: many.slice(0, MAX_SECRET_POINTERS) },
    });
    expect(warnings).toEqual([
      'Project/CHURN#ownership: entry "Scenario/CHURN/A" has secret places that are a string, not a list; they are ignored',
      'Project/CHURN#ownership: entry "Scenario/CHURN/B" lists 4 secret place(s) that are not JSON pointers; they are ignored',
      `Project/CHURN#ownership: entry "Scenario/CHURN/C" lists more than ${MAX_SECRET_POINTERS} secret places; the first ${MAX_SECRET_POINTERS} are kept`,
    ]);
  });
});
