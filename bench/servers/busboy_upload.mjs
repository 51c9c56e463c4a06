// The Node peer of bench/upload_compare.ts: a node:http server that parses
// each POSTed form with busboy and writes its file parts to a temporary file
// in TMPDIR (a fs.createWriteStream, as busboy's README does), deleted once
// written, then answers with the byte count, as examples/post.ts does.
//
//     TMPDIR=DIR node bench/servers/busboy_upload.mjs
//
// Prints "port N" once listening. busboy comes from bench/node_modules
// (cd bench && npm install).

import { createRequire } from "node:module";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";

const busboy = createRequire(import.meta.url)("busboy");
let count = 0;

const server = http.createServer((req, res) => {
  const bb = busboy({ headers: req.headers });
  const written = [];
  bb.on("file", (name, stream, info) => {
    const file = path.join(os.tmpdir(), `busboy_${process.pid}_${count++}`);
    const out = fs.createWriteStream(file);
    stream.pipe(out);
    written.push(
      once(out, "finish").then(() => {
        fs.unlinkSync(file);
        return `\tUploaded ${name} as '${info.filename}' (${out.bytesWritten} bytes)`;
      }),
    );
  });
  bb.on("field", () => {});
  bb.on("close", async () => {
    const lines = await Promise.all(written);
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(lines.join("\n") + "\n");
  });
  req.pipe(bb);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`port ${server.address().port}`);
});
