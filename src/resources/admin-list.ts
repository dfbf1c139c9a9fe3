// The lists of DSS's `/admin/...` routes (`GET /admin/groups/`, `GET /admin/users/`): a JSON list of objects, each
// named by one text field. An answer of another shape is an error naming the route, never an empty list (which
// would make every object look deleted).

import { objectAnswer, UnexpectedAnswerError } from '../dss/answer.js';
import type { DssClient } from '../dss/types.js';
import type { Json } from '../base/json.js';

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
