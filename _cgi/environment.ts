/**
 * The environment of a CGI script (RFC 3875 §4.1): a pure function from
 * the request to the variables, and the check that they fit the kernel's
 * limits on what `exec` may pass.
 *
 * @module
 */

import type { HTTPMessage } from "../_protocol/message.ts";

/** Headers never passed as `HTTP_*`: they have their own variables, carry credentials, or are httpoxy (CVE-2016-5385). */
const NOT_PASSED = new Set([
  "content-type",
  "content-length",
  "authorization",
  "proxy-authorization",
  "proxy",
]);

/**
 * Longest single `NAME=value` string that Linux passes to a program
 * (`MAX_ARG_STRLEN`, 32 pages); longer fails the exec with `E2BIG`.
 */
const MAX_VARIABLE_BYTES = 128 * 1024 - 1;
/**
 * Most bytes of environment and arguments together: well under the usual
 * `ARG_MAX` of 2 MiB, which is shared with the stack's other contents.
 */
const MAX_ENVIRONMENT_BYTES = 1024 * 1024;

/** What the environment is made of: the request as the handler saw it. */
export interface CGIRequest {
  /** `SERVER_SOFTWARE`: the handler's `version_string()`. */
  server_software: string;
  /** The server's host name. */
  server_name: string;
  /** The server's port. */
  server_port: number;
  /** The handler's `protocol_version`. */
  protocol: string;
  /** The request method. */
  method: string;
  /** The script's URL path, such as `/cgi-bin/hi.py`. */
  script_name: string;
  /** The script's file system path. */
  script_file: string;
  /** What follows the script's name in the path, decoded. */
  path_info: string;
  /** `path_info` translated to a file system path, or `""`. */
  path_translated: string;
  /** The query string, as received. */
  query: string;
  /** The client's address. */
  remote_addr: string;
  /** The request headers. */
  headers: HTTPMessage;
  /** The script's `PATH`, when the server may read its own. */
  path?: string;
  /** The script's temporary directory. */
  tmpdir: string;
}

/**
 * The RFC 3875 meta-variables, as Python sets them, and every other header
 * as `HTTP_*` (RFC 3875 §4.1.18; Python passes four).
 *
 * @param req The request.
 * @returns The script's whole environment.
 *
 * @example
 * ```ts
 * import { cgi_environment } from "./environment.ts";
 * import { HTTPMessage } from "../_protocol/message.ts";
 * import assert from "node:assert/strict";
 *
 * const headers = new HTTPMessage([["Content-Length", "5, 5"], ["X-Trace", "1"]]);
 * const env = cgi_environment({
 *   server_software: "SimpleHTTP/0.6", server_name: "h", server_port: 80,
 *   protocol: "HTTP/1.0", method: "POST", script_name: "/cgi-bin/a",
 *   script_file: "/srv/cgi-bin/a", path_info: "", path_translated: "",
 *   query: "", remote_addr: "127.0.0.1", headers, tmpdir: "/tmp",
 * });
 * assert.equal(env.CONTENT_LENGTH, "5"); // the framed length
 * assert.equal(env.HTTP_X_TRACE, "1");
 * ```
 */
export function cgi_environment(req: CGIRequest): Record<string, string> {
  const headers = req.headers;
  const env: Record<string, string> = {
    SERVER_SOFTWARE: req.server_software,
    SERVER_NAME: req.server_name,
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: req.protocol,
    SERVER_PORT: String(req.server_port),
    REQUEST_METHOD: req.method,
    // Decoded once (Python decodes the decoded path again).
    PATH_INFO: req.path_info,
    PATH_TRANSLATED: req.path_translated,
    SCRIPT_NAME: req.script_name,
    SCRIPT_FILENAME: req.script_file,
    QUERY_STRING: req.query,
    REMOTE_ADDR: req.remote_addr,
    REMOTE_HOST: "",
    CONTENT_TYPE: headers.get("content-type") ?? headers.get_content_type(),
    CONTENT_LENGTH: framed_length(headers),
    HTTP_USER_AGENT: headers.get("user-agent") ?? "",
    HTTP_COOKIE: headers.get_all("cookie", []).filter(Boolean).join(", "),
    HTTP_REFERER: headers.get("referer") ?? "",
    HTTP_ACCEPT: headers.get_all("accept", []).join(","),
    TMPDIR: req.tmpdir,
  };
  if (req.path !== undefined) env.PATH = req.path;
  const authorization = headers.get("authorization")?.split(/\s+/);
  if (authorization?.length === 2) {
    env.AUTH_TYPE = authorization[0]!;
    if (authorization[0]!.toLowerCase() === "basic") {
      try {
        const user = atob(authorization[1]!).split(":");
        if (user.length === 2) env.REMOTE_USER = user[0]!;
      } catch {
        // Not base64: no REMOTE_USER, as in Python.
      }
    }
  }
  for (const name of new Set(headers.keys().map((k) => k.toLowerCase()))) {
    // Names with "_" would collide with "-" once converted.
    if (NOT_PASSED.has(name) || !/^[a-z0-9-]+$/.test(name)) continue;
    const key = "HTTP_" + name.toUpperCase().replaceAll("-", "_");
    if (!(key in env)) env[key] = headers.get_all(name, []).join(", ");
  }
  return env;
}

/**
 * The body's length as the server framed it: `5` for `Content-Length: 5, 5`
 * (the parser accepts a list only of equal values), `""` without one.
 */
function framed_length(headers: HTTPMessage): string {
  const value = headers.get("content-length");
  return value === undefined ? "" : value.split(",")[0]!.trim();
}

/**
 * Why an environment cannot be passed to a program: the variable that is
 * too long for the kernel, or `"all"` when the whole is; `null` when it
 * fits. Checked before the exec, so that the client gets a 4xx rather
 * than the 500 of a failed exec (`E2BIG`).
 *
 * @param env The environment.
 * @param args The program's arguments.
 * @returns The culprit, or `null`.
 *
 * @example
 * ```ts
 * import { oversized_variable } from "./environment.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(oversized_variable({ A: "1" }, []), null);
 * assert.equal(oversized_variable({ HTTP_COOKIE: "x".repeat(200_000) }, []), "HTTP_COOKIE");
 * ```
 */
export function oversized_variable(
  env: Record<string, string>,
  args: string[],
): string | null {
  const encoder = new TextEncoder();
  let total = 0;
  for (const [name, value] of Object.entries(env)) {
    const bytes = encoder.encode(value).length + name.length + 2;
    if (bytes > MAX_VARIABLE_BYTES) return name;
    total += bytes + 8;
  }
  for (const arg of args) {
    const bytes = encoder.encode(arg).length + 1;
    if (bytes > MAX_VARIABLE_BYTES) return "QUERY_STRING";
    total += bytes + 8;
  }
  return total > MAX_ENVIRONMENT_BYTES ? "all" : null;
}
