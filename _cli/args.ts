/**
 * The command line of `python -m http.server`, for `deno task serve` and
 * `deno run -A http_server.ts`: a pure parser, no I/O.
 *
 * @module
 */

import { repr } from "../_common/pyformat.ts";
import { credential_error } from "./upload_options.ts";
import { parse_header_option } from "./header_option.ts";
import { parse_address_range } from "../_server/forwarded.ts";

/** The parsed command line. */
export interface CliOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Address to bind to; `undefined` means all interfaces. */
  bind: string | undefined;
  /** Directory to serve, absolute when the base directory is. */
  directory: string;
  /** `protocol_version` of the handler. */
  protocol: "HTTP/1.0" | "HTTP/1.1";
  /** Certificate chain file (PEM) for HTTPS. */
  tls_cert: string | undefined;
  /** Private key file (PEM) for HTTPS. */
  tls_key: string | undefined;
  /** Send CORS headers. */
  cors: boolean;
  /** Run `CGIHTTPRequestHandler` instead of `SimpleHTTPRequestHandler`. */
  cgi: boolean;
  /** Number of server workers. */
  workers: number;
  /** `-H/--header` values, as `[name, value]`, in order. */
  headers: [string, string][];
  /** `--content-type`: the type of unknown extensions, if given. */
  content_type: string | undefined;
  /** `--no-cache`: send `Cache-Control: no-store`. */
  no_cache: boolean;
  /** `--compress`: compress responses on the fly. */
  compress: boolean;
  /** `--spa`: answer missing HTML pages with the root `index.html`. */
  spa: boolean;
  /** `--error-page`: answer 404 with the root's `404.html`. */
  error_page: boolean;
  /** `--tls-password-file`: the file holding the key's password. */
  tls_password_file: string | undefined;
  /** Accept PUT and POST uploads into the directory. */
  upload: boolean;
  /** Let an upload replace a file of the same name. */
  allow_replace: boolean;
  /** The most bytes of an upload, or `null`. */
  max_upload_size: number | null;
  /** `USER:PASSWORD` pairs for HTTP Basic authentication (repeatable). */
  auth: string[];
  /** Authentication for writes only. */
  auth_upload_only: boolean;
  /** `--proxy-protocol`: read a PROXY protocol header on each connection. */
  proxy_protocol: boolean;
  /** `--trust-proxy ADDR[/BITS]` (repeatable): proxies whose `Forwarded` headers count. */
  trust_proxy: string[];
  /** `-h`/`--help` was given: print {@linkcode USAGE} and exit 0. */
  help: boolean;
}

/** What the parser needs from the environment, passed in to keep it pure. */
export interface CliEnv {
  /** `Deno.cwd()`. */
  cwd: string;
  /**
   * `Deno.env.get("INIT_CWD")`: `deno task` runs tasks in the directory of
   * deno.json and sets this to the directory the user ran it from.
   */
  init_cwd?: string | undefined;
}

/** A usage error; `message` is argparse's, e.g. `argument port: invalid int value: 'abc'`. */
export class CliError extends SyntaxError {
  /** The argument at fault as argparse names it (`port`, `-b/--bind`), if any. */
  readonly argument: string | undefined;

  /** Creates a usage error about `argument`. */
  constructor(message: string, argument?: string) {
    super(argument ? `argument ${argument}: ${message}` : message);
    this.name = "CliError";
    this.argument = argument;
  }
}

/** The `--help` text, in argparse's layout. */
export const USAGE: string = `\
usage: http_server.ts [-h] [--cgi] [--cors] [-b ADDRESS] [-d DIRECTORY]
                      [-p VERSION] [--tls-cert FILE] [--tls-key FILE]
                      [--tls-password-file FILE] [--workers N]
                      [-H HEADER] [--content-type TYPE] [--no-cache]
                      [--compress] [--spa] [--error-page] [--upload]
                      [--allow-replace] [--max-upload-size BYTES]
                      [--auth USER:PASSWORD] [--auth-upload-only]
                      [--proxy-protocol] [--trust-proxy ADDR[/BITS]]
                      [port]

positional arguments:
  port                  bind to this port (default: 8000)

options:
  -h, --help            show this help message and exit
  --cgi                 run as CGI server
  --cors                send Access-Control-Allow-Origin: * and allow
                        cross-origin requests
  -b, --bind ADDRESS    bind to this address (default: all interfaces)
  -d, --directory DIRECTORY
                        serve this directory (default: current directory)
  -p, --protocol VERSION
                        conform to this HTTP version (default: HTTP/1.1)
  --tls-cert FILE       serve HTTPS with this certificate chain (PEM); needs
                        --tls-key
  --tls-key FILE        the private key (PEM) for --tls-cert
  --tls-password-file FILE
                        the password of an encrypted --tls-key
  --workers N           run N server workers (default: 1)
  -H, --header HEADER   add "Name: value" to every response (repeatable)
  --content-type TYPE   type of files with an unknown extension (default:
                        application/octet-stream)
  --no-cache            send Cache-Control: no-store
  --compress            compress text, JSON, JavaScript, SVG, XML and wasm
                        over 1 KiB on the fly (gzip)
  --spa                 answer a missing page asked for as HTML with the
                        root index.html (single-page apps)
  --error-page          answer 404 with the root's 404.html when there is one
  --upload              save PUT bodies and POSTed form files into the
                        directory
  --allow-replace       let an upload replace a file of the same name
  --max-upload-size BYTES
                        refuse uploads larger than BYTES with 413
  --auth USER:PASSWORD  require HTTP Basic authentication (repeatable; the
                        password may be sha256:<hex>)
  --auth-upload-only    require --auth for uploads only, not for reading
  --proxy-protocol      read a PROXY protocol (v1/v2) header before each
                        connection's requests: the client it names is logged
  --trust-proxy ADDR[/BITS]
                        believe Forwarded and X-Forwarded-* from these peers
                        (repeatable)
`;

type Dest =
  | "help"
  | "cgi"
  | "cors"
  | "bind"
  | "directory"
  | "protocol"
  | "tls_cert"
  | "tls_key"
  | "workers"
  | "header"
  | "content_type"
  | "no_cache"
  | "compress"
  | "spa"
  | "error_page"
  | "tls_password_file"
  | "upload"
  | "allow_replace"
  | "max_upload_size"
  | "auth"
  | "auth_upload_only"
  | "proxy_protocol"
  | "trust_proxy";

interface OptionSpec {
  long: string;
  short?: string;
  dest: Dest;
  takes_value: boolean;
}

const SPECS: readonly OptionSpec[] = [
  { long: "--help", short: "-h", dest: "help", takes_value: false },
  { long: "--cgi", dest: "cgi", takes_value: false },
  { long: "--cors", dest: "cors", takes_value: false },
  { long: "--bind", short: "-b", dest: "bind", takes_value: true },
  { long: "--directory", short: "-d", dest: "directory", takes_value: true },
  { long: "--protocol", short: "-p", dest: "protocol", takes_value: true },
  { long: "--tls-cert", dest: "tls_cert", takes_value: true },
  { long: "--tls-key", dest: "tls_key", takes_value: true },
  { long: "--workers", dest: "workers", takes_value: true },
  { long: "--header", short: "-H", dest: "header", takes_value: true },
  { long: "--content-type", dest: "content_type", takes_value: true },
  { long: "--no-cache", dest: "no_cache", takes_value: false },
  { long: "--compress", dest: "compress", takes_value: false },
  { long: "--spa", dest: "spa", takes_value: false },
  { long: "--error-page", dest: "error_page", takes_value: false },
  {
    long: "--tls-password-file",
    dest: "tls_password_file",
    takes_value: true,
  },
  { long: "--upload", dest: "upload", takes_value: false },
  { long: "--allow-replace", dest: "allow_replace", takes_value: false },
  { long: "--max-upload-size", dest: "max_upload_size", takes_value: true },
  { long: "--auth", dest: "auth", takes_value: true },
  { long: "--auth-upload-only", dest: "auth_upload_only", takes_value: false },
  { long: "--proxy-protocol", dest: "proxy_protocol", takes_value: false },
  { long: "--trust-proxy", dest: "trust_proxy", takes_value: true },
];

/** The options that are switches. */
/** The options that take no value. */
type Flag =
  | "cgi"
  | "cors"
  | "no_cache"
  | "compress"
  | "spa"
  | "error_page"
  | "upload"
  | "allow_replace"
  | "auth_upload_only"
  | "proxy_protocol";

const PROTOCOLS = ["HTTP/1.0", "HTTP/1.1"] as const;

function display_name(spec: OptionSpec): string {
  return spec.short ? `${spec.short}/${spec.long}` : spec.long;
}

// argparse reads "-1" as a value, not an option, when no option looks like a
// negative number (none of ours does).
function looks_like_option(arg: string): boolean {
  return arg.startsWith("-") && arg !== "-" && !/^-(\d+|\d*\.\d+)$/.test(arg);
}

function find_long(name: string): OptionSpec | undefined {
  const exact = SPECS.find((s) => s.long === name);
  if (exact) return exact;
  // argparse's allow_abbrev: a unique prefix names the option.
  const matches = SPECS.filter((s) => s.long.startsWith(name));
  if (matches.length > 1) {
    throw new CliError(
      `ambiguous option: ${name} could match ${
        matches.map((s) => s.long).join(", ")
      }`,
    );
  }
  return matches[0];
}

function parse_int10(value: string, argument: string): number {
  // Python's int(): surrounding whitespace, a sign, "_" between digits.
  const s = value.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(s)) {
    throw new CliError(`invalid int value: ${repr(value)}`, argument);
  }
  return Number(s.replaceAll("_", ""));
}

function is_absolute(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") ||
    /^[A-Za-z]:[\\/]/.test(path);
}

function join_path(base: string, path: string): string {
  if (is_absolute(path) || base === "") return path;
  if (base.endsWith("/") || base.endsWith("\\")) return base + path;
  const sep = base.includes("\\") && !base.includes("/") ? "\\" : "/";
  return base + sep + path;
}

// Stores the value of an option that takes one.
function set_value(
  options: CliOptions,
  dest: Dest,
  value: string,
  name: string,
  base: string,
): void {
  switch (dest) {
    case "bind":
      options.bind = value;
      break;
    case "trust_proxy":
      try {
        parse_address_range(value);
      } catch (err) {
        throw new CliError((err as Error).message, name);
      }
      options.trust_proxy.push(value);
      break;
    case "directory":
      options.directory = join_path(base, value);
      break;
    case "protocol": {
      const protocol = PROTOCOLS.find((p) => p === value);
      if (!protocol) {
        throw new CliError(
          `invalid choice: ${repr(value)} (choose from ${
            PROTOCOLS.map(repr).join(", ")
          })`,
          name,
        );
      }
      options.protocol = protocol;
      break;
    }
    case "tls_cert":
      options.tls_cert = value;
      break;
    case "tls_key":
      options.tls_key = value;
      break;
    case "header":
      try {
        options.headers.push(parse_header_option(value));
      } catch (err) {
        throw new CliError((err as Error).message, name);
      }
      break;
    case "content_type":
      // deno-lint-ignore no-control-regex
      if (value.trim() === "" || /[\x00-\x1f\x7f]/.test(value)) {
        throw new CliError(`invalid media type: ${repr(value)}`, name);
      }
      options.content_type = value;
      break;
    case "tls_password_file":
      options.tls_password_file = value;
      break;
    case "workers": {
      const n = parse_int10(value, name);
      if (n < 1) {
        throw new CliError(`must be at least 1: ${repr(value)}`, name);
      }
      options.workers = n;
      break;
    }
    case "max_upload_size":
      options.max_upload_size = parse_int10(value, name);
      if (options.max_upload_size < 0) {
        throw new CliError(`must not be negative: ${repr(value)}`, name);
      }
      break;
    case "auth":
      if (credential_error(value) !== null) {
        throw new CliError(credential_error(value)!, name);
      }
      options.auth.push(value);
      break;
  }
}

// The positional port, what was not recognized, and the options that go
// together.
function check_rest(
  options: CliOptions,
  positionals: readonly string[],
  unrecognized: string[],
): void {
  const [port, ...extra] = positionals;
  if (port !== undefined) {
    const n = parse_int10(port, "port");
    if (n < 0 || n > 65535) {
      throw new CliError(`out of range 0-65535: ${repr(port)}`, "port");
    }
    options.port = n;
  }
  unrecognized.push(...extra);
  if (unrecognized.length > 0) {
    throw new CliError(`unrecognized arguments: ${unrecognized.join(" ")}`);
  }
  if ((options.tls_cert === undefined) !== (options.tls_key === undefined)) {
    throw options.tls_cert === undefined
      ? new CliError("requires --tls-cert", "--tls-key")
      : new CliError("requires --tls-key", "--tls-cert");
  }
  if (
    options.tls_password_file !== undefined && options.tls_key === undefined
  ) {
    throw new CliError("requires --tls-key", "--tls-password-file");
  }
}

/**
 * Parses the arguments of `python -m http.server` (3.15's `--header`,
 * `--content-type`, `--tls-cert`, `--tls-key`, `--tls-password-file`
 * included) plus ours (`--cors`, `--workers`, `--no-cache`, `--compress`,
 * `--spa`, `--error-page`), the way argparse does: options
 * and the port in any order, `--opt=value`, `-bVALUE`, unique prefixes of
 * long options, and `--` before a port that looks like an option.
 *
 * Differences from Python: `--protocol` defaults to `HTTP/1.1` (Python:
 * `HTTP/1.0`) and accepts only `HTTP/1.0` and `HTTP/1.1`; the port must be
 * 0-65535; the directory defaults to `env.init_cwd` when set (the user's
 * directory under `deno task`), else `env.cwd`, and a relative `-d` is
 * resolved against that same directory.
 *
 * @param args The arguments, as `Deno.args`.
 * @param env The current and initial working directories.
 * @returns The options; `help` is true when `-h` or `--help` was given.
 * @throws {CliError} On a usage error; print the first line of
 *   {@linkcode USAGE}, then `http_server.ts: error: <message>`, and exit 2.
 *
 * @example
 * ```ts
 * import { parse_args } from "./args.ts";
 * import assert from "node:assert/strict";
 *
 * const o = parse_args(["-b", "127.0.0.1", "9000", "-d", "public"], {
 *   cwd: "/repo",
 *   init_cwd: "/home/me/site",
 * });
 * assert.equal(o.port, 9000);
 * assert.equal(o.directory, "/home/me/site/public");
 * ```
 */
export function parse_args(
  args: readonly string[],
  env: CliEnv,
): CliOptions {
  const base = env.init_cwd ? env.init_cwd : env.cwd;
  const options: CliOptions = {
    port: 8000,
    bind: undefined,
    directory: base,
    protocol: "HTTP/1.1",
    tls_cert: undefined,
    tls_key: undefined,
    cors: false,
    cgi: false,
    workers: 1,
    headers: [],
    content_type: undefined,
    no_cache: false,
    compress: false,
    spa: false,
    error_page: false,
    tls_password_file: undefined,
    upload: false,
    allow_replace: false,
    max_upload_size: null,
    auth: [],
    auth_upload_only: false,
    proxy_protocol: false,
    trust_proxy: [],
    help: false,
  };
  const positionals: string[] = [];
  const unrecognized: string[] = [];
  let only_positionals = false;

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (only_positionals || !looks_like_option(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      only_positionals = true;
      continue;
    }
    let spec: OptionSpec | undefined;
    let explicit: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      spec = find_long(eq < 0 ? arg : arg.slice(0, eq));
      if (eq >= 0) explicit = arg.slice(eq + 1);
    } else {
      spec = SPECS.find((s) => s.short === arg.slice(0, 2));
      // argparse reads "-bX" and "-b=X" as "-b X".
      if (arg.length > 2) explicit = arg.slice(arg[2] === "=" ? 3 : 2);
    }
    if (!spec) {
      unrecognized.push(arg);
      continue;
    }
    const name = display_name(spec);
    if (!spec.takes_value) {
      if (explicit !== undefined) {
        throw new CliError(`ignored explicit argument ${repr(explicit)}`, name);
      }
      if (spec.dest === "help") {
        options.help = true;
        return options;
      }
      options[spec.dest as Flag] = true;
      continue;
    }
    let value = explicit;
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined || looks_like_option(next)) {
        throw new CliError("expected one argument", name);
      }
      value = next;
      i++;
    }
    set_value(options, spec.dest, value, name, base);
  }

  check_rest(options, positionals, unrecognized);
  return options;
}
