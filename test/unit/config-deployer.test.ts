// The deployer node's settings: the design node's API key, CA file and `insecure` flag go only to the same origin
// (the same server); on another host TLS verification is never turned off unless asked for that node.

import { describe, expect, it } from 'vitest';
import { missingConnectionSettings } from '../../src/config/connection.js';
import { loadConfig } from '../../src/input/load-config.js';

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

  it('takes its own key and its own DSS_DEPLOYER_INSECURE on another host, never the design node\'s', () => {
    const config = load({ ...design, DSS_DEPLOYER_URL: 'https://deployer.other.corp', DSS_DEPLOYER_API_KEY: 'DEPLOYER-KEY' });
    expect(config.nodes.deployer).toEqual({ url: 'https://deployer.other.corp', apiKey: 'DEPLOYER-KEY' });
    expect(missingConnectionSettings(config, ['deployer'])).toEqual([]);
    expect(load({ ...design, DSS_DEPLOYER_URL: 'https://d2', DSS_DEPLOYER_INSECURE: '1' }).nodes.deployer?.insecure).toBe(true);
  });

  it('inherits DSS_INSECURE and the CA file with the key on the same origin, or without a deployer URL', () => {
    const tls = { ...design, DSS_CA_FILE: '/ca.pem' };
    expect(load({ ...tls, DSS_DEPLOYER_URL: 'https://design.corp/deployer' }).nodes.deployer).toEqual({
      url: 'https://design.corp/deployer', apiKey: 'DESIGN-KEY', caFile: '/ca.pem', insecure: true,
    });
    expect(load({ ...tls, DSS_DEPLOYER_API_KEY: 'DEPLOYER-KEY' }).nodes.deployer).toEqual({
      url: '', apiKey: 'DEPLOYER-KEY', caFile: '/ca.pem', insecure: true,
    });
  });

  it('inherits neither DSS_INSECURE nor the CA file on another origin, which sets its own', () => {
    const tls = { ...design, DSS_CA_FILE: '/ca.pem' };
    expect(load({ ...tls, DSS_DEPLOYER_URL: 'https://design.corp:8443', DSS_DEPLOYER_API_KEY: 'K' }).nodes.deployer).toEqual({
      url: 'https://design.corp:8443', apiKey: 'K',
    });
    const own = load({ ...tls, DSS_DEPLOYER_URL: 'https://d2', DSS_DEPLOYER_CA_FILE: '/d2.pem', DSS_DEPLOYER_INSECURE: '1' });
    expect(own.nodes.deployer).toEqual({ url: 'https://d2', apiKey: '', caFile: '/d2.pem', insecure: true });
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

  it('takes the file\'s design insecure flag for a file deployer on the same origin, unless it sets its own', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'dss-gitops-config-')), 'dss-gitops.yaml');
    writeFileSync(file, 'nodes:\n  design:\n    url: https://design.corp\n    insecure: true\n  deployer:\n    url: https://design.corp/x\n');
    expect(loadConfig(file, { env: { DSS_API_KEY: 'DESIGN-KEY' }, vars: {} }).config.nodes.deployer).toEqual({
      url: 'https://design.corp/x', apiKey: 'DESIGN-KEY', insecure: true,
    });
    writeFileSync(file, 'nodes:\n  design:\n    url: https://design.corp\n    insecure: true\n  deployer:\n    url: https://design.corp/x\n    insecure: false\n');
    expect(loadConfig(file, { env: {}, vars: {} }).config.nodes.deployer?.insecure).toBe(false);
  });
});
