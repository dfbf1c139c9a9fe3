// Building API paths from object names: every interpolated value is one encoded path segment, so a scenario id
// or a bundle id with `/`, `?` or spaces addresses the object instead of another path.

/** One path segment: the value percent-encoded, `/` included. */
export function pathSegment(value: string | number): string {
  return encodeURIComponent(String(value));
}

/** `dssPath\`/projects/${key}/scenarios/${id}\`` with each value percent-encoded. */
export function dssPath(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += pathSegment(value) + (strings[i + 1] ?? '');
  });
  return out;
}
