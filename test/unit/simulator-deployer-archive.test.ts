import { describe, expect, it } from 'vitest';
import { strToU8, unzipSync, zipSync } from 'fflate';
import {
  buildArchive,
  extractUploadedArchive,
  InvalidArchiveError,
  readArchive,
  summarizeBundle,
  type BundleContent,
} from '../../src/simulator/deployer/archive.js';

function bundle(overrides: Partial<BundleContent> = {}): BundleContent {
  return {
    manifest: {
      formatVersion: 1,
      bundleId: 'v1',
      projectKey: 'CHURN',
      exportedOn: Date.UTC(2026, 0, 2),
      exportedBy: 'admin',
      releaseNotes: 'first',
      designNodeUrl: 'http://design:1111',
    },
    project: {
      metadata: { label: 'Churn', tags: ['ml'] },
      variables: { standard: { threshold: 0.7 }, local: {} },
      permissions: { owner: 'admin', permissions: [{ group: 'ds', readConfig: true }] },
      settings: { settings: { flowBuildSettings: {} } },
    },
    scenarios: [
      { id: 'DAILY', settings: { id: 'DAILY', name: 'Daily', type: 'step_based', active: true, params: { steps: [] } } },
      {
        id: 'PY',
        settings: { id: 'PY', name: 'Python', type: 'custom_python', active: false },
        payload: { script: 'print(1)' },
      },
    ],
    ...overrides,
  };
}

describe('bundle archive', () => {
  it('is a real zip whose JSON files hold the project configuration', () => {
    const files = unzipSync(buildArchive(bundle()));
    expect(Object.keys(files).sort()).toEqual([
      'export-manifest.json',
      'project_config/metadata.json',
      'project_config/permissions.json',
      'project_config/scenarios/DAILY.json',
      'project_config/scenarios/PY.json',
      'project_config/scenarios/PY.payload.json',
      'project_config/settings.json',
      'project_config/variables.json',
    ]);
    const variables = JSON.parse(Buffer.from(files['project_config/variables.json'] ?? []).toString('utf8'));
    expect(variables).toEqual({ standard: { threshold: 0.7 }, local: {} });
  });

  it('reads back what it wrote', () => {
    const content = bundle();
    expect(readArchive(buildArchive(content))).toEqual(content);
  });

  it('gives the same bytes for the same content', () => {
    expect(Buffer.from(buildArchive(bundle())).equals(Buffer.from(buildArchive(bundle())))).toBe(true);
  });

  it('keeps scenario ids that are not file-name safe', () => {
    const content = bundle({ scenarios: [{ id: 'a/b c', settings: { id: 'a/b c' } }] });
    expect(readArchive(buildArchive(content)).scenarios[0]?.id).toBe('a/b c');
  });

  it('accepts an export time before 1980 (test clocks)', () => {
    const content = bundle();
    content.manifest.exportedOn = 0;
    expect(readArchive(buildArchive(content)).manifest.exportedOn).toBe(0);
  });

  it('refuses bytes that are not a zip, and zips that are not bundles', () => {
    expect(() => readArchive(strToU8('hello'))).toThrow(InvalidArchiveError);
    expect(() => readArchive(zipSync({ 'a.txt': strToU8('a') }))).toThrow(/export-manifest.json is missing/);
    expect(() => readArchive(zipSync({ 'export-manifest.json': strToU8('{}') }))).toThrow(/lacks bundleId/);
  });

  it('summarizes the content', () => {
    expect(summarizeBundle(bundle())).toEqual({ scenarios: ['DAILY', 'PY'], scenarioCount: 2, variableCount: 1 });
  });
});

describe('uploaded archive', () => {
  const zip = buildArchive(bundle());

  it('is taken as is when the body is the zip', () => {
    expect(extractUploadedArchive(zip)).toBe(zip);
  });

  it('is taken from the file part of a multipart form', () => {
    const boundary = '----formboundary42';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="other"\r\n\r\nx\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.zip"\r\n`),
      Buffer.from('Content-Type: application/zip\r\n\r\n'),
      Buffer.from(zip),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    expect(readArchive(extractUploadedArchive(body))).toEqual(bundle());
  });
});
