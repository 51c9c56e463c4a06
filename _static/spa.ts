/**
 * The fallbacks for a missing path: a single-page app's `index.html`
 * (`--spa`), or the site's own 404 page (`--error-page`).
 *
 * @module
 */

/**
 * Whether a request's `Accept` names `text/html` (or `application/xhtml+xml`)
 * with a weight above zero, as a browser's navigation does. A wildcard does
 * not count: `fetch()` and scripts send `*\/*` and should get their 404.
 *
 * @param accept The `Accept` value, if any.
 * @returns Whether the client asks for a page.
 *
 * @example
 * ```ts
 * import { accepts_html } from "./spa.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(accepts_html("text/html,application/xhtml+xml,*\/*;q=0.8"), true);
 * assert.equal(accepts_html("*\/*"), false);
 * assert.equal(accepts_html("text/html;q=0"), false);
 * ```
 */
export function accepts_html(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  for (const range of accept.split(",")) {
    const [media, ...params] = range.split(";");
    const type = media!.trim().toLowerCase();
    if (type !== "text/html" && type !== "application/xhtml+xml") continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=");
      if (k?.trim().toLowerCase() === "q") q = Number(v?.trim());
    }
    if (q > 0) return true;
  }
  return false;
}

/**
 * Reads a site's own error page (a regular file), or returns `null` when
 * it is missing or unreadable (the caller then sends Python's page).
 *
 * @param path The page's path.
 * @returns Its bytes, or `null`.
 *
 * @example
 * ```ts
 * import { read_error_page } from "./spa.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(read_error_page("/no/such/404.html"), null);
 * ```
 */
export function read_error_page(path: string): Uint8Array | null {
  try {
    if (!Deno.statSync(path).isFile) return null;
    return Deno.readFileSync(path);
  } catch {
    return null;
  }
}
