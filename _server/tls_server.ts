/**
 * `HTTPSServer` and `ThreadingHTTPSServer` (Python 3.14) on
 * `Deno.listenTls`.
 *
 * @module
 */

import {
  HTTPServer,
  type HTTPServerOptions,
  type RequestHandlerClass,
} from "./server.ts";
import { process_concurrently } from "./threading.ts";
import { decrypt_key } from "./tls_key.ts";

/** The certificate options of {@linkcode HTTPSServer}, Python's names. */
export interface HTTPSServerOptions extends HTTPServerOptions {
  /** Path of the certificate chain (PEM); it may hold the key as well. */
  certfile: string;
  /** Path of the private key (PEM); by default it is read from `certfile`. */
  keyfile?: string;
  /** ALPN protocols to offer, such as `["http/1.1"]`. */
  alpn_protocols?: string[];
  /**
   * The password of an encrypted key (Python 3.14's `password`); the key is
   * decrypted in memory when the server is made.
   */
  password?: string;
}

/**
 * An {@linkcode HTTPServer} over TLS, as Python 3.14's
 * `http.server.HTTPSServer`. The certificate and key files are read when the
 * server is made, so a missing or unreadable file fails at once.
 *
 * @example
 * ```ts ignore
 * import { HTTPSServer, SimpleHTTPRequestHandler } from "../mod.ts";
 *
 * const server = new HTTPSServer(["", 8443], SimpleHTTPRequestHandler, true, {
 *   certfile: "cert.pem",
 *   keyfile: "key.pem",
 * });
 * await server.serve_forever();
 * ```
 */
export class HTTPSServer extends HTTPServer {
  #cert: string;
  #key: string;
  #alpn: string[] | undefined;

  /**
   * Makes a TLS server and, unless told not to, binds it.
   *
   * @param server_address `[host, port]`.
   * @param RequestHandlerClass The handler class.
   * @param bind_and_activate Whether to bind now.
   * @param options The certificate and key files, and the server options.
   */
  constructor(
    server_address: [string, number],
    RequestHandlerClass: RequestHandlerClass,
    bind_and_activate = true,
    options: HTTPSServerOptions,
  ) {
    // Bind only once the certificate is read: the base class would call
    // listen() before this constructor could set it.
    super(server_address, RequestHandlerClass, false, options);
    this.#cert = Deno.readTextFileSync(options.certfile);
    const key = Deno.readTextFileSync(options.keyfile ?? options.certfile);
    this.#key = options.password === undefined
      ? key
      : decrypt_key(key, options.password);
    this.#alpn = options.alpn_protocols;
    if (bind_and_activate) {
      this.server_bind();
      this.server_activate();
    }
  }

  /**
   * Opens the listening socket with `Deno.listenTls`.
   *
   * @param hostname The address to listen on.
   * @param port The port.
   * @param reuse_port Whether other threads will accept on the port too.
   * @returns The listener.
   */
  protected override listen(
    hostname: string,
    port: number,
    reuse_port: boolean,
  ): Deno.Listener {
    return Deno.listenTls({
      hostname,
      port,
      cert: this.#cert,
      key: this.#key,
      ...(this.#alpn ? { alpnProtocols: this.#alpn } : {}),
      ...(reuse_port ? { reusePort: true } : {}),
    });
  }
}

/**
 * An {@linkcode HTTPSServer} that serves connections concurrently, as
 * Python 3.14's `http.server.ThreadingHTTPSServer`.
 *
 * @example
 * ```ts ignore
 * import { SimpleHTTPRequestHandler, ThreadingHTTPSServer } from "../mod.ts";
 *
 * const server = new ThreadingHTTPSServer(["", 8443], SimpleHTTPRequestHandler, true, {
 *   certfile: "cert.pem",
 *   keyfile: "key.pem",
 * });
 * await server.serve_forever();
 * ```
 */
// Overrides process_request() itself rather than extending
// `ThreadingMixIn(HTTPSServer)`, for `deno doc --lint` (see ThreadingHTTPServer).
export class ThreadingHTTPSServer extends HTTPSServer {
  /**
   * Serves the connection in a task of its own and returns at once.
   *
   * @param request The socket.
   * @param client_address The client's `[host, port]`.
   * @returns At once.
   */
  override process_request(
    request: Deno.Conn,
    client_address: [string, number],
  ): Promise<void> {
    return process_concurrently(this, HTTPSServer, request, client_address);
  }
}
