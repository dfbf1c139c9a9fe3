// Saving the node's state to a file and loading it on start. Writes are atomic (temp file + rename) so that a
// crash never leaves a half-written file, and coalesced so that a burst of writes costs one save. The file is the
// owner's only (0600, its directory 0700 when created here) and its secret values are sealed with a key kept in
// another file, outside the working tree (see sealed-secrets.ts).

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { countClearSecrets, parseSealed, SecretSealer, STATE_KEY_BYTES, stringifySealed, type RevealsSecret } from './sealed-secrets.js';
import { createState, type SimState } from './state.js';

/** The environment variable that names the state key file, for CI runners that keep it elsewhere. */
export const STATE_KEY_FILE_ENV = 'DSS_SIM_STATE_KEY_FILE';

/** Where the state key lives unless told: `$XDG_STATE_HOME/dss-gitops/sim-state.key` (`~/.local/state/...`). */
export function defaultStateKeyFile(env: NodeJS.ProcessEnv): string {
  const chosen = env[STATE_KEY_FILE_ENV];
  if (chosen) return chosen;
  const stateHome = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(stateHome, 'dss-gitops', 'sim-state.key');
}

/** Reads the key that seals the state's secrets, creating it (0600, directory 0700) on first use. */
export function loadStateKey(file: string): SecretSealer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${randomBytes(STATE_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (failed) {
      const code = (failed as NodeJS.ErrnoException).code;
      // Another node made it first: use theirs.
      if (code !== 'EEXIST') {
        throw new UserError(
          'SIM_STATE_KEY',
          `cannot create the key that seals the simulator's state, ${file} (${code ?? String(failed)}): ` +
            `set ${STATE_KEY_FILE_ENV} to a writable file outside the working tree`,
          { cause: failed },
        );
      }
    }
    text = readFileSync(file, 'utf8');
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== STATE_KEY_BYTES) {
    throw new UserError('SIM_STATE_KEY', `${file}: not a simulator state key (expected ${STATE_KEY_BYTES} random bytes in base64)`);
  }
  return new SecretSealer(key);
}

export interface LoadedState {
  state: SimState;
  /** Secret values the file holds in clear (written before they were sealed): save again to seal them. */
  clearSecrets: number;
}

/**
 * Loads the state saved in `file`, or a fresh state when the file does not exist. `reveals` tells strings that hold
 * a secret whatever their key (see sealed-secrets.ts), counted among the clear secrets to seal.
 */
export function loadState(file: string, sealer: SecretSealer, keyFile: string, reveals?: RevealsSecret): LoadedState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: createState(), clearSecrets: 0 };
    throw error;
  }
  const parsed = parseSealed(text, sealer, (field) => {
    throw new UserError(
      'SIM_STATE_KEY',
      `${file}: the secret value of '${field}' was sealed with another key than the one in ${keyFile}; ` +
        `set ${STATE_KEY_FILE_ENV} to the key file it was saved with, or delete ${file} to start from an empty node`,
    );
  }) as Partial<SimState>;
  if (parsed.formatVersion !== 1) throw new Error(`${file}: unsupported simulator state format ${String(parsed.formatVersion)}`);
  // Slices added after the file was written start empty.
  return { state: { ...createState(), ...parsed } as SimState, clearSecrets: countClearSecrets(parsed, reveals) };
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${Date.now()}.tmp`;
}

export class StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private lastError: unknown;
  /**
   * Sealed text by clear value, so that a save seals only the secrets that changed (sealing costs ~15 µs each). A file
   * thus shows which secret values are equal, never what they are.
   */
  private readonly sealed = new Map<string, string>();

  constructor(
    private readonly file: string,
    private readonly getState: () => SimState,
    private readonly sealer: SecretSealer,
    private readonly delayMs = 10,
    /** Strings sealed whatever their key: those holding a secret the client knows. */
    private readonly reveals?: RevealsSecret,
  ) {}

  /** Schedules a save shortly; calls in the meantime are coalesced into it. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saving = this.saving.then(() => this.write());
    }, this.delayMs);
  }

  /** Writes any pending change now and waits for it. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.saving = this.saving.then(() => this.write());
    }
    await this.saving;
    if (this.lastError) {
      const error = this.lastError;
      this.lastError = undefined;
      throw error;
    }
  }

  private seal(text: string): string {
    let sealed = this.sealed.get(text);
    if (sealed === undefined) {
      if (this.sealed.size >= 10_000) this.sealed.clear();
      sealed = this.sealer.seal(text);
      this.sealed.set(text, sealed);
    }
    return sealed;
  }

  private async write(): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = tempName(this.file);
      // The mode of a new file; the rename then replaces an older, wider one.
      await writeFile(tmp, stringifySealed(this.getState(), (text) => this.seal(text), this.reveals), { mode: 0o600 });
      await rename(tmp, this.file);
    } catch (error) {
      this.lastError = error;
    }
  }
}
