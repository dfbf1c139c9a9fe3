// A bundle's archive: a real zip that holds the project's configuration at export time, as JSON files. The same
// module reads archives back, so that the deployer and automation nodes work from the bytes a client uploads, not
// from shared memory: an archive exported by one node can be imported by any other.

import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';

export interface BundleManifest {
  formatVersion: 1;
  bundleId: string;
  projectKey: string;
  exportedOn: number;
  exportedBy: string;
  releaseNotes: string;
  designNodeUrl: string;
}

export interface BundleScenario {
  id: string;
  /** The scenario's full settings object, as `GET /projects/{key}/scenarios/{id}` answers it. */
  settings: Record<string, unknown>;
  /** The scenario's payload (`{script}` of python scenarios), when it has one. */
  payload?: unknown;
}

export interface BundleProjectConfig {
  metadata: unknown;
  variables: unknown;
  permissions: unknown;
  settings?: unknown;
}

export interface BundleContent {
  manifest: BundleManifest;
  project: BundleProjectConfig;
  scenarios: BundleScenario[];
}

export class InvalidArchiveError extends Error {}

const MANIFEST = 'export-manifest.json';
const PROJECT_DIR = 'project_config/';
const SCENARIO_DIR = 'project_config/scenarios/';
const PAYLOAD_SUFFIX = '.payload.json';
// Zip timestamps before 1980 cannot be encoded; clocks in tests may start at 0.
const MIN_ZIP_TIME = Date.UTC(1980, 1, 1);

const json = (value: unknown): Uint8Array => strToU8(`${JSON.stringify(value, null, 2)}\n`);

/** Builds the zip. Deterministic: the same content gives the same bytes (entries sorted, mtime = export time). */
export function buildArchive(content: BundleContent): Uint8Array {
  const files: Record<string, Uint8Array> = {
    [MANIFEST]: json(content.manifest),
    [`${PROJECT_DIR}metadata.json`]: json(content.project.metadata),
    [`${PROJECT_DIR}variables.json`]: json(content.project.variables),
    [`${PROJECT_DIR}permissions.json`]: json(content.project.permissions),
  };
  if (content.project.settings !== undefined) files[`${PROJECT_DIR}settings.json`] = json(content.project.settings);
  for (const scenario of content.scenarios) {
    const base = `${SCENARIO_DIR}${encodeURIComponent(scenario.id)}`;
    files[`${base}.json`] = json(scenario.settings);
    if (scenario.payload !== undefined) files[`${base}${PAYLOAD_SUFFIX}`] = json(scenario.payload);
  }
  const mtime = new Date(Math.max(content.manifest.exportedOn, MIN_ZIP_TIME));
  const zippable: Zippable = {};
  for (const name of Object.keys(files).sort()) zippable[name] = [files[name] as Uint8Array, { mtime }];
  return zipSync(zippable, { level: 6 });
}

function readJson(files: Record<string, Uint8Array>, name: string): unknown {
  const bytes = files[name];
  if (bytes === undefined) throw new InvalidArchiveError(`Invalid bundle archive: ${name} is missing`);
  try {
    return JSON.parse(strFromU8(bytes)) as unknown;
  } catch (err) {
    throw new InvalidArchiveError(`Invalid bundle archive: ${name} is not valid JSON (${(err as Error).message})`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkManifest(value: unknown): BundleManifest {
  if (!isRecord(value) || typeof value.bundleId !== 'string' || typeof value.projectKey !== 'string') {
    throw new InvalidArchiveError(`Invalid bundle archive: ${MANIFEST} lacks bundleId or projectKey`);
  }
  return {
    formatVersion: 1,
    bundleId: value.bundleId,
    projectKey: value.projectKey,
    exportedOn: typeof value.exportedOn === 'number' ? value.exportedOn : 0,
    exportedBy: typeof value.exportedBy === 'string' ? value.exportedBy : '',
    releaseNotes: typeof value.releaseNotes === 'string' ? value.releaseNotes : '',
    designNodeUrl: typeof value.designNodeUrl === 'string' ? value.designNodeUrl : '',
  };
}

/** Reads a zip built by `buildArchive`. Throws `InvalidArchiveError` on anything else. */
export function readArchive(bytes: Uint8Array): BundleContent {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new InvalidArchiveError(`Invalid bundle archive: not a zip file (${(err as Error).message})`);
  }
  const manifest = checkManifest(readJson(files, MANIFEST));
  const project: BundleProjectConfig = {
    metadata: readJson(files, `${PROJECT_DIR}metadata.json`),
    variables: readJson(files, `${PROJECT_DIR}variables.json`),
    permissions: readJson(files, `${PROJECT_DIR}permissions.json`),
  };
  if (files[`${PROJECT_DIR}settings.json`] !== undefined) {
    project.settings = readJson(files, `${PROJECT_DIR}settings.json`);
  }
  const scenarios: BundleScenario[] = [];
  for (const name of Object.keys(files).sort()) {
    if (!name.startsWith(SCENARIO_DIR) || name.endsWith(PAYLOAD_SUFFIX) || !name.endsWith('.json')) continue;
    const id = decodeURIComponent(name.slice(SCENARIO_DIR.length, -'.json'.length));
    const settings = readJson(files, name);
    if (!isRecord(settings)) throw new InvalidArchiveError(`Invalid bundle archive: ${name} is not an object`);
    const scenario: BundleScenario = { id, settings };
    const payloadName = `${SCENARIO_DIR}${encodeURIComponent(id)}${PAYLOAD_SUFFIX}`;
    if (files[payloadName] !== undefined) scenario.payload = readJson(files, payloadName);
    scenarios.push(scenario);
  }
  return { manifest, project, scenarios };
}

/** DSS's `contentSummary` of a bundle: what it holds, for listings. */
export function summarizeBundle(content: BundleContent): Record<string, unknown> {
  const variables = isRecord(content.project.variables) ? content.project.variables : {};
  const standard = isRecord(variables.standard) ? variables.standard : {};
  return {
    scenarios: content.scenarios.map((s) => s.id),
    scenarioCount: content.scenarios.length,
    variableCount: Object.keys(standard).length,
  };
}

/**
 * Extracts the zip from an upload body. Clients send it either raw or, like DSS's Python client, as the `file` part
 * of a multipart form; the part is found by its boundary, so no Content-Type header is needed.
 */
export function extractUploadedArchive(body: Uint8Array): Uint8Array {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (buf.length >= 2 && buf[0] === 0x50 && buf[1] === 0x4b) return body; // "PK": a zip
  if (buf.subarray(0, 2).toString('latin1') !== '--') return body;
  const firstLineEnd = buf.indexOf('\r\n');
  if (firstLineEnd < 0) return body;
  const boundary = buf.subarray(0, firstLineEnd);
  let cursor = 0;
  for (;;) {
    const start = buf.indexOf(boundary, cursor);
    if (start < 0) return body;
    const headersStart = start + boundary.length + 2;
    const headersEnd = buf.indexOf('\r\n\r\n', headersStart);
    if (headersEnd < 0) return body;
    const headers = buf.subarray(headersStart, headersEnd).toString('latin1');
    const next = buf.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headersEnd + 4);
    if (next < 0) return body;
    if (/name="?file"?/i.test(headers) || /filename=/i.test(headers)) {
      return new Uint8Array(buf.subarray(headersEnd + 4, next));
    }
    cursor = next + 2;
  }
}
