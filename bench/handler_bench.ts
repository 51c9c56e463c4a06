/**
 * The per-request cost of our own code, without the network: `deno bench
 * bench/handler_bench.ts`. A handler serves requests read from an in-memory
 * connection (each read returns one request, each write is discarded), so
 * the figure is parsing, dispatch and response building alone.
 */
import { HTTPServer } from "../mod.ts";
import { Hello } from "./_hello_handler.ts";

const request = new TextEncoder().encode(
  "GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n",
);
/** A connection that delivers `count` requests, one a read, then ends. */
function memory_conn(count: number): Deno.Conn {
  let left = count;
  const addr = { transport: "tcp", hostname: "127.0.0.1", port: 1 } as const;
  return {
    localAddr: addr,
    remoteAddr: addr,
    rid: 0,
    read(p: Uint8Array): Promise<number | null> {
      if (left-- <= 0) return Promise.resolve(null);
      p.set(request);
      return Promise.resolve(request.length);
    },
    write(p: Uint8Array): Promise<number> {
      return Promise.resolve(p.length);
    },
    close(): void {},
    closeWrite(): Promise<void> {
      return Promise.resolve();
    },
    ref(): void {},
    unref(): void {},
    setNoDelay(): void {},
    setKeepAlive(): void {},
    readable: new ReadableStream(),
    writable: new WritableStream(),
    [Symbol.dispose](): void {},
  } as unknown as Deno.Conn;
}

const server = new HTTPServer(["127.0.0.1", 0], Hello, false);
const N = 1000;

Deno.bench(`hello world: ${N} keep-alive requests`, async () => {
  const handler = new Hello(memory_conn(N), ["127.0.0.1", 1], server);
  await handler.handle();
});
