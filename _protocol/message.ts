/**
 * `HTTPMessage`: the request headers, as Python's `http.client.HTTPMessage`
 * exposes them.
 *
 * @module
 */

/**
 * The headers of a request: an ordered list of `(name, value)` pairs whose
 * names compare case-insensitively, with the read API of Python's
 * `email.message.Message` (`get`, `get_all`, `keys`, `values`, `items`, `in`)
 * and iteration over the names, as in Python.
 *
 * Names keep the case the client sent; values are the ISO-8859-1 decoding of
 * the bytes on the wire, with surrounding whitespace removed.
 *
 * @example Reading headers
 * ```ts
 * import { HTTPMessage } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const headers = new HTTPMessage([["Host", "example.com"], ["Accept", "a"], ["accept", "b"]]);
 * assert.equal(headers.get("host"), "example.com");
 * assert.deepEqual(headers.get_all("ACCEPT"), ["a", "b"]);
 * assert.deepEqual([...headers], ["Host", "Accept", "accept"]);
 * ```
 */
export class HTTPMessage implements Iterable<string> {
  #names: string[] = [];
  /** The names lowercased, made on the first lookup by name. */
  #lower_names: string[] | null = null;
  #values: string[] = [];

  /**
   * Makes a message from `(name, value)` pairs, kept in order.
   *
   * @param pairs The headers, in the order they were received.
   */
  constructor(pairs: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of pairs) this.append(name, value);
  }

  /**
   * Adds a header after the others (Python's `msg[name] = value`, which also
   * appends).
   *
   * @param name The header name.
   * @param value The header value.
   */
  append(name: string, value: string): void {
    this.#names.push(name);
    this.#lower_names?.push(name.toLowerCase());
    this.#values.push(value);
  }

  /** The lowercased names: most requests are served without one lookup. */
  get #lower(): string[] {
    return this.#lower_names ??= this.#names.map((n) => n.toLowerCase());
  }

  /**
   * The first value of a header, or `undefined` when it is absent.
   *
   * @param name The header name, in any case.
   * @returns The first value, or `undefined`.
   */
  get(name: string): string | undefined;
  /**
   * The first value of a header, or `failobj` when it is absent.
   *
   * @param name The header name, in any case.
   * @param failobj What to return when the header is absent.
   * @returns The first value, or `failobj`.
   */
  get<T>(name: string, failobj: T): string | T;
  get<T>(name: string, failobj?: T): string | T | undefined {
    const i = this.#lower.indexOf(name.toLowerCase());
    return i === -1 ? failobj : this.#values[i];
  }

  /**
   * Every value of a header, in order, or `undefined` when it is absent.
   *
   * @param name The header name, in any case.
   * @returns The values, or `undefined`.
   */
  get_all(name: string): string[] | undefined;
  /**
   * Every value of a header, in order, or `failobj` when it is absent.
   *
   * @param name The header name, in any case.
   * @param failobj What to return when the header is absent.
   * @returns The values, or `failobj`.
   */
  get_all<T>(name: string, failobj: T): string[] | T;
  get_all<T>(name: string, failobj?: T): string[] | T | undefined {
    const lower = name.toLowerCase();
    const out: string[] = [];
    const names = this.#lower;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === lower) out.push(this.#values[i]!);
    }
    return out.length === 0 ? failobj : out;
  }

  /**
   * Whether a header is present (Python's `name in msg`).
   *
   * @param name The header name, in any case.
   * @returns `true` when at least one header has that name.
   */
  has(name: string): boolean {
    return this.#lower.includes(name.toLowerCase());
  }

  /** The header names, in order, repeated names included. @returns The names. */
  keys(): string[] {
    return [...this.#names];
  }

  /** The header values, in order. @returns The values. */
  values(): string[] {
    return [...this.#values];
  }

  /** The `(name, value)` pairs, in order. @returns The pairs. */
  items(): [string, string][] {
    return this.#names.map((name, i) => [name, this.#values[i]!]);
  }

  /** How many headers there are (Python's `len(msg)`). */
  get length(): number {
    return this.#names.length;
  }

  /**
   * The media type of `Content-Type`, lower-cased, without parameters;
   * `text/plain` when absent or invalid, as in Python.
   *
   * @returns The media type, such as `multipart/form-data`.
   */
  get_content_type(): string {
    const value = this.get("content-type");
    const type = value?.split(";", 1)[0]?.trim().toLowerCase() ?? "";
    return /^[^\s/]+\/[^\s/]+$/.test(type) ? type : "text/plain";
  }

  /** Iterates over the header names, as Python does. @returns An iterator. */
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /**
   * The headers as a web {@linkcode Headers} object (repeated names are
   * combined as `Headers` does).
   *
   * @returns A new `Headers`.
   */
  toHeaders(): Headers {
    const headers = new Headers();
    for (let i = 0; i < this.#names.length; i++) {
      headers.append(this.#names[i]!, this.#values[i]!);
    }
    return headers;
  }

  /**
   * The headers as they would be written, one `Name: value` line each,
   * followed by a blank line, as Python's `str(msg)`.
   *
   * @returns The text.
   */
  toString(): string {
    let s = "";
    for (let i = 0; i < this.#names.length; i++) {
      s += `${this.#names[i]}: ${this.#values[i]}\n`;
    }
    return s + "\n";
  }
}
