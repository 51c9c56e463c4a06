// The equivalent of examples/get.ts on Deno.serve, for bench/hello.ts: the
// same text from the same request values.
const encoder = new TextEncoder();
Deno.serve(
  {
    hostname: "127.0.0.1",
    port: Number(Deno.args[0]),
    onListen: () => console.log("ready"),
  },
  (req, info) => {
    const url = new URL(req.url);
    const addr = info.remoteAddr as Deno.NetAddr;
    const lines = [
      "CLIENT VALUES:",
      `client_address=('${addr.hostname}', ${addr.port}) (${addr.hostname})`,
      `command=${req.method}`,
      `path=${url.pathname}${url.search}`,
      `real path=${url.pathname}`,
      `query=${url.search.slice(1)}`,
      "request_version=HTTP/1.1",
      "",
      "SERVER VALUES:",
      "server_version=BaseHTTP/0.6",
      `sys_version=Deno/${Deno.version.deno}`,
      "protocol_version=HTTP/1.0",
      "",
      "HEADERS RECEIVED:",
    ];
    for (
      const [name, value] of [...req.headers].sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0
      )
    ) {
      lines.push(`${name}=${value.trimEnd()}`);
    }
    lines.push("");
    return new Response(encoder.encode(lines.join("\r\n")), {
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  },
);
