import { describe, expect, it } from 'vitest';
import { diffLines, withContext } from '../../src/diff/line-diff.js';

describe('diffLines', () => {
  it('keeps common lines and marks removed and added ones', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { op: ' ', line: 'a' },
      { op: '-', line: 'b' },
      { op: '+', line: 'B' },
      { op: ' ', line: 'c' },
      { op: '+', line: 'd' },
    ]);
  });

  it('folds long unchanged runs into one gap', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const after = before.replace('l10', 'L10');
    const shown = withContext(diffLines(before, after), 1);
    expect(shown).toEqual([
      'gap',
      { op: ' ', line: 'l9' },
      { op: '-', line: 'l10' },
      { op: '+', line: 'L10' },
      { op: ' ', line: 'l11' },
      'gap',
    ]);
  });
});
