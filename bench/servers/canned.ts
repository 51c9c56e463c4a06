// The ceiling of this design: Deno.listen answering every request with the
// same bytes. It parses nothing but the end of each request head and a
// `Connection: close` in it (then it answers and closes, as a server must).
const encoder = new TextEncoder();
const response = encoder.encode(
  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!",
);
const closing = encoder.encode(
  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!",
);
const decoder = new TextDecoder();

async function serve(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const buf = new Uint8Array(16384);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      const text = decoder.decode(buf.subarray(0, n));
      const heads = text.split("\r\n\r\n").length - 1;
      if (/\r\nconnection:\s*close/i.test(text)) {
        await conn.write(closing);
        break;
      }
      for (let i = 0; i < heads; i++) await conn.write(response);
    }
  } catch {
    // client went away
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

const listener = Deno.listen({
  hostname: "127.0.0.1",
  port: Number(Deno.args[0]),
});
console.log("ready");
for await (const conn of listener) serve(conn);
