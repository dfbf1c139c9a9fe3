// dss-gitops.yaml: environment overrides, the deployer's fallback to the design node, literal keys, and the
// connection requirement that only commands talking to DSS enforce.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingConnectionSettings, nodeSettings, requireConnection } from '../../src/config/connection.js';
import { loadConfig, locateConfig } from '../../src/input/load-config.js';
import { DEFAULTS } from '../../src/config/types.js';
import { UserError } from '../../src/errors.js';

function configFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-config-'));
  const file = path.join(dir, 'dss-gitops.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('gives the defaults and empty connection settings without a file', () => {
    const { config, problems } = loadConfig(undefined, { env: {}, vars: {} });
    expect(problems).toEqual([]);
    expect(config).toEqual({ nodes: { design: { url: '', apiKey: '' } }, defaults: DEFAULTS, prune: false, ignoreDifferences: [], external: [] });
  });

  it('lets the environment override the file, and records keys as secrets', () => {
    const file = configFile('nodes:\n  design:\n    url: https://file.example.com\n    caFile: /etc/ca.pem\n');
    const env = { DSS_URL: 'https://env.example.com', DSS_API_KEY: 'env-key', DSS_INSECURE: '1' };
    const { config, secrets } = loadConfig(file, { env, vars: {} });
    expect(config.nodes.design).toEqual({ url: 'https://env.example.com', apiKey: 'env-key', caFile: '/etc/ca.pem', insecure: true });
    expect(config.nodes.deployer).toBeUndefined();
    expect(secrets).toEqual(['env-key']);
  });

  it('configures a deployer from DSS_DEPLOYER_* and fills the rest from the design node, its key and CA file on the same origin only', () => {
    const env = { DSS_URL: 'https://d', DSS_API_KEY: 'k', DSS_CA_FILE: '/ca.pem', DSS_DEPLOYER_URL: 'https://deployer' };
    const { config } = loadConfig(undefined, { env, vars: {} });
    expect(config.nodes.deployer).toEqual({ url: 'https://deployer', apiKey: '' });
    const same = loadConfig(undefined, { env: { ...env, DSS_DEPLOYER_URL: 'https://d/deployer' }, vars: {} }).config;
    expect(same.nodes.deployer).toEqual({ url: 'https://d/deployer', apiKey: 'k', caFile: '/ca.pem' });
    expect(nodeSettings(config, 'deployer').url).toBe('https://deployer');
  });

  it('warns about an API key written in the file, and takes one from ${secret:..} silently', () => {
    const literal = loadConfig(configFile('nodes:\n  design:\n    url: https://x\n    apiKey: abc\n'), { env: {}, vars: {} });
    expect(literal.problems.map((p) => [p.line, p.column, p.severity, p.message])).toEqual([
      [4, 13, 'warning', '`nodes.design.apiKey` is written in the file; keep API keys out of Git'],
    ]);
    expect(literal.secrets).toContain('abc');
    const secret = loadConfig(configFile('nodes:\n  design:\n    apiKey: ${secret:K}\n'), { env: { K: 'from-env' }, vars: {} });
    expect(secret.problems).toEqual([]);
    expect(secret.config.nodes.design.apiKey).toBe('from-env');
    expect(secret.secrets).toContain('from-env');
  });

  it('takes a key from ${env:..} silently, and refuses credentials read anywhere but a node\'s apiKey', () => {
    const fromEnv = loadConfig(configFile('nodes:\n  design:\n    apiKey: ${env:DSS_API_KEY}\n'), { env: { DSS_API_KEY: 'env-key-1' }, vars: {} });
    expect(fromEnv.problems).toEqual([]);
    expect(fromEnv.config.nodes.design.apiKey).toBe('env-key-1');
    const elsewhere = loadConfig(configFile('defaults:\n  projectOwner: ${env:DSS_API_KEY}\n'), { env: { DSS_API_KEY: 'env-key-1' }, vars: {} });
    expect(elsewhere.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [2, 17, '`${env:DSS_API_KEY}` is refused here: credentials and secrets are read only into `nodes.design.apiKey` and `nodes.deployer.apiKey`'],
    ]);
    expect(elsewhere.config.defaults.projectOwner).not.toBe('env-key-1');
  });

  it('reads defaults.projectOwner, the owner of projects created without one, and refuses an empty one', () => {
    const { config, problems } = loadConfig(configFile('defaults:\n  projectOwner: jane\n'), { env: {}, vars: {} });
    expect(problems).toEqual([]);
    expect(config.defaults).toEqual({ ...DEFAULTS, projectOwner: 'jane' });
    const empty = loadConfig(configFile("defaults:\n  projectOwner: ''\n"), { env: {}, vars: {} });
    expect(empty.problems.map((p) => [p.line, p.severity ?? 'error'])).toEqual([[2, 'error']]);
  });

  it('falls back to the defaults when the file is invalid, and reports why', () => {
    const { config, problems } = loadConfig(configFile('defaults:\n  parallelism: 0\n'), { env: {}, vars: {} });
    expect(problems.map((p) => p.message)).toEqual(['`defaults.parallelism` must be >= 1']);
    expect(config.defaults.parallelism).toBe(DEFAULTS.parallelism);
  });

  it('is located by --config first, then in the root directory', () => {
    const file = configFile('prune: true\n');
    expect(locateConfig(undefined, path.dirname(file), '/')).toBe(file);
    expect(locateConfig('other.yaml', path.dirname(file), '/work')).toBe('/work/other.yaml');
    expect(locateConfig(undefined, undefined, '/')).toBeUndefined();
  });
});

describe('requireConnection', () => {
  it('names every missing setting, and passes when the design node is complete', () => {
    const { config } = loadConfig(undefined, { env: {}, vars: {} });
    expect(missingConnectionSettings(config)).toEqual([
      'no URL for the design node: set nodes.design.url in dss-gitops.yaml or DSS_URL',
      'no API key for the design node: set DSS_API_KEY or nodes.design.apiKey (with ${secret:NAME}) in dss-gitops.yaml',
    ]);
    expect(() => requireConnection(config)).toThrow(UserError);
    const complete = loadConfig(undefined, { env: { DSS_URL: 'https://d', DSS_API_KEY: 'k' }, vars: {} }).config;
    expect(() => requireConnection(complete, ['design', 'deployer'])).not.toThrow();
  });
});
