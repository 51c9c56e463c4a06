/**
 * Header lookups over the shapes a form's headers come in: a web `Headers`,
 * the HTTP server's `HTTPMessage`, or a record.
 *
 * @module
 */

/**
 * Anything with a `get(name)` for header lookups: a web `Headers`, the HTTP
 * server's `HTTPMessage`, or your own.
 */
export interface HeadersLike {
  /**
   * Returns the value of header `name` (case-insensitive).
   *
   * @param name The header name.
   * @returns The value, or `null`/`undefined` when absent.
   */
  get(name: string): string | null | undefined;
}

/**
 * Request or part headers: a {@linkcode HeadersLike}, or a record of strings
 * looked up case-insensitively (parts get a record keyed in lower case).
 */
export type FormHeaders = HeadersLike | Record<string, string>;

/**
 * Looks up header `name` (lower case) in `headers`: through its `get` when it
 * has one, else in the record, case-insensitively.
 *
 * @example
 * ```ts
 * import { header_get } from "./headers.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(header_get({ "Content-Type": "text/plain" }, "content-type"), "text/plain");
 * assert.equal(header_get(new Headers(), "content-type"), undefined);
 * ```
 */
export function header_get(
  headers: FormHeaders,
  name: string,
): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as HeadersLike).get(name) ?? undefined;
  }
  const record = headers as Record<string, string>;
  if (Object.hasOwn(record, name)) return record[name];
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name) return record[key];
  }
  return undefined;
}
