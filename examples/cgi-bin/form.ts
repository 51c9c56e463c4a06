/**
 * A CGI script in the classic shape: `FieldStorage.from()` with no
 * arguments reads the form from the CGI environment (`REQUEST_METHOD`,
 * `QUERY_STRING`, `CONTENT_TYPE`, `CONTENT_LENGTH`) and the request body on
 * stdin, and the script prints its headers, a blank line and the page.
 *
 *     deno task serve --cgi -d examples
 *     curl 'http://127.0.0.1:8000/cgi-bin/form.ts?name=Ada&lang=ts'
 *     curl http://127.0.0.1:8000/cgi-bin/form.ts -F name=Ada -F datafile=@README.md
 *
 * The server runs it with the running Deno and only the permissions a CGI
 * script needs: `--allow-env`, and `--allow-read`/`--allow-write` on the
 * temporary directory, where uploads larger than 16 KiB are spooled.
 *
 * @module
 */

import { FieldStorage, FormParseError } from "../../cgi.ts";

const out: string[] = [];
let form: FieldStorage | null = null;
try {
  form = await FieldStorage.from();
} catch (err) {
  // The status line is already sent: say what went wrong in the page.
  if (!(err instanceof FormParseError)) throw err;
  out.push(`Bad form data: ${err.message}`);
}
if (form) {
  const env = Deno.env.toObject();
  out.push(
    `Method: ${env.REQUEST_METHOD}`,
    `Script: ${env.SCRIPT_NAME}`,
    `Query: ${env.QUERY_STRING}`,
    "Form data:",
  );
  try {
    for (const name of form.keys()) {
      const items = form.get(name);
      for (const item of Array.isArray(items) ? items : [items]) {
        if (item instanceof FieldStorage && item.filename !== null) {
          // An uploaded file: counted, not printed.
          out.push(
            `\tUploaded ${name} as '${item.filename}' (${
              item.file?.size ?? 0
            } bytes, ${item.type})`,
          );
        } else {
          out.push(`\t${name}=${item?.value}`);
        }
      }
    }
  } finally {
    form.close();
  }
}
const page = new TextEncoder().encode(out.join("\n") + "\n");
const head = "Content-Type: text/plain; charset=utf-8\r\n" +
  `Content-Length: ${page.length}\r\n\r\n`;
await new Blob([head, page]).stream().pipeTo(Deno.stdout.writable);
