// Strict UTF-8 with the position of the first bad byte, bounded reads of regular files only, and the count of
// what YAML aliases expand to.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { decodeUtf8, firstInvalidUtf8, readBoundedFile, readTextFile } from '../../src/manifest/read-text.js';
import { aliasPastLimit, parseYaml } from '../../src/base/yaml-source.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-read-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('firstInvalidUtf8', () => {
  it('accepts well-formed text of every sequence length', () => {
    const text = Buffer.from('a é € 𝄞 \u{10FFFF}', 'utf8');
    expect(firstInvalidUtf8(text)).toBe(text.length);
  });

  it.each([
    ['a lone continuation byte', bytes(0x61, 0x80), 1],
    ['an overlong two-byte form', bytes(0x61, 0x62, 0xc0, 0x80), 2],
    ['an overlong three-byte form', bytes(0xe0, 0x80, 0x80), 0],
    ['a surrogate', bytes(0x61, 0xed, 0xa0, 0x80), 1],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['a sequence cut short by the end', bytes(0x61, 0xe2, 0x82), 1],
    ['a sequence cut short by ASCII', bytes(0xe2, 0x82, 0x61), 0],
    ['0xFF', bytes(0x61, 0x62, 0x63, 0xff), 3],
  ])('finds %s', (_name, input, offset) => {
    expect(firstInvalidUtf8(input)).toBe(offset);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(input)).toThrow();
  });
});

describe('decodeUtf8', () => {
  it('decodes valid text as readFileSync does, keeping a byte-order mark', () => {
    const input = Buffer.from('\uFEFFkind: Project\n', 'utf8');
    expect(decodeUtf8(input)).toEqual({ text: input.toString('utf8') });
  });

  it('reports the line and the column, in characters, of the first bad byte and never replaces it', () => {
    const input = Buffer.concat([Buffer.from('a: 1\nb: "é€', 'utf8'), bytes(0xff), Buffer.from('"\n', 'utf8')]);
    expect(decodeUtf8(input)).toEqual({ line: 2, column: 7, byte: 0xff });
  });
});

describe('readBoundedFile', () => {
  it('reads a file up to the limit, and refuses one byte more', () => {
    const file = path.join(dir, 'ten');
    writeFileSync(file, '0123456789');
    expect(readBoundedFile(file, 10)).toEqual({ bytes: Buffer.from('0123456789') });
    expect(readBoundedFile(file, 9)).toEqual({ reason: 'is larger than 9 bytes, the limit' });
  });

  it('reads past a size that fstat understates, as procfs files report 0, and still stops at the limit', () => {
    const status = readBoundedFile('/proc/self/status', 1024 * 1024);
    expect('bytes' in status && status.bytes.toString('utf8')).toMatch(/^Name:/);
    expect(readBoundedFile('/proc/self/status', 10)).toEqual({ reason: 'is larger than 10 bytes, the limit' });
  });

  it('refuses a FIFO without blocking, a directory and a device', () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(readBoundedFile(fifo, 100)).toEqual({ reason: 'is a FIFO, not a regular file' });
    expect(readBoundedFile(dir, 100)).toEqual({ reason: 'is a directory, not a regular file' });
    expect(readBoundedFile('/dev/zero', 100)).toEqual({ reason: 'is a character device, not a regular file' });
  });

  it('says when a file cannot be read', () => {
    expect(readBoundedFile(path.join(dir, 'missing'), 100)).toEqual({ reason: 'cannot be read (ENOENT)' });
  });

  it('refuses text that is not UTF-8 with the position of the bad byte', () => {
    const file = path.join(dir, 'latin1');
    writeFileSync(file, Buffer.from('x\n\xe9', 'latin1'));
    expect(readTextFile(file, 100)).toEqual({
      reason: 'is not valid UTF-8 (byte 0xE9 at line 2, column 1)',
      invalidUtf8: { line: 2, column: 1, byte: '0xE9' },
    });
  });
});

describe('YAML aliases', () => {
  it('are counted by what they expand to: the alias that passes the limit is the one named', () => {
    const text = 'a: &a [1, 2, 3]\nb: &b [*a, *a]\nc: [*b, *b, *b]\n';
    const doc = parseAllDocuments(text)[0]!;
    // *a is 4 nodes, *b 9: 8 after line 2, then 17, 26, 35.
    expect(aliasPastLimit(doc, 7)?.range?.[0]).toBe(text.indexOf('*a]'));
    expect(aliasPastLimit(doc, 20)?.range?.[0]).toBe(text.indexOf('*b, *b, *b') + 4);
    expect(aliasPastLimit(doc, 35)).toBeUndefined();
  });

  it('used within the limit are expanded as before', () => {
    const text = 'grants: &g [{group: ops, read: true}]\nfirst: *g\nsecond: *g\n';
    expect(parseYaml('f.yaml', text)).toMatchObject({
      problems: [],
      documents: [{ value: { first: [{ group: 'ops', read: true }], second: [{ group: 'ops', read: true }] } }],
    });
  });
});
