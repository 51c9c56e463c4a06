// The Node-style peer of bench/compress.ts: node:http, each GET answered with
// the file piped through node:zlib's createGzip (level 6, the default), as an
// Express compression() middleware does. `node node_gzip.mjs FILE PORT`.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { createGzip } from "node:zlib";

const [file, port] = process.argv.slice(2);
createServer((_req, res) => {
  res.writeHead(200, {
    "Content-Type": "text/javascript; charset=UTF-8",
    "Content-Encoding": "gzip",
    "Vary": "Accept-Encoding",
  });
  createReadStream(file).pipe(createGzip()).pipe(res);
}).listen(Number(port), "127.0.0.1", () => console.log("ready"));
