// Hello world on ThreadingHTTPServer, for bench/hello.ts.
import { ThreadingHTTPServer } from "../../mod.ts";
import { Hello } from "../_hello_handler.ts";

const server = new ThreadingHTTPServer(
  ["127.0.0.1", Number(Deno.args[0])],
  Hello,
);
console.log("ready");
await server.serve_forever();
