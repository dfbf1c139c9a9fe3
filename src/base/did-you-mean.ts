// The nearest valid name for a typo, by edit distance: a hint, never a guess that changes behaviour.

export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** The closest candidate within a distance that still reads as a typo, or `undefined`. */
export function nearestName(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = Math.min(editDistance(word, name), editDistance(word.toLowerCase(), name.toLowerCase()) + 1);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const name = nearestName(word, candidates);
  return name === undefined ? undefined : `did you mean \`${name}\`?`;
}
