/**
 * The HTML page of error responses, as Python's `DEFAULT_ERROR_MESSAGE`.
 *
 * @module
 */

import { escape_html } from "../_common/html.ts";

/**
 * The HTML page of an error response; `%(code)d`, `%(message)s` and
 * `%(explain)s` are filled in. This is the page the spec's Python 3.5 sends
 * (CPython 3.11 shortened the DOCTYPE to `<!DOCTYPE HTML>`).
 */
export const DEFAULT_ERROR_MESSAGE: string = `\
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN"
        "http://www.w3.org/TR/html4/strict.dtd">
<html>
    <head>
        <meta http-equiv="Content-Type" content="text/html;charset=utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: %(code)d</p>
        <p>Message: %(message)s.</p>
        <p>Error code explanation: %(code)s - %(explain)s.</p>
    </body>
</html>
`;

/** The `Content-Type` of error pages. */
export const DEFAULT_ERROR_CONTENT_TYPE = "text/html;charset=utf-8";

/**
 * Fills an error page format with the code and the HTML-escaped message and
 * explanation, as Python's `send_error()` does (`html.escape(quote=False)`).
 *
 * @example
 * ```ts
 * import { fill_error_page } from "./error_page.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fill_error_page("%(code)d %(message)s: %(explain)s", 404, "<x>", "gone"), "404 &lt;x&gt;: gone");
 * ```
 */
export function fill_error_page(
  format: string,
  code: number,
  message: string,
  explain: string,
): string {
  const m = escape_html(message, false), e = escape_html(explain, false);
  return format.replace(
    /%\((code|message|explain)\)([sd])/g,
    (_, key) => key === "code" ? String(code) : key === "message" ? m : e,
  );
}
