import { describe, expect, it } from 'vitest';
import { runPool } from '../../src/base/limit.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
