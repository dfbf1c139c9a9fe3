// The long DSS jobs of a code env (creation, package update): DSS answers them only when the build is over, with
// `messages` (DSS's InfoMessages) saying whether it failed. Here: the wait (the run's future timeout, progress
// lines while it lasts), and a failed build turned into an error that carries DSS's build log, scrubbed.

import { isObject, type Json } from '../../base/json.js';
import { scrubSecrets } from '../../base/secrets.js';
import { objectAnswer } from '../../dss/answer.js';
import { DssGitopsError } from '../../errors.js';
import type { KindContext } from '../types.js';

/** How often a build still running is reported. */
const TICK_MS = 15_000;
/** Lines of DSS's log kept in the error. */
const LOG_LINES = 40;

export class CodeEnvBuildError extends DssGitopsError {
  /** DSS's build log, scrubbed of the run's secrets and of credentials in URLs. */
  readonly buildLog: string;

  constructor(message: string, buildLog: string) {
    super('CODE_ENV_BUILD_FAILED', message, { fault: 'remote' });
    this.buildLog = buildLog;
  }
}

/** A build log as it may be shown: the run's secrets and the credentials of URLs (`https://user:token@`) masked. */
export function scrubLog(text: string): string {
  return scrubSecrets(text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@'));
}

interface BuildMessage {
  severity: string;
  title: string;
  message: string;
  details: string;
}

function messagesOf(answer: Json, route: string): { error: boolean; items: BuildMessage[] } {
  const block = answer.messages;
  if (block === undefined || block === null) return { error: false, items: [] };
  const messages = objectAnswer(block, `${route} (messages)`);
  const list = Array.isArray(messages.messages) ? messages.messages.filter(isObject) : [];
  const items = list.map((m) => ({
    severity: typeof m.severity === 'string' ? m.severity : 'INFO',
    title: typeof m.title === 'string' ? m.title : '',
    message: typeof m.message === 'string' ? m.message : '',
    details: typeof m.details === 'string' ? m.details : '',
  }));
  return { error: messages.error === true || messages.fatal === true, items };
}

/**
 * The outcome of a build answer: throws a CodeEnvBuildError with DSS's log when it failed, returns the warnings
 * DSS gave otherwise.
 */
export function checkBuild(answer: unknown, route: string, what: string): string[] {
  const { error, items } = messagesOf(objectAnswer(answer ?? {}, route), route);
  if (!error) return items.filter((m) => m.severity === 'WARNING').map((m) => scrubLog(`DSS: ${m.title || m.message}`));
  const errors = items.filter((m) => m.severity === 'ERROR');
  const summary = errors.map((m) => m.title || m.message).filter((t) => t !== '').join('; ') || 'DSS reported an error';
  const log = errors
    .map((m) => m.details || m.message)
    .join('\n')
    .split('\n')
    .slice(-LOG_LINES)
    .join('\n');
  const shown = scrubLog(log);
  throw new CodeEnvBuildError(scrubLog(`${what} failed in DSS: ${summary}`) + (shown.trim() === '' ? '' : `\nDSS build log:\n${shown}`), shown);
}

/** Runs `job` (a request DSS answers when the build is over), with a progress line now and then while it lasts. */
export async function withBuildProgress<T>(ctx: KindContext, address: string, message: string, job: () => Promise<T>): Promise<T> {
  ctx.progress?.(address, message);
  const started = Date.now();
  const timer = setInterval(() => {
    ctx.progress?.(address, `${message}: still building (${Math.round((Date.now() - started) / 1000)} s)`);
  }, TICK_MS);
  timer.unref();
  try {
    return await job();
  } finally {
    clearInterval(timer);
  }
}
