/**
 * Mapping a request path to a file system path, and the `Location` of the
 * redirect that adds a directory's trailing slash.
 *
 * @module
 */

import { percent_encode_byte, unquote } from "../_common/quote.ts";

/** Options for {@linkcode translate_path}. */
export interface TranslatePathOptions {
  /**
   * Apply Windows file name rules: reject components with `:` (drive letters,
   * alternate data streams), a trailing dot or space, or a device name such
   * as `CON` or `nul.txt`, and join with `\`.
   *
   * @default {Deno.build.os === "windows"}
   */
  windows?: boolean;
}

// Python's str.rstrip() strips these (str.isspace()).
const TRAILING_SPACE =
  // deno-lint-ignore no-control-regex
  /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;
// An escaped slash or backslash, or a raw backslash: none of them can be part
// of a file name we serve, and each is a classic traversal vector.
const ENCODED_SEPARATOR = /%2f|%5c|\\/i;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
// The scheme and authority of an absolute-form request target.
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

function windows_unsafe(word: string): boolean {
  return word.includes(":") || word.endsWith(".") || word.endsWith(" ") ||
    WINDOWS_DEVICE.test(word);
}

/**
 * Translates a `/`-separated request path to a file system path under
 * `directory`, like Python's `SimpleHTTPRequestHandler.translate_path`: the
 * query and fragment are dropped, the path is unquoted and normalized, `.`
 * and `..` components are dropped, and an explicit trailing slash is kept.
 * The scheme and authority of an absolute-form target
 * (`GET http://host/a.txt`, which a server must accept: RFC 9112 §3.2.2) are
 * dropped, as {@linkcode redirect_location} drops them; Python maps them to
 * directories named `http:` and `host`.
 *
 * Beyond Python, a path that could name something other than a plain file
 * name under `directory` gives `null` (the caller answers 404): a NUL byte,
 * an encoded slash or backslash (`%2F`, `%5C`) or a raw backslash anywhere in
 * the path, and with the Windows rules a component with `:`, a trailing dot or
 * space, or a device name. Python silently skips such components instead.
 * A non-null result is always `directory` itself or a path inside it.
 *
 * @param path The request path (`this.path`), possibly with query and fragment.
 * @param directory The directory being served.
 * @param options Platform rules.
 * @returns The file system path, or `null` if the path is refused.
 *
 * @example
 * ```ts
 * import { translate_path } from "./translate_path.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(translate_path("/a/../b%20c/?q=1", "/srv", { windows: false }), "/srv/b c/");
 * ```
 */
export function translate_path(
  path: string,
  directory: string,
  options: TranslatePathOptions = {},
): string | null {
  const windows = options.windows ?? Deno.build.os === "windows";
  path = path.split("?", 1)[0]!.split("#", 1)[0]!;
  const absolute = ABSOLUTE_FORM.exec(path);
  if (absolute) path = path.slice(absolute[0].length);
  if (ENCODED_SEPARATOR.test(path)) return null;
  // Don't forget an explicit trailing slash (Python issue 17324).
  const trailing_slash = path.replace(TRAILING_SPACE, "").endsWith("/");
  path = unquote(path);
  if (path.includes("\0")) return null;
  // posixpath.normpath followed by dropping "", "." and ".." leaves exactly
  // the components that survive resolving ".." against a stack.
  const words: string[] = [];
  for (const word of path.split("/")) {
    if (word === "" || word === ".") continue;
    if (word === "..") {
      words.pop();
      continue;
    }
    if (windows && windows_unsafe(word)) return null;
    words.push(word);
  }
  const sep = windows ? "\\" : "/";
  // An empty directory is the current one; Python would turn it into "/".
  let result = directory === "" ? "." : directory;
  const ends_with_sep = (p: string): boolean =>
    p.endsWith("/") || (windows && p.endsWith("\\"));
  if (words.length > 0) {
    result += (ends_with_sep(result) ? "" : sep) + words.join(sep);
  }
  // Python appends "/" even when the directory already ends with one.
  if (trailing_slash && !ends_with_sep(result)) result += "/";
  return result;
}

// Characters a URI may not contain (RFC 3986): controls, space, DEL, `"<>\^`
// `` ` ``, `{|}` and everything beyond ASCII. Browsers strip tabs and
// newlines and read `\` as `/` (WHATWG URL), so leaving them in would let
// `/\evil.example` or `/\t/evil.example` become scheme-relative.
const NOT_URI_CHAR = /[^\x21\x23-\x3b\x3d\x3f-\x5b\x5d\x5f\x61-\x7a\x7e]/g;

function encode_uri_chars(s: string): string {
  return s.replace(NOT_URI_CHAR, (c) => {
    const code = c.charCodeAt(0);
    // Request lines are decoded as ISO-8859-1, so a code unit up to 0xFF is
    // the original byte; anything above cannot come from the wire.
    if (code <= 0xff) return percent_encode_byte(code);
    return encodeURIComponent(c.toWellFormed());
  });
}

/**
 * The `Location` for the 301 that adds a directory's trailing slash: the
 * request path with `/` appended, query and fragment kept.
 *
 * Unlike Python, the result never names another host: it starts with
 * exactly one `/` followed by something other than `/` or `\`, or is a
 * relative path whose first segment holds no colon (CVE-2021-28861,
 * gh-87389). Leading slashes and backslashes collapse to one `/`, the scheme and authority of an
 * absolute-form target (`http://host/dir`) are dropped (the client resolves
 * the result against that same URL), and characters that are not allowed in a
 * URI are percent-encoded. A target without a leading slash (`GET sub?x`)
 * stays relative, as in Python (`sub/?x`), with `./` before a first segment
 * that holds a colon, so that it cannot read as a scheme.
 *
 * @param path The request path (`this.path`).
 * @returns The value for the `Location` header.
 *
 * @example
 * ```ts
 * import { redirect_location } from "./translate_path.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(redirect_location("//evil.example/dir?x=1"), "/evil.example/dir/?x=1");
 * ```
 */
export function redirect_location(path: string): string {
  // absolute-form (RFC 9112 §3.2.2): keep only what follows the authority.
  const absolute = ABSOLUTE_FORM.exec(path);
  if (absolute) path = path.slice(absolute[0].length);
  const cut = path.search(/[?#]/);
  let path_part = cut < 0 ? path : path.slice(0, cut);
  const rest = cut < 0 ? "" : path.slice(cut);
  if (path_part === "" || /^[/\\]/.test(path_part)) {
    path_part = "/" + path_part.replace(/^[/\\]+/, "");
  } else if (path_part.split("/", 1)[0]!.includes(":")) {
    // A relative reference stays relative, as in Python; but a first
    // segment with a colon would read as a scheme (RFC 3986 §4.2), and
    // "https:evil.example" as another host to a browser.
    path_part = "./" + path_part;
  }
  if (!path_part.endsWith("/")) path_part += "/";
  return encode_uri_chars(path_part) + encode_uri_chars(rest);
}
