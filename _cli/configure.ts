/**
 * The handler class the command line serves with: the options of
 * `http_server.ts` set as the handler's attributes.
 *
 * @module
 */

import type { CliOptions } from "./args.ts";
import type { SimpleHTTPRequestHandler } from "../_static/simple_handler.ts";
import { DEFAULT_TYPE } from "../_static/mime.ts";

/** The name of the error page `--error-page` serves from the root. */
export const ERROR_PAGE = "404.html";

/**
 * Subclasses `Base` with the directory, CORS, headers, default type,
 * compression, SPA, error page, upload and authentication options of the
 * command line.
 * `--no-cache` adds `Cache-Control: no-store` after the `--header` values.
 *
 * @param Base `SimpleHTTPRequestHandler` or `CGIHTTPRequestHandler`.
 * @param options The parsed command line.
 * @returns The handler class.
 *
 * @example
 * ```ts
 * import { configured_handler } from "./configure.ts";
 * import { parse_args } from "./args.ts";
 * import { SimpleHTTPRequestHandler } from "../_static/simple_handler.ts";
 * import assert from "node:assert/strict";
 *
 * const options = parse_args(["-H", "X-A: 1", "--no-cache"], { cwd: "/srv" });
 * const Handler = configured_handler(SimpleHTTPRequestHandler, options);
 * assert.deepEqual(Handler.prototype instanceof SimpleHTTPRequestHandler, true);
 * ```
 */
export function configured_handler(
  Base: typeof SimpleHTTPRequestHandler,
  options: CliOptions,
): typeof SimpleHTTPRequestHandler {
  const headers: (readonly [string, string])[] = [...options.headers];
  if (options.no_cache) headers.push(["Cache-Control", "no-store"]);
  const { directory, cors, compress, spa } = options;
  const { upload, allow_replace, max_upload_size, auth, auth_upload_only } =
    options;
  const default_content_type = options.content_type ?? DEFAULT_TYPE;
  const error_page = options.error_page ? ERROR_PAGE : null;
  return class Handler extends Base {
    override directory = directory;
    override cors = cors;
    override response_headers = headers;
    override default_content_type = default_content_type;
    override compress = compress;
    override spa = spa;
    override error_page = error_page;
    override upload = upload;
    override allow_replace = allow_replace;
    override max_upload_size = max_upload_size;
    override auth = auth;
    override auth_upload_only = auth_upload_only;
  };
}
