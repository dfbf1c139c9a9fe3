// `/futures`: list, status (`peek` leaves the result out; a failed job answers as an HTTP error), abort (DELETE as
// in the reference and the Python client, or POST `.../abort`).

import { queryBool } from '../http.js';
import type { Router, SimHandler } from '../router.js';
import { abortFuture, deployerState, findFuture, futureView, readFuture } from './futures.js';
import { param } from './values.js';

export function registerFutureRoutes(router: Router): void {
  router.get('/futures', (req, ctx) => {
    const allUsers = queryBool(req.query, 'allUsers');
    const records = Object.values(deployerState(ctx).futures)
      .map((r) => findFuture(ctx, r.jobId))
      .filter((r) => allUsers || r.owner === ctx.userLogin)
      .sort((a, b) => a.startTime - b.startTime);
    return { json: records.map((r) => futureView(ctx, r, true)) };
  });

  router.get('/futures/:jobId', (req, ctx) => ({
    json: readFuture(ctx, param(req, 'jobId'), queryBool(req.query, 'peek')),
  }));

  const abort: SimHandler = (req, ctx) => ({ json: futureView(ctx, abortFuture(ctx, param(req, 'jobId')), true) });
  router.delete('/futures/:jobId', abort);
  router.post('/futures/:jobId/abort', abort);
}
