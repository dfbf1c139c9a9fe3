// A plugin's descriptor from its uploaded archive, derived as DSS derives it from the plugin's files: `plugin.json`
// (id, version, meta, params), its parameter sets (`parameter-sets/ID/parameter-set.json`) and whether it ships a
// code env (`code-env/python/desc.json`). Only those small files are inflated.

import { strFromU8, unzipSync } from 'fflate';
import { isObject, type Json } from '../../base/json.js';
import { readPluginArchive } from '../../resources/plugin/plugin-zip.js';
import type { ParameterSetDesc, PluginDesc } from './plugin-catalog.js';

const FILE_LIMIT = 256 * 1024;
const PARAMETER_SET = /^(?:[^/]+\/)?parameter-sets\/([^/]+)\/parameter-set\.json$/;
const CODE_ENV = /^(?:[^/]+\/)?code-env\/python\/desc\.json$/;

function jsonObject(bytes: Uint8Array | undefined): Json | undefined {
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(strFromU8(bytes));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);

export function descFromArchive(bytes: Uint8Array): PluginDesc | { problem: string } {
  const read = readPluginArchive(bytes);
  if ('problem' in read) return read;
  const files = unzipSync(bytes, {
    filter: (file) => file.originalSize <= FILE_LIMIT && (PARAMETER_SET.test(file.name) || CODE_ENV.test(file.name)),
  });
  const parameterSets: ParameterSetDesc[] = [];
  for (const name of Object.keys(files).sort()) {
    const id = PARAMETER_SET.exec(name)?.[1];
    const desc = jsonObject(files[name]);
    if (id === undefined || desc === undefined) continue;
    const meta = isObject(desc.meta) ? desc.meta : { label: id };
    parameterSets.push({ id, elementType: `${read.id}_${id}`, desc: { meta, params: objects(desc.params), pluginParams: objects(desc.pluginParams) } });
  }
  const codeEnv = Object.keys(files).find((name) => CODE_ENV.test(name));
  const codeEnvSpec = codeEnv === undefined ? undefined : jsonObject(files[codeEnv]);
  const meta = isObject(read.descriptor.meta) ? read.descriptor.meta : {};
  return {
    id: read.id,
    version: read.version,
    meta: { label: typeof meta.label === 'string' ? meta.label : read.id, description: typeof meta.description === 'string' ? meta.description : '' },
    params: objects(read.descriptor.params),
    parameterSets,
    ...(codeEnvSpec === undefined ? {} : { codeEnvSpec: { envLang: 'PYTHON', ...codeEnvSpec } }),
  };
}
