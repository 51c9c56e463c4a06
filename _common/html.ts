/**
 * HTML escaping, as Python's `html.escape`.
 *
 * @module
 */

const SPECIAL = /[&<>"']/g;
const SPECIAL_NO_QUOTE = /[&<>]/g;
const HAS_SPECIAL = /[&<>"']/;
const HAS_SPECIAL_NO_QUOTE = /[&<>]/;
const ENTITY: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#x27;",
};

/**
 * Replaces `&`, `<` and `>` (and, when `quote`, `"` and `'`) with HTML
 * character references, as Python's `html.escape(s, quote)`.
 *
 * @example
 * ```ts
 * import { escape_html } from "./html.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escape_html(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;");
 * assert.equal(escape_html(`"<"`, false), `"&lt;"`);
 * ```
 *
 * @param s The text.
 * @param quote Whether to escape quotes too (for attribute values).
 * @returns The escaped text.
 */
export function escape_html(s: string, quote = true): string {
  const special = quote ? HAS_SPECIAL : HAS_SPECIAL_NO_QUOTE;
  if (!special.test(s)) return s;
  return s.replace(quote ? SPECIAL : SPECIAL_NO_QUOTE, (c) => ENTITY[c]!);
}
