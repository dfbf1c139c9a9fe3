// Writes that DSS may have applied without us knowing: a POST (or a PUT that creates) whose answer was lost, or
// that DSS refuses because an earlier attempt of ours already made the object. Both are resolved by reading the
// object back: present and the one this write makes is success; absent is sent again, a bounded number of times.

import { setTimeout as sleep } from 'node:timers/promises';
import { DssApiError, outcomeUnknown } from '../dss/errors.js';
import { DssGitopsError } from '../errors.js';
import type { KindContext } from './types.js';

/** Sends of one creation, the first included, before its error is final. */
const MAX_SENDS = 4;
const FIRST_PAUSE_MS = 200;

export interface ResolvedWrite<T> {
  /** What DSS answered, or undefined when the object was found by reading back. */
  answer: T | undefined;
  /** The object read back, when the answer was lost or the creation refused as existing. */
  found?: unknown;
}

export interface CreationCall<T> {
  /** The object's address, for messages. */
  address: string;
  send: () => Promise<T>;
  /** The object as DSS has it now, or undefined when it does not exist. */
  readBack: () => Promise<unknown>;
  /**
   * Why the object read back is not the one `send` makes (e.g. another bundle under the same id), or undefined
   * when it is: then the creation is taken as done.
   */
  mismatch: (found: unknown) => string | undefined;
}

/** A refusal that may mean the object exists already (DSS answers 400 or 409 with "already exists"). */
function refusedAsExisting(error: unknown): boolean {
  return error instanceof DssApiError && (error.status === 400 || error.status === 409);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends a creation; when its outcome is unknown or DSS refuses it as existing, reads the object back. Present
 * and matching: done. Present and different: an error naming the difference. Absent after an unknown outcome:
 * sent again after a pause. Absent after a refusal: the refusal stands.
 */
export async function createResolvingLostAnswer<T>(ctx: KindContext, call: CreationCall<T>): Promise<ResolvedWrite<T>> {
  for (let send = 1; ; send++) {
    let failure: unknown;
    try {
      return { answer: await call.send() };
    } catch (error) {
      if (!outcomeUnknown(error) && !refusedAsExisting(error)) throw error;
      failure = error;
    }
    const found = await call.readBack();
    if (found !== undefined) {
      const mismatch = call.mismatch(found);
      if (mismatch === undefined) {
        ctx.log.info({ address: call.address, err: messageOf(failure) }, 'the creation had taken effect: found it by reading back');
        return { answer: undefined, found };
      }
      throw new DssGitopsError('CREATE_CONFLICT', `${call.address} already exists in DSS and is not the one this apply creates: ${mismatch}`, {
        fault: 'user',
        cause: failure,
      });
    }
    if (!outcomeUnknown(failure) || send >= MAX_SENDS) throw failure;
    ctx.log.warn({ address: call.address, send, err: messageOf(failure) }, 'creation not found after a lost answer: sending it again');
    await sleep(FIRST_PAUSE_MS * 2 ** (send - 1), undefined, ctx.signal ? { signal: ctx.signal } : {});
  }
}

/**
 * A DELETE: sent again by the client after a lost answer, it finds the object gone (404), which is what was
 * asked for.
 */
export async function deleteIfPresent(ctx: KindContext, path: string): Promise<void> {
  try {
    await ctx.client.deleteJson(path);
  } catch (error) {
    if (error instanceof DssApiError && error.status === 404) {
      ctx.log.debug({ path }, 'already deleted');
      return;
    }
    throw error;
  }
}
