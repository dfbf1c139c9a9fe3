// Controls of the deployer family, registered in `CONTROL_REGISTRARS` and served at `/__sim/deployer/...` like
// the other controls (admin key, not counted): bundles this node refuses to activate (rollback tests), the simulated
// duration of future steps, the remote Project Deployer a design node publishes to, and what a deployment last
// deployed (which DSS does not document in any answer: tests read it here rather than from the API).

import { illegalArgument } from '../errors.js';
import type { ControlRouter } from '../controls.js';
import { getDeployment } from './deployer-deployments.js';
import { refreshLastUpdate } from './deployment-update.js';
import { deployerState } from './futures.js';
import type { DeployerConfig } from './state.js';
import { isRecord, param } from './values.js';

/** The configuration as the hook shows it: the remote deployer's key is never echoed. */
function configView(config: DeployerConfig): Record<string, unknown> {
  const remote = config.remoteDeployer;
  return {
    futureStepMs: config.futureStepMs,
    deployerUrl: remote?.url ?? null,
    deployerApiKeySet: remote !== undefined && remote.apiKey !== '',
  };
}

function applyConfig(config: DeployerConfig, body: Record<string, unknown>): void {
  if (body.futureStepMs !== undefined) {
    const ms = body.futureStepMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 60_000) {
      throw illegalArgument('futureStepMs must be a number of milliseconds between 0 and 60000');
    }
    config.futureStepMs = ms;
  }
  if (body.deployerUrl === null || body.deployerUrl === '') {
    delete config.remoteDeployer;
  } else if (body.deployerUrl !== undefined) {
    if (typeof body.deployerUrl !== 'string' || !URL.canParse(body.deployerUrl)) throw illegalArgument('deployerUrl must be a URL');
    if (typeof body.deployerApiKey !== 'string' || body.deployerApiKey === '') {
      throw illegalArgument('deployerApiKey is needed with deployerUrl');
    }
    config.remoteDeployer = {
      url: body.deployerUrl,
      apiKey: body.deployerApiKey,
      trustAllSSLCertificates: body.trustAllSSLCertificates === true,
    };
  }
}

export function registerDeployerControls(router: ControlRouter): void {
  router.get('/deployer/failing-bundles', (_req, ctx) => ({ json: [...deployerState(ctx).hooks.failActivation] }));

  router.put(
    '/deployer/failing-bundles/:bundleId',
    (req, ctx) => {
      const hooks = deployerState(ctx).hooks;
      const bundleId = param(req, 'bundleId');
      if (!hooks.failActivation.includes(bundleId)) hooks.failActivation.push(bundleId);
      ctx.changed();
      return { json: [...hooks.failActivation] };
    }
  );

  router.delete(
    '/deployer/failing-bundles/:bundleId',
    (req, ctx) => {
      const hooks = deployerState(ctx).hooks;
      hooks.failActivation = hooks.failActivation.filter((id) => id !== param(req, 'bundleId'));
      ctx.changed();
      return { json: [...hooks.failActivation] };
    }
  );

  router.get('/deployer/config', (_req, ctx) => ({ json: configView(deployerState(ctx).config) }));

  router.put(
    '/deployer/config',
    (req, ctx) => {
      if (!isRecord(req.body)) throw illegalArgument('Expected {futureStepMs?, deployerUrl?, deployerApiKey?}');
      const config = deployerState(ctx).config;
      applyConfig(config, req.body);
      ctx.changed();
      return { json: configView(config) };
    }
  );

  router.get('/deployer/deployments/:deploymentId', (req, ctx) => {
    const deployment = getDeployment(deployerState(ctx), param(req, 'deploymentId'));
    refreshLastUpdate(ctx, deployment);
    return {
      json: {
        deploymentId: deployment.settings.id,
        bundleId: deployment.settings.bundleId,
        deployedBundleId: deployment.deployedBundleId ?? null,
        deployedOn: deployment.deployedOn ?? null,
        lastUpdate: deployment.lastUpdate ?? null,
      },
    };
  });
}
