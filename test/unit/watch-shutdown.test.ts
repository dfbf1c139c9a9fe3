import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { handleShutdownSignals } from '../../src/watch/shutdown.js';
import type { SignalSource } from '../../src/watch/shutdown.js';

function signals(): EventEmitter & SignalSource {
  return new EventEmitter() as EventEmitter & SignalSource;
}

describe('handleShutdownSignals', () => {
  it('on SIGTERM, waits for shutdown to finish, resolves with the signal, and removes its listeners', async () => {
    const source = signals();
    const steps: string[] = [];
    let finishRun!: () => void;
    const handle = handleShutdownSignals({
      source,
      shutdown: async () => {
        steps.push('shutdown started');
        await new Promise<void>((resolve) => (finishRun = resolve));
        steps.push('run finished, server closed');
      },
    });
    expect(source.listenerCount('SIGTERM')).toBe(1);
    expect(source.listenerCount('SIGINT')).toBe(1);

    source.emit('SIGTERM');
    source.emit('SIGINT'); // a second signal during shutdown is not a second shutdown
    let resolved = false;
    void handle.done.then(() => (resolved = true));
    await Promise.resolve();
    expect(steps).toEqual(['shutdown started']);
    expect(resolved).toBe(false);

    finishRun();
    await expect(handle.done).resolves.toBe('SIGTERM');
    expect(steps).toEqual(['shutdown started', 'run finished, server closed']);
    expect(source.listenerCount('SIGTERM')).toBe(0);
    expect(source.listenerCount('SIGINT')).toBe(0);
  });

  it('rejects when shutdown fails, and dispose() detaches without shutting down', async () => {
    const source = signals();
    const failing = handleShutdownSignals({ source, signals: ['SIGINT'], shutdown: () => Promise.reject(new Error('close failed')) });
    source.emit('SIGINT');
    await expect(failing.done).rejects.toThrow('close failed');

    let called = false;
    const detached = handleShutdownSignals({ source, shutdown: async () => void (called = true) });
    detached.dispose();
    source.emit('SIGTERM');
    expect(called).toBe(false);
    expect(source.listenerCount('SIGTERM')).toBe(0);
  });
});
