/**
 * `examples/post.ts` without its 64 MiB body limit, for
 * `bench/upload_compare.ts`: the same parser and spooling, any size.
 *
 * @module
 */

import { HTTPServer } from "../../mod.ts";
import { PostHandler } from "../../examples/post.ts";

class Unlimited extends PostHandler {
  override form_options = { max_num_fields: 1000 };
  override log_message(): void {}
}

const server = new HTTPServer(["127.0.0.1", 0], Unlimited);
console.log(`Serving on port ${server.server_port} `);
await server.serve_forever();
