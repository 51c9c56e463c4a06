// The reference: Deno's built-in HTTP server with the same response.
Deno.serve(
  {
    hostname: "127.0.0.1",
    port: Number(Deno.args[0]),
    onListen: () => console.log("ready"),
  },
  () =>
    new Response("Hello, World!", {
      headers: { "Content-Type": "text/plain" },
    }),
);
