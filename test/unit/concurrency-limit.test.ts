import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../src/base/limit.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('concurrencyLimit', () => {
  it('runs at most max tasks at once, the others in the order given, and gives each its result', async () => {
    const limit = concurrencyLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        limit(async () => {
          started.push(n);
          most = Math.max(most, ++running);
          for (let i = 0; i < 6 - n; i++) await tick();
          running--;
          return n * 10;
        }),
      ),
    );
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(most).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
  });

  it('frees the slot of a task that rejects or throws, and passes the error on', async () => {
    const limit = concurrencyLimit(1);
    const failed = limit(() => Promise.reject(new Error('rejected')));
    const thrown = limit(() => {
      throw new Error('thrown');
    });
    const after = limit(() => Promise.resolve('ran'));
    await expect(failed).rejects.toThrow('rejected');
    await expect(thrown).rejects.toThrow('thrown');
    await expect(after).resolves.toBe('ran');
  });

  it('gives a freed slot to the first waiting task, not to one given meanwhile', async () => {
    const limit = concurrencyLimit(1);
    const order: string[] = [];
    let release = (): void => {};
    const first = limit(() => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first')));
    const waiting = limit(async () => void order.push('waiting'));
    release();
    await first;
    const late = limit(async () => void order.push('late'));
    await Promise.all([waiting, late]);
    expect(order).toEqual(['first', 'waiting', 'late']);
  });

  it('keeps the order of thousands of waiting tasks, also of those given while the queue drains', async () => {
    const limit = concurrencyLimit(3);
    const order: number[] = [];
    const task = (n: number) => async (): Promise<void> => {
      await Promise.resolve();
      order.push(n);
    };
    const first = Array.from({ length: 5000 }, (_, n) => limit(task(n)));
    // Given once 3000 have started: after the first ones left the queue, before it is empty.
    const more = first[3000]?.then(() => Promise.all(Array.from({ length: 2000 }, (_, n) => limit(task(5000 + n)))));
    await Promise.all([...first, more]);
    expect(order).toHaveLength(7000);
    expect(order.slice(0, 5000)).toEqual(Array.from({ length: 5000 }, (_, n) => n));
    expect(order.slice(5000)).toEqual(Array.from({ length: 2000 }, (_, n) => 5000 + n));
  });

  it('refuses a limit below 1', () => {
    expect(() => concurrencyLimit(0)).toThrow(RangeError);
  });
});
