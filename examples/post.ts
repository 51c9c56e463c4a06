/**
 * The spec's POST server: parses a form with `FieldStorage` and echoes it.
 * Uploaded files are spooled to disk, so a 1 GiB upload does not grow the
 * process; their size is counted while parsing. A body over 64 MiB
 * (`form_options.limit`) is refused with 413, a form nested or counted past
 * the parser's other limits with 400, so the server a user copies is
 * bounded.
 *
 *     deno run --allow-net --allow-read --allow-write examples/post.ts [port]
 *     curl http://127.0.0.1:8081/ -F name=alvin -F foo=bar -F datafile=@examples/get.ts
 *
 * @module
 */

import { BaseHTTPRequestHandler, HTTPServer } from "../mod.ts";
import {
  FieldStorage,
  FormLimitError,
  FormParseError,
  type RequestOptions,
} from "../cgi.ts";

/**
 * Python's `str()` of a field value: text as it is, bytes (a part with an
 * empty filename) as their `repr`, such as `b''` or `b'a\x00'`.
 */
function py_str(value: unknown): string {
  if (!(value instanceof Uint8Array)) return String(value);
  // Python quotes with " when the bytes hold a ' and no ".
  const quote = value.includes(0x27) && !value.includes(0x22) ? '"' : "'";
  let out = "b" + quote;
  for (const byte of value) {
    const c = String.fromCharCode(byte);
    if (c === "\\" || c === quote) out += "\\" + c;
    else if (c === "\t") out += "\\t";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (byte >= 0x20 && byte < 0x7f) out += c;
    else out += "\\x" + byte.toString(16).padStart(2, "0");
  }
  return out + quote;
}

/** Answers every POST with what the form held. */
export class PostHandler extends BaseHTTPRequestHandler {
  /**
   * The class that parses the form: a subclass of `FieldStorage` can change
   * where uploads are spooled (`make_file()`) and its size limits.
   */
  form_class: typeof FieldStorage = FieldStorage;
  /**
   * Options of `FieldStorage.from()`: parsing rules and limits. A body over
   * `limit` bytes gets a 413 (Python's example has no limit); a form with
   * more than `max_num_fields` fields gets a 400.
   */
  form_options: RequestOptions = {
    max_num_fields: 1000,
    limit: 64 * 1024 * 1024,
  };
  /** The longest field value echoed; a longer one is shown as its size. */
  max_echo_bytes: number = 64 * 1024;

  /** Parses the form and describes it. */
  async do_POST(): Promise<void> {
    let form: FieldStorage;
    try {
      form = await this.form_class.from({
        ...this.form_options,
        fp: this.rfile,
        headers: this.headers,
        environ: {
          REQUEST_METHOD: "POST",
          CONTENT_TYPE: this.headers.get("Content-Type"),
        },
      });
    } catch (err) {
      if (err instanceof FormLimitError && err.kind === "limit") {
        // RFC 9110 section 15.5.14: the body is larger than we accept.
        this.send_error(413, "Upload too large", err.message);
        return;
      }
      // A body that is not a form, or one cut short: say so, with a 400.
      if (!(err instanceof FormParseError)) throw err;
      this.send_error(400, "Bad form data", err.message);
      return;
    }
    try {
      this.send_response(200);
      this.send_header("Content-Type", "text/plain; charset=utf-8");
      this.end_headers();
      const [host, port] = this.client_address;
      const out = [
        `Client: ('${host}', ${port})`,
        // Python prints None for a missing header.
        `User-agent: ${this.headers.get("user-agent", "None")}`,
        `Path: ${this.path}`,
        "Form data:",
      ];
      // Echo back information about what was posted in the form; a name sent
      // more than once gives one line per value.
      for (const field of form.keys()) {
        const items = form.get(field);
        for (const field_item of Array.isArray(items) ? items : [items]) {
          // Python tests `if field_item.filename:`, so a file input left
          // empty (`filename=""`) is printed as a value, not an upload.
          if (field_item instanceof FieldStorage && field_item.filename) {
            // The field contains an uploaded file, counted, not read.
            out.push(
              `\tUploaded ${field} as '${field_item.filename}' (${
                field_item.file?.size ?? 0
              } bytes)`,
            );
          } else if ((field_item?.file?.size ?? 0) > this.max_echo_bytes) {
            // Python echoes any value; reading a huge one into memory would
            // let one request grow the server by its size.
            out.push(
              `\t${field}=<${field_item?.file?.size} bytes, not shown>`,
            );
          } else {
            out.push(`\t${field}=${py_str(field_item?.value)}`);
          }
        }
      }
      await this.wfile.write(out.join("\n") + "\n");
    } finally {
      form.close();
    }
  }
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8081);
  const server = new HTTPServer(["127.0.0.1", port], PostHandler);
  console.log("Starting server, use <Ctrl-C> to stop");
  Deno.addSignalListener("SIGINT", () => server.shutdown());
  await server.serve_forever();
  server.server_close();
  Deno.exit(0);
}
