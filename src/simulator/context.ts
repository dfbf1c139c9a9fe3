// What every simulator route handler gets besides its request: the node's state and a few services.

import type { SimState } from './state.js';

export interface SimContext {
  /** The node's whole state. Handlers mutate it in place and then call `changed()`. */
  state: SimState;
  /** Marks the state as changed, so that it is persisted (when the node has a state file). */
  changed(): void;
  /** Current time in milliseconds. Tests may replace the clock. */
  now(): number;
  /** This node's own base URL (e.g. `http://127.0.0.1:41234`), for objects that point back at it. */
  readonly url: string;
  /** The login that DSS would record as the author of a change made with the request's key. */
  readonly userLogin: string;
  /** Whether the request's key may read the project (lists show only those). */
  canRead(projectKey: string): boolean;
}
