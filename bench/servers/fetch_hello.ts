// The hello handler class through the fetch transport on Deno.serve.
import { handler_to_fetch } from "../../mod.ts";
import { Hello } from "../_hello_handler.ts";

Deno.serve(
  {
    hostname: "127.0.0.1",
    port: Number(Deno.args[0]),
    onListen: () => console.log("ready"),
  },
  handler_to_fetch(Hello),
);
