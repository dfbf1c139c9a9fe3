// Interpolation of ${env:..}, ${var:..} and ${secret:..}: what resolves, what is left alone, what is reported.

import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';

const sources = { env: { HOME_DIR: '/home/x', TOKEN: 's3cr3t', EMPTY: '' }, vars: { region: 'eu', 'app.name': 'churn' } };

describe('interpolate', () => {
  it('resolves every reference inside strings at any depth, never in keys', () => {
    const result = interpolate({ a: '${env:HOME_DIR}/data', '${var:region}': ['x-${var:region}-${var:app.name}'], n: 3, b: true }, sources);
    expect(result.value).toEqual({ a: '/home/x/data', '${var:region}': ['x-eu-churn'], n: 3, b: true });
    expect(result.issues).toEqual([]);
  });

  it('copies a __proto__ key as an own property, as the YAML reader gives it, not as the prototype of the copy', () => {
    const parsed = JSON.parse('{"spec": {"__proto__": {"owner": "${var:region}"}}}') as unknown;
    const spec = (interpolate(parsed, sources).value as { spec: Record<string, unknown> }).spec;
    expect(Object.getPrototypeOf(spec)).toBe(Object.prototype);
    expect(Object.keys(spec)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(spec, '__proto__')?.value).toEqual({ owner: 'eu' });
    expect(spec.owner).toBeUndefined();
  });

  it('reads no inherited property as a variable: ${var:constructor} and ${env:toString} are unresolved, with their message', () => {
    const result = interpolate({ a: '${var:constructor}', b: '${var:__proto__}', c: '${env:toString}', d: '${secret:hasOwnProperty}' }, sources);
    expect(result.value).toEqual({ a: '${var:constructor}', b: '${var:__proto__}', c: '${env:toString}', d: '${secret:hasOwnProperty}' });
    expect(result.issues.map((i) => [i.pointer, i.message])).toEqual([
      ['/a', 'unresolved `${var:constructor}`: no variable `constructor` was given'],
      ['/b', 'unresolved `${var:__proto__}`: no variable `__proto__` was given'],
      ['/c', 'unresolved `${env:toString}`: the environment variable toString is not set'],
      ['/d', 'unresolved `${secret:hasOwnProperty}`: the environment variable hasOwnProperty is not set'],
    ]);
    expect(result.secrets).toEqual([]);
  });

  it('leaves an unset ${secret:constructor} unresolved offline, as any unset secret', () => {
    const result = interpolate({ a: '${secret:constructor}' }, { ...sources, secretsOptional: true });
    expect(result.issues).toEqual([]);
    expect(result.unresolvedPointers).toEqual(['/a']);
    expect(result.sensitivePointers).toEqual(['/a']);
  });

  it('leaves DSS variables and unknown prefixes alone, and turns $${ into a literal ${', () => {
    const result = interpolate({ a: '${projectKey}', b: '$${env:HOME_DIR}', c: '${other:X}', d: '$$${var:region}' }, sources);
    expect(result.value).toEqual({ a: '${projectKey}', b: '${env:HOME_DIR}', c: '${other:X}', d: '$${var:region}' });
  });

  it('records secrets by pointer and by value, and treats an empty environment value as set', () => {
    const result = interpolate({ spec: { key: 'Bearer ${secret:TOKEN}', list: ['${secret:TOKEN}'], e: '${env:EMPTY}' } }, sources);
    expect(result.value).toEqual({ spec: { key: 'Bearer s3cr3t', list: ['s3cr3t'], e: '' } });
    expect(result.sensitivePointers).toEqual(['/spec/key', '/spec/list/0']);
    expect(result.secrets).toEqual(['s3cr3t', 's3cr3t']);
  });

  it('reports each unresolved reference at the pointer of its value and keeps the text', () => {
    const result = interpolate({ 'a/b': ['${var:zone}', '${env:NOPE} ${secret:GONE}'] }, sources);
    expect(result.value).toEqual({ 'a/b': ['${var:zone}', '${env:NOPE} ${secret:GONE}'] });
    expect(result.unresolvedPointers).toEqual(['/a~1b/0', '/a~1b/1']);
    expect(result.issues).toEqual([
      { pointer: '/a~1b/0', message: 'unresolved `${var:zone}`: no variable `zone` was given', hint: 'pass --var zone=VALUE or define it in a --var-file' },
      { pointer: '/a~1b/1', message: 'unresolved `${env:NOPE}`: the environment variable NOPE is not set' },
      {
        pointer: '/a~1b/1',
        message: 'unresolved `${secret:GONE}`: the environment variable GONE is not set',
        hint: 'export GONE in the environment that runs dss-gitops',
      },
    ]);
    expect(result.sensitivePointers).toEqual([]);
  });

  it('shares the parts that hold no reference with its input, and copies the way to each changed string', () => {
    const input = { spec: { plain: { a: 'x', list: [1, 'y'] }, changed: { b: ['keep', 'in ${var:region}'] } } };
    const result = interpolate(input, sources).value as typeof input;
    expect(result).toEqual({ spec: { plain: { a: 'x', list: [1, 'y'] }, changed: { b: ['keep', 'in eu'] } } });
    expect(result.spec.plain).toBe(input.spec.plain);
    expect(result).not.toBe(input);
    expect(result.spec.changed).not.toBe(input.spec.changed);
    expect(interpolate(input.spec.plain, sources).value).toBe(input.spec.plain);
  });

  it('gives an object held twice by its input (a YAML alias) as two objects, each interpolated', () => {
    const shared = { name: 'n', where: '${var:region}' };
    const plain = { name: 'n' };
    const result = interpolate({ a: shared, b: shared, c: [plain, plain] }, sources).value as Record<string, unknown> & { c: unknown[] };
    expect(result).toEqual({ a: { name: 'n', where: 'eu' }, b: { name: 'n', where: 'eu' }, c: [{ name: 'n' }, { name: 'n' }] });
    expect(result.a).not.toBe(result.b);
    expect(result.c[0]).not.toBe(result.c[1]);
    expect(result.c[0]).toBe(plain);
  });

  it('does not modify its input', () => {
    const input = { a: ['${var:region}'] };
    interpolate(input, sources);
    expect(input).toEqual({ a: ['${var:region}'] });
  });
});
