// A node's instance variables (`GET|PUT /admin/variables/`, administrators only): one JSON object that DSS replaces
// whole on every PUT. Several parts of dss-gitops keep a key there (the run lock, the instance ownership record,
// kinds backed by variables), each with GET-modify-PUT of the whole object. DSS offers no compare-and-swap, so two
// edits of one process that overlap would each write back what the other did not see, and one would be lost:
// every edit of a client goes through `editInstanceVariables`, which runs them one after the other.

import { isObject, type Json } from '../base/json.js';
import { objectAnswer } from './answer.js';
import type { DssClient } from './types.js';

export const INSTANCE_VARIABLES_PATH = '/admin/variables/';

/**
 * The instance variables dss-gitops keeps for itself (`dss-gitops.lock`, `dss-gitops.ownership`...): a kind that
 * manages a node's variables neither compares nor writes nor removes these, even where it is exact.
 */
export const RESERVED_VARIABLE_PREFIX = 'dss-gitops.';

export function isReservedVariable(name: string): boolean {
  return name.startsWith(RESERVED_VARIABLE_PREFIX);
}

/** Every instance variable of the node; an answer that is not an object is an error naming the route. */
export async function readInstanceVariables(client: DssClient): Promise<Json> {
  return objectAnswer(await client.getJson<unknown>(INSTANCE_VARIABLES_PATH), `GET ${INSTANCE_VARIABLES_PATH}`);
}

/** The queue of edits of each client: an edit starts when the one before it ended. */
const queues = new WeakMap<DssClient, Promise<unknown>>();

/** Runs `work` after every earlier edit of the same client's instance variables, and before any later one. */
export function serializeInstanceVariables<T>(client: DssClient, work: () => Promise<T>): Promise<T> {
  const before = queues.get(client) ?? Promise.resolve();
  const run = before.then(work, work);
  queues.set(
    client,
    run.catch(() => undefined),
  );
  return run;
}

/**
 * GET-modify-PUT of the node's instance variables, one at a time per client. `edit` gets the variables as read and
 * returns the object to write (every key it does not mean to change kept as read), or undefined to write nothing.
 */
export function editInstanceVariables(
  client: DssClient,
  edit: (variables: Json) => Json | undefined,
  read: (client: DssClient) => Promise<Json> = readInstanceVariables,
  write: (client: DssClient, variables: Json) => Promise<unknown> = (c, v) => c.putJson(INSTANCE_VARIABLES_PATH, v),
): Promise<Json | undefined> {
  return serializeInstanceVariables(client, async () => {
    const variables = await read(client);
    const after = edit(structuredClone(variables));
    if (after === undefined || !isObject(after)) return undefined;
    await write(client, after);
    return after;
  });
}
