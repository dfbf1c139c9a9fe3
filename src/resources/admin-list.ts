// The lists of DSS's `/admin/...` routes (`GET /admin/groups/`, `GET /admin/users/`): a JSON list of objects, each
// named by one text field. An answer of another shape is an error naming the route, never an empty list (which
// would make every object look deleted). The kinds read their objects from the list, once per run.

import { objectAnswer, UnexpectedAnswerError } from '../dss/answer.js';
import type { DssClient } from '../dss/types.js';
import type { Json } from '../base/json.js';
import { memoPerRun } from './run-memo.js';
import type { KindContext } from './types.js';

export async function listObjects(client: DssClient, route: string): Promise<Json[]> {
  const answer = await client.getJson<unknown>(route);
  if (!Array.isArray(answer)) throw new UnexpectedAnswerError(`GET ${route}`, undefined, answer, 'a JSON list');
  return answer.map((item) => objectAnswer(item, `GET ${route}`));
}

/** The names of the listed objects (`field` of each), in the order DSS gave them. */
export async function listNames(client: DssClient, route: string, field: string): Promise<string[]> {
  return (await listObjects(client, route)).map((item) => {
    const name = item[field];
    if (typeof name !== 'string') throw new UnexpectedAnswerError(`GET ${route}`, field, name, 'a text');
    return name;
  });
}

/**
 * The listed objects by name, read once per run: N groups or users cost one request, not N. A write reads its
 * object alone right before it (GET-modify-PUT), so a list as old as the plan is never written back.
 */
export function listedPerRun(ctx: KindContext, route: string, field: string): Promise<ReadonlyMap<string, Json>> {
  return memoPerRun(ctx, `list ${route}`, async () => {
    const byName = new Map<string, Json>();
    for (const item of await listObjects(ctx.client, route)) {
      const name = item[field];
      if (typeof name !== 'string') throw new UnexpectedAnswerError(`GET ${route}`, field, name, 'a text');
      byName.set(name, item);
    }
    return byName;
  });
}
