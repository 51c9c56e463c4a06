/**
 * HTML escaping, as Python's `html.escape`.
 *
 * @module
 */

const HAS_SPECIAL = /[&<>"']/;
const HAS_SPECIAL_NO_QUOTE = /[&<>]/;

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
  // A loop over the code units: 3-4x as fast as a replace() that calls a
  // function per match, 2x as five replaceAll() (1,000 names with a `<`).
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ref = c === 0x26
      ? "&amp;"
      : c === 0x3c
      ? "&lt;"
      : c === 0x3e
      ? "&gt;"
      : !quote
      ? ""
      : c === 0x22
      ? "&quot;"
      : c === 0x27
      ? "&#x27;"
      : "";
    if (ref === "") continue;
    out += s.slice(from, i) + ref;
    from = i + 1;
  }
  return out + s.slice(from);
}
