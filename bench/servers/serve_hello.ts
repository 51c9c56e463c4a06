// The hello handler class as `deno serve`'s default export.
import { handler_to_fetch } from "../../mod.ts";
import { Hello } from "../_hello_handler.ts";

export default {
  fetch: handler_to_fetch(Hello),
} satisfies Deno.ServeDefaultExport;
