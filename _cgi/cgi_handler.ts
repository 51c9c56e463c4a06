/**
 * `CGIHTTPRequestHandler`: Python's CGI handler, which runs scripts from
 * the CGI directories and relays their output.
 *
 * @module
 */

import { collapse_path } from "./cgi_path.ts";
import { is_inside, resolves_inside } from "../_static/fs_path.ts";
import { cgi_environment, oversized_variable } from "./environment.ts";
import { kill_group, track_group, untrack_group } from "./process_group.ts";
import { log_lines } from "./stderr_lines.ts";
import { repr } from "../_common/pyformat.ts";
import {
  type HeadBody,
  SimpleHTTPRequestHandler,
} from "../_static/simple_handler.ts";

/** Scripts run with the running Deno rather than executed directly. */
const DENO_SCRIPT = /\.(ts|mts|js|mjs|tsx|jsx)$/i;
/**
 * Milliseconds a script may still take to exit after its client hangs up:
 * a client that read the whole response (the script sent a Content-Length)
 * may close before the script has exited.
 */
const DISCONNECT_GRACE_MS = 500;

function env_var(name: string): string | undefined {
  const state =
    Deno.permissions.querySync({ name: "env", variable: name }).state;
  return state === "granted" ? Deno.env.get(name) : undefined;
}

function temp_dir(): string {
  return env_var("TMPDIR") ??
    (Deno.build.os === "windows"
      ? env_var("TEMP") ?? "C:\\Windows\\Temp"
      : "/tmp");
}

/**
 * Runs CGI scripts, as Python's `http.server.CGIHTTPRequestHandler`
 * (`python -m http.server --cgi`); serves other paths as
 * {@linkcode SimpleHTTPRequestHandler} does.
 *
 * A path is a script when, once normalised, it starts with one of
 * `cgi_directories` (`/cgi-bin`, `/htbin`). GET, HEAD and POST run scripts;
 * POST elsewhere gets 501. The script gets the RFC 3875 environment, the
 * request body on stdin (up to Content-Length), and its stdout goes to the
 * client after Python's `200 Script output follows` status line; the
 * connection closes after it. Its stderr is logged.
 *
 * `.ts`, `.mts`, `.js`, `.mjs`, `.tsx` and `.jsx` scripts run with the
 * running Deno (`Deno.execPath()`) and these permissions only:
 * `--allow-env` (the CGI variables are all the script's environment) and
 * `--allow-read`/`--allow-write` on the temporary directory (for uploads
 * spooled by `FieldStorage`). Other files must be executable and are run
 * directly, never through a shell. The server needs `--allow-run`.
 *
 * Unlike Python, the script's environment is the CGI variables, every
 * request header as `HTTP_*` (except `Proxy`, httpoxy, and the credentials
 * of `Authorization`), `PATH` and `TMPDIR`: nothing else of the server's
 * environment. A script runs as the leader of its own process group; when it
 * runs past `cgi_timeout` seconds or its client disconnects, the group is
 * killed, and so is whatever the script leaves running when it exits. No
 * path ever runs a file outside `cgi_directories` or serves one inside them.
 *
 * @example
 * ```ts
 * import { CGIHTTPRequestHandler, ThreadingHTTPServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/cgi-bin`);
 * await Deno.writeTextFile(
 *   `${dir}/cgi-bin/hi.ts`,
 *   'console.log("Content-Type: text/plain\\n\\nHi " + Deno.env.get("QUERY_STRING"));',
 * );
 * class Handler extends CGIHTTPRequestHandler {
 *   override directory = dir;
 *   override log_message() {}
 * }
 * await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
 * server.serve_forever();
 * const res = await fetch(`http://127.0.0.1:${server.server_port}/cgi-bin/hi.ts?you`);
 * assert.equal(res.status, 200); // fetch() shows "OK", not Python's "Script output follows"
 * assert.equal(await res.text(), "Hi you\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class CGIHTTPRequestHandler extends SimpleHTTPRequestHandler {
  /**
   * The class-level default of `cgi_directories`, one array shared as
   * Python's class attribute is (`Handler.cgi_directories.push("/x")`).
   */
  static cgi_directories: string[] = ["/cgi-bin", "/htbin"];

  /** URL directories whose files are scripts. */
  cgi_directories: string[] =
    (this.constructor as typeof CGIHTTPRequestHandler).cgi_directories;
  /** Seconds a script may run before it is killed. */
  cgi_timeout = 30;
  /** The `[directory, rest]` of the script path, set by `is_cgi()`. */
  cgi_info: [string, string] = ["", ""];

  /** Runs a script, or answers 501: only scripts take POST. */
  async do_POST(): Promise<void> {
    if (this.is_cgi()) await this.run_cgi();
    else this.send_error(501, "Can only POST to CGI scripts");
  }

  /**
   * Runs a script for GET and HEAD, or serves the file.
   *
   * @returns The body to copy, or `null`.
   */
  override async send_head(): Promise<HeadBody | null> {
    if (this.is_cgi()) {
      await this.run_cgi();
      return null;
    }
    if (this.#in_cgi_directory()) {
      // Whatever path leads there, a script's source is never served.
      this.send_error(404, "File not found");
      return null;
    }
    return await super.send_head();
  }

  /**
   * Whether the path leads, by real path (every link followed), to a file
   * or directory inside one of `cgi_directories`: a link such as
   * `scripts -> cgi-bin` must not serve a script's source or list it.
   */
  #in_cgi_directory(): boolean {
    const file = this.translate_path(this.path);
    if (file === null) return false;
    const real = real_path(file);
    if (real === null) return false;
    // Where the file system folds case, /CGI-BIN/ is /cgi-bin/.
    const fold = Deno.build.os === "windows" || Deno.build.os === "darwin";
    const norm = (p: string) => fold ? p.toLowerCase() : p;
    // The directory itself, asked for without a slash, is redirected to
    // its slash form first, as any directory is; that form is refused.
    const listing = /[\\/]$/.test(file);
    return this.#cgi_roots().some((root) => {
      const real_root = real_path(root);
      if (real_root === null) return false;
      const inside = is_inside(norm(real), norm(real_root));
      return inside && (listing || norm(real) !== norm(real_root));
    });
  }

  /** The file system paths of `cgi_directories`. */
  #cgi_roots(): string[] {
    const roots: string[] = [];
    for (const dir of this.cgi_directories) {
      const root = this.translate_path(requote(dir.replace(/\/+$/, "")));
      if (root !== null) roots.push(root);
    }
    return roots;
  }

  /**
   * Whether a script found in CGI directory `dir` (a URL path) really is
   * in it: by real path inside that directory and, unless
   * `follow_symlinks_outside`, inside the served tree, as the static
   * side requires of files. A link in `cgi-bin` to `/usr/bin/env` runs
   * nothing.
   */
  #confined(scriptfile: string, dir: string): boolean {
    const root = this.translate_path(requote(dir));
    if (root === null || resolves_inside(scriptfile, root) !== true) {
      return false;
    }
    return this.follow_symlinks_outside ||
      resolves_inside(scriptfile, this.directory) === true;
  }

  /**
   * Whether the path names a script: its normalised form starts with one of
   * `cgi_directories`. Sets `cgi_info` to `[directory, rest]`.
   *
   * @returns `true` for a script path.
   */
  is_cgi(): boolean {
    const collapsed = collapse_path(this.path);
    if (collapsed === null) return false;
    let sep = collapsed.indexOf("/", 1);
    while (sep > 0 && !this.cgi_directories.includes(collapsed.slice(0, sep))) {
      sep = collapsed.indexOf("/", sep + 1);
    }
    if (sep <= 0) return false;
    this.cgi_info = [collapsed.slice(0, sep), collapsed.slice(sep + 1)];
    return true;
  }

  /**
   * Whether a file can be run directly: an executable bit is set (on
   * Windows, any file).
   *
   * @param path The file system path.
   * @returns Whether it is executable.
   */
  async is_executable(path: string): Promise<boolean> {
    if (Deno.build.os === "windows") return true;
    try {
      return ((await Deno.stat(path)).mode ?? 0) & 0o111 ? true : false;
    } catch {
      return false;
    }
  }

  /**
   * Runs the script `cgi_info` names and relays its output (Python's
   * `run_cgi`).
   *
   * @returns When the script has exited and its output is sent.
   */
  async run_cgi(): Promise<void> {
    const found = await this.#locate();
    if (!found) return;
    const { scriptname, scriptfile, path_info, query } = found;
    const command = await this.#command(scriptname, scriptfile, query);
    if (!command) return;
    if (this.headers.has("Transfer-Encoding")) {
      // RFC 3875 §4.1.2: scripts read CONTENT_LENGTH bytes; we do not spool
      // a chunked body to learn its length.
      this.send_error(411, "CGI scripts need a Content-Length");
      return;
    }
    const env = cgi_environment({
      server_software: this.version_string(),
      server_name: this.server.server_name,
      server_port: this.server.server_port,
      protocol: this.protocol_version,
      method: this.command ?? "",
      script_name: scriptname,
      script_file: scriptfile,
      path_info,
      path_translated: this.translate_path(requote(path_info)) ?? "",
      query,
      remote_addr: this.client_address[0],
      headers: this.headers,
      path: env_var("PATH"),
      tmpdir: temp_dir(),
    });
    const oversized = oversized_variable(env, command[1]);
    if (oversized !== null) {
      // The exec would fail with E2BIG: the request is too large for CGI.
      if (oversized === "QUERY_STRING" || oversized === "PATH_INFO") {
        this.send_error(414, "Request-URI too long for a CGI script");
      } else {
        this.send_error(431, "Request headers too large for a CGI script");
      }
      return;
    }
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command[0], {
        args: command[1],
        env,
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        // Its own process group, so that kill_group() reaches what it starts.
        detached: Deno.build.os !== "windows",
      }).spawn();
    } catch (err) {
      this.log_error("CGI script could not start: %s", String(err));
      this.send_error(500, "CGI script could not start");
      return;
    }
    this.send_response(200, "Script output follows");
    this.flush_headers();
    await this.#relay(child);
  }

  /**
   * Finds the script: Python's search for the longest directory prefix.
   * `cgi_info` is already decoded, so paths are re-quoted before
   * `translate_path` (which decodes): decoding twice would let
   * `%252e%252e` become a `..` after the check (Python decodes twice).
   */
  async #locate(): Promise<
    | {
      scriptname: string;
      scriptfile: string;
      path_info: string;
      query: string;
    }
    | null
  > {
    let [dir, rest] = this.cgi_info;
    // The query is set aside first: the directory search must not walk it.
    const q = rest.indexOf("?");
    const query = q === -1 ? "" : rest.slice(q + 1);
    if (q !== -1) rest = rest.slice(0, q);
    const path = dir + "/" + rest;
    let i = path.indexOf("/", dir.length + 1);
    while (i >= 0) {
      const nextdir = path.slice(0, i);
      const scriptdir = this.translate_path(requote(nextdir));
      if (scriptdir === null || !(await is_dir(scriptdir))) break;
      dir = nextdir;
      rest = path.slice(i + 1);
      i = path.indexOf("/", dir.length + 1);
    }
    const slash = rest.indexOf("/");
    const script = slash === -1 ? rest : rest.slice(0, slash);
    const path_info = slash === -1 ? "" : rest.slice(slash);
    const scriptname = dir + "/" + script;
    const scriptfile = this.translate_path(requote(scriptname));
    let stat: Deno.FileInfo | null = null;
    try {
      if (scriptfile !== null) stat = await Deno.stat(scriptfile);
    } catch {
      // Missing: answered below.
    }
    if (
      scriptfile === null || stat === null || !this.#confined(scriptfile, dir)
    ) {
      this.send_error(
        404,
        `No such CGI script (${repr(scriptname)})`,
      );
      return null;
    }
    if (!stat.isFile) {
      this.send_error(
        403,
        `CGI script is not a plain file (${repr(scriptname)})`,
      );
      return null;
    }
    return { scriptname, scriptfile, path_info, query };
  }

  /** The command line that runs the script, or null after a 403. */
  async #command(
    scriptname: string,
    scriptfile: string,
    query: string,
  ): Promise<[string, string[]] | null> {
    // Python passes an ISINDEX query (one without "=") as an argument.
    const decoded_query = query.replaceAll("+", " ");
    const args = decoded_query.includes("=") ? [] : [decoded_query];
    if (DENO_SCRIPT.test(scriptfile)) {
      const tmp = temp_dir();
      return [Deno.execPath(), [
        "run",
        "--quiet",
        "--no-prompt",
        "--no-config",
        "--no-lock",
        "--allow-env",
        `--allow-read=${tmp}`,
        `--allow-write=${tmp}`,
        scriptfile,
        ...args,
      ]];
    }
    if (!(await this.is_executable(scriptfile))) {
      this.send_error(
        403,
        `CGI script is not executable (${repr(scriptname)})`,
      );
      return null;
    }
    return [scriptfile, args];
  }

  /** Feeds the body to the script, relays its output, logs its stderr, enforces the timeout. */
  async #relay(child: Deno.ChildProcess): Promise<void> {
    // The script's output has no length we know: the connection ends it.
    this.close_connection = true;
    const stdout = child.stdout.getReader();
    const stderr = child.stderr.getReader();
    let killed: string | null = null;
    track_group(child);
    const kill = (why: string) => {
      if (killed) return;
      killed = why;
      kill_group(child);
      // A process the script started may hold its pipes open: stop reading.
      stdout.cancel().catch(() => {});
      stderr.cancel().catch(() => {});
    };
    const timer = setTimeout(() => kill("timed out"), this.cgi_timeout * 1000);
    const logging = log_lines(
      stderr,
      (line) => this.log_error("CGI script stderr: %s", line),
    );
    // Not awaited: a slow client's body must not hold up a finished script;
    // a read still pending ends when the connection closes.
    let grace: ReturnType<typeof setTimeout> | undefined;
    void this.#feed(child.stdin).then(() =>
      this.#watch_client(() => {
        if (killed) return;
        grace = setTimeout(
          () => kill("client disconnected"),
          DISCONNECT_GRACE_MS,
        );
      })
    );
    try {
      while (true) {
        const { done, value } = await stdout.read();
        if (done) break;
        await this.wfile.write(value);
        await this.wfile.flush();
      }
    } catch (err) {
      kill("client disconnected");
      throw err;
    } finally {
      const status = await child.status;
      // What the script left running in the background goes with it.
      kill_group(child);
      untrack_group(child);
      await logging;
      clearTimeout(timer);
      clearTimeout(grace);
      if (killed) this.log_error("CGI script killed: %s", killed);
      else if (status.code !== 0) {
        this.log_error("CGI script exit status %d", status.code);
      }
      // Over: a disconnect noticed from now on starts no timer.
      killed ??= "done";
    }
  }

  /** Copies the request body to the script's stdin; a script may stop reading early. */
  async #feed(stdin: WritableStream<Uint8Array>): Promise<void> {
    const writer = stdin.getWriter();
    try {
      for await (const chunk of this.rfile) await writer.write(chunk);
      await writer.close();
    } catch {
      // The script exited or closed stdin: the rest of the body is dropped
      // with the connection.
      await writer.abort().catch(() => {});
    }
  }

  /**
   * Once the body is sent, reads the socket until the client hangs up and
   * then calls `gone`. The response closes the connection, so whatever the
   * client sends meanwhile is not a request to keep.
   */
  async #watch_client(gone: () => void): Promise<void> {
    const buf = new Uint8Array(4096);
    try {
      while ((await this.request.read(buf)) !== null) {
        // Discard: nothing after this request is served on this connection.
      }
    } catch {
      // Reset, or closed by us once the script is done.
    }
    gone();
  }
}

/** Quotes what `translate_path` would decode or cut, so that it maps a decoded path as it is. */
function requote(path: string): string {
  return path.replace(/[%?#]/g, (c) => "%" + c.charCodeAt(0).toString(16));
}

async function is_dir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** `path` with every link followed, or `null` where it does not resolve. */
function real_path(path: string): string | null {
  try {
    return Deno.realPathSync(path);
  } catch {
    return null;
  }
}
