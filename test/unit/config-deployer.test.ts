// The deployer node's settings: the design node's API key goes only to the same origin, and TLS verification is
// never turned off there unless asked for that node.

import { describe, expect, it } from 'vitest';
import { missingConnectionSettings } from '../../src/config/connection.js';
import { loadConfig } from '../../src/config/load-config.js';

const load = (env: Record<string, string>) => loadConfig(undefined, { env, vars: {} }).config;

describe('deployer node settings', () => {
  const design = { DSS_URL: 'https://design.corp', DSS_API_KEY: 'DESIGN-KEY', DSS_INSECURE: '1' };

  it('does not send the design key to another host, nor turn TLS off there', () => {
    const config = load({ ...design, DSS_DEPLOYER_URL: 'https://deployer.other.corp' });
    expect(config.nodes.deployer).toEqual({ url: 'https://deployer.other.corp', apiKey: '' });
    expect(config.nodes.design.insecure).toBe(true);
    const missing = missingConnectionSettings(config, ['deployer']);
    expect(missing).toHaveLength(1);
    expect(missing[0]).toContain('DSS_DEPLOYER_API_KEY');
    expect(missing[0]).toContain('https://deployer.other.corp');
    expect(missing[0]).not.toContain('DESIGN-KEY');
  });

  it('inherits the key on the same origin (another base path, a trailing slash, a default port)', () => {
    expect(load({ ...design, DSS_DEPLOYER_URL: 'https://design.corp:443/' }).nodes.deployer?.apiKey).toBe('DESIGN-KEY');
    expect(load({ ...design, DSS_DEPLOYER_URL: 'https://DESIGN.corp/deployer' }).nodes.deployer?.apiKey).toBe('DESIGN-KEY');
    expect(load({ ...design, DSS_DEPLOYER_URL: 'http://design.corp' }).nodes.deployer?.apiKey).toBe('');
    expect(load({ ...design, DSS_DEPLOYER_URL: 'https://design.corp:8443' }).nodes.deployer?.apiKey).toBe('');
  });

  it('takes its own key and its own DSS_DEPLOYER_INSECURE, never the design node\'s', () => {
    const config = load({ ...design, DSS_DEPLOYER_URL: 'https://deployer.other.corp', DSS_DEPLOYER_API_KEY: 'DEPLOYER-KEY' });
    expect(config.nodes.deployer).toEqual({ url: 'https://deployer.other.corp', apiKey: 'DEPLOYER-KEY' });
    expect(missingConnectionSettings(config, ['deployer'])).toEqual([]);
    const same = load({ ...design, DSS_DEPLOYER_URL: 'https://design.corp' });
    expect(same.nodes.deployer?.insecure).toBeUndefined();
    expect(load({ ...design, DSS_DEPLOYER_URL: 'https://d2', DSS_DEPLOYER_INSECURE: '1' }).nodes.deployer?.insecure).toBe(true);
  });

  it('inherits neither from a deployer configured in the file on another host', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'dss-gitops-config-')), 'dss-gitops.yaml');
    writeFileSync(file, 'nodes:\n  design:\n    url: https://design.corp\n    insecure: true\n  deployer:\n    url: https://deployer.other.corp\n');
    const { config } = loadConfig(file, { env: { DSS_API_KEY: 'DESIGN-KEY' }, vars: {} });
    expect(config.nodes.deployer).toEqual({ url: 'https://deployer.other.corp', apiKey: '' });
  });
});
