// The ceiling of the fetch transport on Deno.serve: a bare fetch handler
// doing only what handler_to_fetch must do at Deno's API (read the URL,
// every request header and whether there is a body; answer with the
// handler's headers and a byte body, from a promise), none of the
// handler's own work. For bench/fetch_transport.ts.
const body = new TextEncoder().encode("Hello, World!");
Deno.serve(
  {
    hostname: "127.0.0.1",
    port: Number(Deno.args[0]),
    onListen: () => console.log("ready"),
  },
  (request) => {
    let size = request.url.length + (request.body === null ? 0 : 1);
    for (const [name, value] of request.headers) {
      size += name.length + value.length;
    }
    const response = new Response(body.slice(), {
      status: size > 0 ? 200 : 500,
      statusText: "OK",
      headers: [
        ["Server", `BaseHTTP/0.6 Deno/${Deno.version.deno}`],
        ["Content-Type", "text/plain"],
      ],
    });
    return Promise.resolve(response);
  },
);
