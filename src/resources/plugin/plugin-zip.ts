// What a plugin archive says about itself: the `plugin.json` at its root, or inside its one top-level folder (the
// layout a zip of a plugin's folder has), with the plugin's `id` and `version`. Archives come from manifests, which
// come from pull requests: `plugin.json` is inflated only when its declared size is small, and nothing else is.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Fflate from 'fflate';
import { isObject, type Json } from '../../base/json.js';

let fflate: typeof Fflate | undefined;

/**
 * fflate, loaded on first use: loading it builds its inflate and deflate tables (~8 ms of CPU), which every run of
 * every command paid, since the plugin kind is registered with the others, and only a plugin archive needs.
 */
function zipLib(): typeof Fflate {
  fflate ??= createRequire(import.meta.url)('fflate') as typeof Fflate;
  return fflate;
}

/** The largest `plugin.json` read from an archive. */
const DESCRIPTOR_SIZE_LIMIT = 256 * 1024;

export interface PluginArchiveInfo {
  id: string;
  version: string;
  /** The whole `plugin.json`. */
  descriptor: Json;
}

export type PluginArchiveRead = PluginArchiveInfo | { problem: string };

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

function isDescriptorPath(name: string): boolean {
  const parts = name.split('/');
  return (parts.length === 1 && parts[0] === 'plugin.json') || (parts.length === 2 && parts[0] !== '' && parts[1] === 'plugin.json');
}

/** Reads `plugin.json` from a plugin archive, or says what is wrong with it. */
export function readPluginArchive(bytes: Uint8Array): PluginArchiveRead {
  if (!startsWith(bytes, ZIP_MAGIC) && !startsWith(bytes, EMPTY_ZIP_MAGIC)) return { problem: 'is not a zip archive' };
  let files: Record<string, Uint8Array>;
  let tooLarge = false;
  try {
    files = zipLib().unzipSync(bytes, {
      filter: (file) => {
        if (!isDescriptorPath(file.name)) return false;
        if (file.originalSize > DESCRIPTOR_SIZE_LIMIT) tooLarge = true;
        return !tooLarge;
      },
    });
  } catch (error) {
    return { problem: `is not a readable zip archive (${error instanceof Error ? error.message : String(error)})` };
  }
  if (tooLarge) return { problem: `has a plugin.json larger than ${DESCRIPTOR_SIZE_LIMIT} bytes` };
  const names = Object.keys(files).sort();
  if (names.length === 0) return { problem: 'has no plugin.json at its root or in its top-level folder' };
  if (names.length > 1) return { problem: `has more than one plugin.json (${names.join(', ')})` };
  let descriptor: unknown;
  try {
    descriptor = JSON.parse(zipLib().strFromU8(files[names[0] as string] as Uint8Array));
  } catch {
    return { problem: `has a ${names[0]} that is not valid JSON` };
  }
  if (!isObject(descriptor)) return { problem: `has a ${names[0]} that is not a JSON object` };
  const { id, version } = descriptor;
  if (typeof id !== 'string' || id === '') return { problem: `has a ${names[0]} without an \`id\`` };
  if (typeof version !== 'string' || version === '') return { problem: `has a ${names[0]} without a \`version\`` };
  return { id, version, descriptor };
}

/** The archive's content hash, what tells one archive from another. */
export function archiveSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
