// --var and --var-file: formats, precedence, problems.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectVars, parseVarFlag } from '../../src/config/vars.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-vars-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('variables', () => {
  it('parses NAME=VALUE flags, keeping `=` in values', () => {
    expect(parseVarFlag('url=https://x?a=b')).toEqual(['url', 'https://x?a=b']);
    expect(parseVarFlag('empty=')).toEqual(['empty', '']);
    expect(parseVarFlag('no-equals')).toBeUndefined();
  });

  it('reads YAML, JSON and NAME=VALUE files in order; flags win over files', () => {
    const dir = dirWith({
      'a.yaml': 'region: eu\nreplicas: 3\nflag: true\n',
      'b.json': '{"region": "us", "zone": "b"}',
      'c.env': '# comment\nzone=c\n\nowner=ops=team\n',
    });
    const result = collectVars(['zone=flag'], ['a.yaml', 'b.json', 'c.env'], dir);
    expect(result.problems).toEqual([]);
    expect(result.vars).toEqual({ region: 'us', replicas: '3', flag: 'true', zone: 'flag', owner: 'ops=team' });
  });

  it('reports malformed files, structured values and malformed flags', () => {
    const dir = dirWith({ 'bad.yaml': 'a: [1\n', 'nested.yaml': 'x: 1\na:\n  b: 1\n' });
    const result = collectVars(['oops'], ['bad.yaml', 'nested.yaml'], dir);
    expect(result.problems.map((p) => [path.basename(p.file), p.line, p.message])).toEqual([
      ['bad.yaml', 2, 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
      ['nested.yaml', 2, 'variable `a` must be a scalar, not a structure'],
      ['--var', 1, '`oops` is not of the form NAME=VALUE'],
    ]);
  });
});
