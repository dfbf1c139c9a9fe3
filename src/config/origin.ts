// Whether two node URLs name the same server: an API key configured for one is only ever sent to its own origin.

/** The origin (`https://host:port`) of a URL, or undefined when it is not one. */
export function originOf(url: string): string | undefined {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/** Same scheme, host and port (a default port equals its absence, host case does not count). */
export function sameOrigin(a: string, b: string): boolean {
  const x = originOf(a);
  return x !== undefined && x === originOf(b);
}
