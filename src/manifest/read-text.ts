// Reads a file that untrusted manifests lead to without letting it hang the run, exhaust its memory or smuggle
// bytes into DSS: only a regular file (checked before opening and again on the open descriptor, which is opened
// non-blocking so that a FIFO can never block), at most `limit` bytes, decoded as strict UTF-8.

import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import type { Problem } from './types.js';

/** The largest manifest file read. */
export const MANIFEST_SIZE_LIMIT = 4 * 1024 * 1024;
/** The largest `scriptFile` read. */
export const SCRIPT_SIZE_LIMIT = 1024 * 1024;

export type BoundedRead = { bytes: Buffer } | { reason: string };

export type DecodedText = { text: string } | { line: number; column: number; byte: number };

export function describeSize(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** What a non-regular file is, in words: `a directory`, `a FIFO`... */
export function describeFileType(stats: Pick<Stats, 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'>): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function checkRegular(stats: Stats, limit: number): string | undefined {
  if (!stats.isFile()) return `is ${describeFileType(stats)}, not a regular file`;
  if (stats.size > limit) return `is larger than ${describeSize(limit)}, the limit`;
  return undefined;
}

/** Reads at most `limit` bytes of a regular file (symbolic links followed); anything else is a reason to refuse. */
export function readBoundedFile(file: string, limit: number): BoundedRead {
  let fd: number;
  try {
    const refused = checkRegular(statSync(file), limit);
    if (refused !== undefined) return { reason: refused };
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    return { reason: `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` };
  }
  try {
    // The file may have been swapped between the check and the open: the descriptor is what counts.
    const refused = checkRegular(fstatSync(fd), limit);
    if (refused !== undefined) return { reason: refused };
    // Sized by what fstat says, grown while the file keeps giving bytes (procfs files say 0), up to limit + 1.
    let buffer = Buffer.alloc(Math.min(limit, fstatSync(fd).size) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > limit) break;
        const grown = Buffer.alloc(Math.min(limit + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > limit) return { reason: `is larger than ${describeSize(limit)}, the limit` };
    return { bytes: buffer.subarray(0, length) };
  } catch (cause) {
    return { reason: `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` };
  } finally {
    closeSync(fd);
  }
}

/**
 * Decodes strict UTF-8 (a byte-order mark is kept, as `readFileSync(f, 'utf8')` keeps it, so positions do not move);
 * invalid bytes are never replaced by U+FFFD: the 1-based line and column of the first one are returned instead.
 */
export function decodeUtf8(bytes: Uint8Array): DecodedText {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line += 1;
    const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(lineStart, offset));
    return { line, column: before.length + 1, byte: bytes[offset] ?? 0 };
  }
}

/** Well-formed ranges of the byte after each lead byte (the Unicode standard's table 3-7). */
function secondByteRange(lead: number): [number, number] | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return [0x80, 0xbf];
  if (lead === 0xe0) return [0xa0, 0xbf];
  if ((lead >= 0xe1 && lead <= 0xec) || lead === 0xee || lead === 0xef) return [0x80, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [0x80, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return undefined;
}

function sequenceLength(lead: number): number {
  return lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/** The offset of the first byte that starts an ill-formed sequence, or `bytes.length` when there is none. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const second = secondByteRange(lead);
    const length = sequenceLength(lead);
    if (second === undefined || i + length > bytes.length) return i;
    const b1 = bytes[i + 1] ?? 0;
    if (b1 < second[0] || b1 > second[1]) return i;
    for (let k = 2; k < length; k++) {
      const b = bytes[i + k] ?? 0;
      if (b < 0x80 || b > 0xbf) return i;
    }
    i += length;
  }
  return bytes.length;
}

export interface TextReadRefused {
  reason: string;
  /** Where the first invalid UTF-8 byte is, and its value in hex (`0xFF`). */
  invalidUtf8?: { line: number; column: number; byte: string };
}

/** Reads and decodes a file of text, for the manifests and the files they name. */
export function readTextFile(file: string, limit: number): { text: string } | TextReadRefused {
  const read = readBoundedFile(file, limit);
  if ('reason' in read) return read;
  const decoded = decodeUtf8(read.bytes);
  if ('text' in decoded) return decoded;
  const byte = `0x${decoded.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return {
    reason: `is not valid UTF-8 (byte ${byte} at line ${decoded.line}, column ${decoded.column})`,
    invalidUtf8: { line: decoded.line, column: decoded.column, byte },
  };
}

/** Reads a manifest file within the manifest limits, or says why not as a problem at the first bad byte. */
export function readManifestText(file: string): { text: string } | { problem: Problem } {
  const read = readTextFile(file, MANIFEST_SIZE_LIMIT);
  if ('text' in read) return read;
  const bad = read.invalidUtf8;
  return {
    problem: bad
      ? { file, line: bad.line, column: bad.column, message: `invalid UTF-8: byte ${bad.byte}; a manifest must be UTF-8 text` }
      : { file, line: 1, column: 1, message: `the manifest file ${read.reason}` },
  };
}
