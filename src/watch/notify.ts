// Webhook notifications for `watch --webhook URL`: one message when the set of drifted objects changes and one
// when DSS is back in sync, never one per run. The payload is Slack-compatible (`text`) and carries a structured
// `report` built from addresses, kinds and field paths only: no live or desired values, so no secrets.

import { byText } from '../base/order.js';
import { request } from 'undici';
import { scrubValue } from '../base/secrets.js';
import { silentLogger, totalCounts } from './types.js';
import type { DriftedObject, RunOutcome, StateCounts, WatchLogger } from './types.js';

export interface DriftReport {
  status: 'drift' | 'in_sync';
  commit?: string;
  startedAt: string;
  totals: StateCounts;
  drifted: Array<Omit<DriftedObject, 'fingerprint'>>;
  /** Addresses newly drifted (or drifted differently) since the last message. */
  added: string[];
  /** Addresses no longer drifted since the last message. */
  resolved: string[];
  /** Addresses repaired by `--self-heal` in this run (they are not in `drifted`). */
  healed?: string[];
}

export interface WebhookMessage {
  text: string;
  report: DriftReport;
}

/** Sends one message; throws on failure. Injected in tests that do not need HTTP. */
export type PostFn = (url: string, message: WebhookMessage) => Promise<void>;

export interface NotifierOptions {
  url: string;
  logger?: WatchLogger;
  post?: PostFn;
  /** Lines listing drifted objects in `text`; the report always lists them all. */
  maxListed?: number;
}

export interface Notifier {
  /** Posts a message if the drift set changed since the last delivered message. Never throws. */
  handle(outcome: RunOutcome): Promise<boolean>;
}

const TIMEOUT_MS = 10_000;

export const postJson: PostFn = async (url, message) => {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });
  await response.body.dump();
  if (response.statusCode >= 300) throw new Error(`the webhook answered HTTP ${response.statusCode}`);
};

/** A webhook URL often is the credential (Slack, Teams): logs show its origin only. */
export function describeUrl(url: string): string {
  try {
    const origin = new URL(url).origin;
    // URLs of schemes without an origin (`origin` is 'null') would say nothing: show the scheme alone.
    return origin === 'null' ? `${new URL(url).protocol}…` : origin;
  } catch {
    // Not a URL: any part of it may be the secret.
    return '(not a URL)';
  }
}

function keyOf(drifted: DriftedObject[]): Map<string, string> {
  return new Map(drifted.map((object) => [object.address, object.fingerprint]));
}

function sameSet(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [address, fingerprint] of a) if (b.get(address) !== fingerprint) return false;
  return true;
}

export function buildMessage(
  outcome: RunOutcome,
  previous: Map<string, string>,
  maxListed = 20,
): WebhookMessage {
  const current = keyOf(outcome.drifted);
  const added = [...current].filter(([address, fp]) => previous.get(address) !== fp).map(([address]) => address);
  const resolved = [...previous.keys()].filter((address) => !current.has(address));
  const commit = outcome.commit === undefined ? '' : ` (commit ${outcome.commit.slice(0, 12)})`;
  const drifted = [...outcome.drifted]
    .sort(byText((d) => d.address))
    .map(({ fingerprint: _fingerprint, ...rest }) => rest);
  const report: DriftReport = {
    status: drifted.length > 0 ? 'drift' : 'in_sync',
    startedAt: outcome.startedAt,
    totals: totalCounts(outcome),
    drifted,
    added: added.sort(),
    resolved: resolved.sort(),
    ...(outcome.commit === undefined ? {} : { commit: outcome.commit }),
    ...(outcome.healed !== undefined && outcome.healed.length > 0 ? { healed: [...outcome.healed].sort() } : {}),
  };
  const healedLine =
    report.healed === undefined ? [] : [`Repaired by self-heal: ${report.healed.map((a) => `\`${a}\``).join(', ')}`];
  if (drifted.length === 0) {
    const head =
      report.healed === undefined
        ? `:white_check_mark: dss-gitops: DSS is back in sync with the manifests${commit}.`
        : `:wrench: dss-gitops: self-heal put ${report.healed.length} drifted object(s) back to the manifests${commit}.`;
    return { text: [head, ...healedLine].join('\n'), report };
  }
  const noun = drifted.length === 1 ? 'object has' : 'objects have';
  const lines = drifted.slice(0, maxListed).map((object) => {
    const fields = object.fields !== undefined && object.fields.length > 0 ? `: ${object.fields.join(', ')}` : '';
    const by = object.changedBy === undefined ? '' : ` (changed by ${object.changedBy})`;
    const isNew = report.added.includes(object.address) ? ' *new*' : '';
    return `• \`${object.address}\`${fields}${by}${isNew}`;
  });
  if (drifted.length > maxListed) lines.push(`… and ${drifted.length - maxListed} more`);
  if (resolved.length > 0) lines.push(`Back in sync: ${resolved.map((a) => `\`${a}\``).join(', ')}`);
  lines.push(...healedLine);
  return {
    text: [`:warning: dss-gitops: ${drifted.length} ${noun} drifted from the manifests${commit}.`, ...lines].join('\n'),
    report,
  };
}

export function createNotifier(options: NotifierOptions): Notifier {
  const logger = options.logger ?? silentLogger;
  const post = options.post ?? postJson;
  const target = describeUrl(options.url);
  // What the last delivered message said; the controller starts from "in sync", so a clean start is silent.
  let delivered = new Map<string, string>();

  return {
    async handle(outcome) {
      // A failed run says nothing about drift: keep the last known state rather than announce a false recovery.
      if (outcome.error !== undefined) return false;
      const current = keyOf(outcome.drifted);
      // A repair is news even when the drift set ends where it was (drifted and healed within one run).
      const healed = outcome.healed !== undefined && outcome.healed.length > 0;
      if (sameSet(current, delivered) && !healed) return false;
      // Addresses, field paths and logins only, but a name can be anything: the run's secrets never leave.
      const message = scrubValue(buildMessage(outcome, delivered, options.maxListed));
      try {
        await post(options.url, message);
      } catch (error) {
        // Not marked delivered, so the next run tries again.
        logger.warn(
          { webhook: target, error: error instanceof Error ? error.message : String(error) },
          'posting the drift notification failed; will retry after the next run',
        );
        return false;
      }
      delivered = current;
      logger.info({ webhook: target, status: message.report.status, drifted: current.size }, 'drift notification sent');
      return true;
    },
  };
}
