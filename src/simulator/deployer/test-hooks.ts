// Test hooks of the deployer family, on the API's base path under `/__sim/deployer` with the admin key: bundles
// this node refuses to activate (rollback tests), and the simulated duration of future steps.

import { illegalArgument } from '../errors.js';
import type { Router } from '../router.js';
import { deployerState } from './futures.js';
import { isRecord, param } from './values.js';

export function registerDeployerTestHooks(router: Router): void {
  const admin = { adminOnly: true };

  router.get('/__sim/deployer/failing-bundles', (_req, ctx) => ({ json: [...deployerState(ctx).hooks.failActivation] }), admin);

  router.put(
    '/__sim/deployer/failing-bundles/:bundleId',
    (req, ctx) => {
      const hooks = deployerState(ctx).hooks;
      const bundleId = param(req, 'bundleId');
      if (!hooks.failActivation.includes(bundleId)) hooks.failActivation.push(bundleId);
      ctx.changed();
      return { json: [...hooks.failActivation] };
    },
    admin,
  );

  router.delete(
    '/__sim/deployer/failing-bundles/:bundleId',
    (req, ctx) => {
      const hooks = deployerState(ctx).hooks;
      hooks.failActivation = hooks.failActivation.filter((id) => id !== param(req, 'bundleId'));
      ctx.changed();
      return { json: [...hooks.failActivation] };
    },
    admin,
  );

  router.get('/__sim/deployer/config', (_req, ctx) => ({ json: { ...deployerState(ctx).config } }), admin);

  router.put(
    '/__sim/deployer/config',
    (req, ctx) => {
      const ms = isRecord(req.body) ? req.body.futureStepMs : undefined;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 60_000) {
        throw illegalArgument('futureStepMs must be a number of milliseconds between 0 and 60000');
      }
      const config = deployerState(ctx).config;
      config.futureStepMs = ms;
      ctx.changed();
      return { json: { ...config } };
    },
    admin,
  );
}
