// Saving the node's state to a file and loading it on start. Writes are atomic (temp file + rename) so that a
// crash never leaves a half-written file, and coalesced so that a burst of writes costs one save.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createState, type SimState } from './state.js';

/** Loads the state saved in `file`, or a fresh state when the file does not exist. */
export function loadState(file: string): SimState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return createState();
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<SimState>;
  if (parsed.formatVersion !== 1) throw new Error(`${file}: unsupported simulator state format ${String(parsed.formatVersion)}`);
  // Slices added after the file was written start empty.
  return { ...createState(), ...parsed } as SimState;
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${Date.now()}.tmp`;
}

export function saveStateSync(file: string, state: SimState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = tempName(file);
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}

export class StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private lastError: unknown;

  constructor(
    private readonly file: string,
    private readonly getState: () => SimState,
    private readonly delayMs = 10,
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

  private async write(): Promise<void> {
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = tempName(this.file);
      await writeFile(tmp, JSON.stringify(this.getState()));
      await rename(tmp, this.file);
    } catch (error) {
      this.lastError = error;
    }
  }
}
