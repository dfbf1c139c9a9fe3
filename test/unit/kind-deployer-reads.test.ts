// The deployer kinds read against answers shaped like the reference's, which documents fewer fields than the
// simulator returns: release notes DSS does not return, a deployment health of ERROR or UNKNOWN, an update
// future whose reports say error.

import { describe, expect, it } from 'vitest';
import { diffManaged } from '../../src/diff/index.js';
import type { DssClient } from '../../src/dss/types.js';
import { bundleKind } from '../../src/resources/bundle.js';
import type { KindContext } from '../../src/resources/types.js';
import { docOf } from './kind-docs.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function ctxWith(client: Partial<DssClient>): KindContext {
  const c = client as DssClient;
  return { client: c, clients: { design: c, deployer: c }, log: quiet };
}

describe('Bundle release notes', () => {
  const [unit] = bundleKind.units(docOf('Bundle', 'v1', { releaseNotes: 'first' }, { project: 'CHURN' }));

  it('are not compared when DSS does not return them (the reference shows exportManifest and changelog empty)', async () => {
    const answer = { bundles: [{ bundleId: 'v1', exportManifest: {}, changelog: {} }] };
    const live = (await bundleKind.read(ctxWith({ getOrAbsent: () => Promise.resolve(answer) as never }), unit!))!;
    expect(diffManaged(unit!.desired, live.view, unit!.policy)).toEqual([]);
  });

  it('are compared, and a change refused, when DSS returns them', async () => {
    const answer = { bundles: [{ bundleId: 'v1', exportManifest: { releaseNotes: 'other' } }] };
    const live = (await bundleKind.read(ctxWith({ getOrAbsent: () => Promise.resolve(answer) as never }), unit!))!;
    const changes = diffManaged(unit!.desired, live.view, unit!.policy);
    expect(changes).toHaveLength(1);
    expect(bundleKind.validateChange?.(unit!, live, changes)).toHaveLength(1);
  });
});
