// Small checks on request bodies and parameters shared by the deployer routes.

import { illegalArgument } from '../errors.js';
import type { SimRequest } from '../router.js';

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function requireBody(req: SimRequest, what: string): Record<string, unknown> {
  if (!isRecord(req.body)) throw illegalArgument(`Expected a JSON object: ${what}`);
  return req.body;
}

export function requireString(body: Record<string, unknown>, field: string, what: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') throw illegalArgument(`${what} needs a non-empty '${field}'`);
  return value;
}

export function param(req: SimRequest, name: string): string {
  return req.params[name] ?? '';
}

/** Ids DSS accepts for bundles, infras, deployments: no slash, no blank. */
export function checkId(id: string, what: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
    throw illegalArgument(`Invalid ${what} '${id}': use letters, digits, '.', '-' and '_' only`);
  }
  return id;
}
