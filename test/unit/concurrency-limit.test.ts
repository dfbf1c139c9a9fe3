import { describe, expect, it } from 'vitest';
import { concurrencyLimit, runPool } from '../../src/base/limit.js';

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

describe('runPool', () => {
  it('runs at most max tasks at once, in the order next gives them, and asks for one only when a slot is free', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const runningWhenAsked: number[] = [];
    let n = 0;
    await runPool(3, () => {
      runningWhenAsked.push(running);
      if (n === 10) return undefined;
      const id = n++;
      return async () => {
        started.push(id);
        most = Math.max(most, ++running);
        for (let i = 0; i < (id % 4) + 1; i++) await tick();
        running--;
      };
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
    expect(running).toBe(0);
    expect(Math.max(...runningWhenAsked)).toBeLessThan(3);
  });

  it('takes the work a running task adds after next gave none, also at max 1', async () => {
    const queue = ['list'];
    const done: string[] = [];
    await runPool(1, () => {
      const name = queue.shift();
      if (name === undefined) return undefined;
      return async () => {
        await tick();
        if (name === 'list') queue.push('a', 'b');
        done.push(name);
      };
    });
    expect(done).toEqual(['list', 'a', 'b']);
  });

  it('stops taking tasks after one rejects or throws, and rejects once the running ones have ended', async () => {
    const cases = [
      // A rejection is seen after the second task started: that one runs to its end, no third starts.
      { fail: () => Promise.reject(new Error('rejected')), asked: 2, ended: [1] },
      // A task that throws as it starts stops the pool before the next is asked for.
      {
        fail: (): Promise<void> => {
          throw new Error('rejected');
        },
        asked: 1,
        ended: [],
      },
    ];
    for (const { fail, asked, ended: expected } of cases) {
      const ended: number[] = [];
      let n = 0;
      const pool = runPool(2, () => {
        const id = n++;
        if (id === 0) return fail;
        return async () => {
          await tick();
          ended.push(id);
        };
      });
      await expect(pool).rejects.toThrow('rejected');
      expect(ended).toEqual(expected);
      expect(n).toBe(asked);
    }
  });

  it('resolves at once when there is nothing to run, and refuses a limit below 1', async () => {
    await expect(runPool(4, () => undefined)).resolves.toBeUndefined();
    expect(() => runPool(0, () => undefined)).toThrow(RangeError);
  });
});
