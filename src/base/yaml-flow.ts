// One-line values of the plain YAML that yaml-fast.ts reads: a scalar, a quoted scalar, or a flow collection
// (`[a, b]`, `{k: v}`) of those, nested, written on the line of its key or dash.

import { blockPlain, checkNewKey, checkRest, deeper, fitted, GIVE_UP, plainKeyEnd, plainKeyName, plainValue, quoted, shared } from './yaml-scalars.js';

/** A value written on the line of its key or dash (`depth` collections deep): scalar, quoted scalar or flow collection. */
export function inlineValue(text: string, depth: number): unknown {
  const first = text[0];
  if (first === "'" || first === '"') {
    const [value, end] = quoted(text, 0);
    checkRest(text, end);
    return shared(value);
  }
  if (first === '[' || first === '{') {
    const flow = new FlowReader(text, depth);
    const value = flow.value();
    checkRest(text, flow.at);
    return value;
  }
  if (first === '#') return null;
  return plainValue(blockPlain(text));
}

/** One-line flow collections of plain and quoted scalars, nested. */
class FlowReader {
  at = 0;
  constructor(
    private readonly text: string,
    private depth: number,
  ) {}

  private skipSpaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  value(): unknown {
    this.skipSpaces();
    const c = this.text[this.at];
    if (c === '[' || c === '{') {
      const outer = this.depth;
      this.depth = deeper(outer);
      const value = c === '[' ? this.sequence() : this.mapping();
      this.depth = outer;
      return value;
    }
    if (c === "'" || c === '"') {
      const [value, end] = quoted(this.text, this.at);
      this.at = end;
      return value;
    }
    return plainValue(this.plain());
  }

  private plain(): string {
    const start = this.at;
    while (this.at < this.text.length && !',[]{}#'.includes(this.text[this.at] as string)) this.at++;
    const body = this.text.slice(start, this.at).trimEnd();
    if (body === '' || body.includes(':') || body.includes('\t')) throw GIVE_UP;
    return body;
  }

  private expect(c: string): void {
    this.skipSpaces();
    if (this.text[this.at] !== c) throw GIVE_UP;
    this.at++;
  }

  /** After an item: `,` then another item, or the closing bracket. */
  private next(close: string): boolean {
    this.skipSpaces();
    const c = this.text[this.at];
    this.at++;
    if (c === close) return false;
    if (c !== ',') throw GIVE_UP;
    this.skipSpaces();
    // A trailing comma, or an empty item: rules this reader leaves to the `yaml` package.
    if (this.text[this.at] === close || this.text[this.at] === ',') throw GIVE_UP;
    return true;
  }

  private sequence(): unknown[] {
    this.at++;
    this.skipSpaces();
    const out: unknown[] = [];
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    do out.push(this.value());
    while (this.next(']'));
    return fitted(out);
  }

  private mapping(): Record<string, unknown> {
    this.at++;
    this.skipSpaces();
    const out: Record<string, unknown> = {};
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    do {
      this.skipSpaces();
      const c = this.text[this.at];
      let key: string;
      if (c === "'" || c === '"') {
        const [value, end] = quoted(this.text, this.at);
        this.at = end;
        key = value;
      } else {
        const end = plainKeyEnd(this.text, this.at);
        if (end < 0) throw GIVE_UP;
        key = plainKeyName(this.text.slice(this.at, end));
        this.at = end;
      }
      // `key: value` only: adjacent values, implicit nulls and keys without values are left to the `yaml` package.
      if (this.text[this.at] !== ':' || this.text[this.at + 1] !== ' ') throw GIVE_UP;
      this.at += 1;
      checkNewKey(out, key);
      out[key] = this.value();
    } while (this.next('}'));
    return out;
  }
}
