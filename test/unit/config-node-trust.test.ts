import { describe, expect, it } from 'vitest';
import { checkNodeTrust, environmentOrigins, type FileNode, type NodeName } from '../../src/config/node-trust.js';
import { DEFAULTS, type GitopsConfig, type NodeConfig } from '../../src/config/types.js';

function config(design: NodeConfig, deployer?: NodeConfig): GitopsConfig {
  return { nodes: { design, ...(deployer ? { deployer } : {}) }, defaults: DEFAULTS, prune: false, ignoreDifferences: [], external: [] };
}

const fileNode = (node: Partial<FileNode> = {}): FileNode => ({ apiKeyVariables: [], ...node });
const fields = (issues: ReturnType<typeof checkNodeTrust>): string[] => issues.map((i) => `${i.node}.${i.field}`);

describe('environmentOrigins', () => {
  it('names the origins of DSS_URL and DSS_DEPLOYER_URL, once each, and ignores what is no URL', () => {
    expect([...environmentOrigins({ DSS_URL: 'https://DSS.corp:443/x', DSS_DEPLOYER_URL: 'https://dss.corp/deployer' })]).toEqual([['https://dss.corp', 'DSS_URL']]);
    expect([...environmentOrigins({ DSS_URL: 'not a url', DSS_DEPLOYER_URL: 'https://d:8443' })]).toEqual([['https://d:8443', 'DSS_DEPLOYER_URL']]);
    expect(environmentOrigins({}).size).toBe(0);
  });
});

describe('checkNodeTrust', () => {
  const env = { DSS_URL: 'https://dss.corp', DSS_API_KEY: 'k' };

  it('lets a file name every server when the environment names none, its credential variables only to their own node', () => {
    const file: Partial<Record<NodeName, FileNode>> = {
      design: fileNode({ url: 'https://dss.local', apiKeyVariables: ['DSS_API_KEY'], insecure: true }),
      deployer: fileNode({ url: 'https://dss.local/deployer', apiKeyVariables: ['DSS_API_KEY'] }),
    };
    const same = config({ url: 'https://dss.local', apiKey: 'k', insecure: true }, { url: 'https://dss.local/deployer', apiKey: 'k' });
    expect(checkNodeTrust(same, file, {})).toEqual([]);
    const other = config({ url: 'https://dss.local', apiKey: 'k' }, { url: 'https://elsewhere', apiKey: 'k' });
    expect(fields(checkNodeTrust(other, { ...file, deployer: fileNode({ url: 'https://elsewhere', apiKeyVariables: ['DSS_API_KEY'] }) }, {}))).toEqual(['deployer.apiKey']);
    const variable = config({ url: 'https://dss.local', apiKey: 'k' });
    expect(checkNodeTrust(variable, { design: fileNode({ url: 'https://dss.local', apiKeyVariables: ['MY_KEY'] }) }, {})[0]?.message).toContain(
      'a variable is sent only to an origin the environment names, and https://dss.local is not one',
    );
  });

  it('counts a URL of the file that is one ${env:NAME} as named by the environment, for the key it sends', () => {
    const prod = config({ url: 'https://prod.corp', apiKey: 'k' });
    const own = fileNode({ url: 'https://prod.corp', urlVariable: 'PROD_DSS_URL', apiKeyVariables: ['PROD_DSS_KEY'] });
    expect(checkNodeTrust(prod, { design: own }, {})).toEqual([]);
    expect(fields(checkNodeTrust(prod, { design: fileNode({ url: 'https://prod.corp', apiKeyVariables: ['PROD_DSS_KEY'] }) }, {}))).toEqual(['design.apiKey']);
    // Not where the environment put another URL in its place, and never past DSS_URL's pinning.
    const deployer = fileNode({ url: 'https://prod.corp', urlVariable: 'PROD_DSS_URL', apiKeyVariables: ['PROD_DSS_KEY'] });
    const pinned = config({ url: 'https://dss.corp', apiKey: 'k' }, { url: 'https://prod.corp', apiKey: 'pk' });
    expect(fields(checkNodeTrust(pinned, { deployer }, env))).toEqual(['deployer.url']);
  });

  it('checks no key of the file that the environment replaces', () => {
    const replaced = config({ url: 'https://dss.corp', apiKey: 'k' }, { url: 'https://dss.corp', apiKey: 'dk' });
    const file = { deployer: fileNode({ apiKeyVariables: ['OTHER_HOST_KEY'] }) };
    expect(checkNodeTrust(replaced, file, { ...env, DSS_DEPLOYER_API_KEY: 'dk' })).toEqual([]);
  });

  it('takes caFile and insecure of the file for a named origin only when the environment says them too', () => {
    const tls = config({ url: 'https://dss.corp', apiKey: 'k', caFile: '/ca.pem', insecure: true });
    const file = { design: fileNode({ caFile: '/ca.pem', insecure: true }) };
    expect(fields(checkNodeTrust(tls, file, env))).toEqual(['design.caFile', 'design.insecure']);
    expect(checkNodeTrust(tls, file, { ...env, DSS_CA_FILE: '/ca.pem', DSS_INSECURE: '1' })).toEqual([]);
    expect(checkNodeTrust(tls, { design: fileNode({ insecure: false }) }, env)).toEqual([]);
  });

  it('refuses a deployer of the file on another origin, and lets one on the named origin read any key variable', () => {
    const file = { deployer: fileNode({ url: 'https://deployer.corp', apiKeyVariables: ['DEPLOYER_KEY'] }) };
    const elsewhere = config({ url: 'https://dss.corp', apiKey: 'k' }, { url: 'https://deployer.corp', apiKey: 'x' });
    const issues = checkNodeTrust(elsewhere, file, env);
    expect(fields(issues)).toEqual(['deployer.url', 'deployer.apiKey']);
    expect(issues[0]?.hint).toBe('to use this server, set DSS_DEPLOYER_URL in the environment that runs dss-gitops');
    expect(checkNodeTrust(elsewhere, file, { ...env, DSS_DEPLOYER_URL: 'https://deployer.corp' })).toEqual([]);
  });
});
