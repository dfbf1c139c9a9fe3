// Ids the server makes up, DSS-style (short, mixed-case), drawn from a counter in the state so that a
// restarted node never reuses one.

import type { DesignState } from './state.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function generateId(state: DesignState, length = 7): string {
  const n = state.nextId;
  state.nextId += 1;
  // A multiplicative scramble of the counter: unique for each n below 62^7, and not obviously sequential.
  let value = (BigInt(n) * 2_654_435_761n) % 62n ** BigInt(length);
  let id = '';
  for (let i = 0; i < length; i += 1) {
    id = (ALPHABET[Number(value % 62n)] ?? 'A') + id;
    value /= 62n;
  }
  return id;
}
