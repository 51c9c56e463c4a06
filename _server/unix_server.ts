/**
 * Unix domain sockets for `HTTPServer`: a `unix:/path` address, the stale
 * socket of a crashed run replaced only when nothing listens on it, and the
 * file removed when the server closes.
 *
 * @module
 */

/** The prefix that makes a server address a Unix socket path. */
export const UNIX_PREFIX = "unix:";

/**
 * The socket path of a `unix:/path` address, or `null` for a host name.
 *
 * @example
 * ```ts
 * import { unix_path } from "./unix_server.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(unix_path("unix:/run/app.sock"), "/run/app.sock");
 * assert.equal(unix_path("127.0.0.1"), null);
 * ```
 *
 * @param host The host part of a server address.
 * @returns The path, or `null`.
 */
export function unix_path(host: string): string | null {
  return host.startsWith(UNIX_PREFIX) ? host.slice(UNIX_PREFIX.length) : null;
}

/**
 * Listens on a Unix socket. A file already at `path` is an error here
 * (`AddrInUse`): {@linkcode clear_stale_socket} first decides whether it is
 * a dead socket that may go.
 *
 * @param path The socket path.
 * @returns The listener.
 */
export function listen_unix(path: string): Deno.Listener {
  try {
    return Deno.listen({ transport: "unix", path });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(
        `Cannot listen on unix:${path}: the file exists (await clear_stale_socket(path) replaces a stale socket nobody listens on)`,
      );
    }
    throw err;
  }
}

/**
 * Removes the socket file a crashed server left at `path`, but only when it
 * is a socket and nothing accepts on it (a connection attempt is refused):
 * a live server's socket, or a file that is not a socket, is left alone
 * and reported as `AddrInUse`.
 *
 * @example
 * ```ts
 * import { clear_stale_socket } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * const live = Deno.listen({ transport: "unix", path: `${dir}/s.sock` });
 * await assert.rejects(clear_stale_socket(`${dir}/s.sock`), Deno.errors.AddrInUse);
 * live.close();
 * assert.equal(await clear_stale_socket(`${dir}/none.sock`), false);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @param path The socket path.
 * @returns Whether a stale socket was removed.
 * @throws {Deno.errors.AddrInUse} When something listens there or the file is not a socket.
 */
export async function clear_stale_socket(path: string): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
  if (!info.isSocket) {
    throw new Deno.errors.AddrInUse(
      `Cannot listen on unix:${path}: the file exists and is not a socket`,
    );
  }
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    conn.close();
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) {
      await Deno.remove(path);
      return true;
    }
    throw err;
  }
  throw new Deno.errors.AddrInUse(
    `Cannot listen on unix:${path}: a server is listening there`,
  );
}

const removed = new WeakSet<Deno.Listener>();

/**
 * Removes the socket file of a closed Unix listener; other listeners and a
 * file already gone are left alone.
 *
 * @param listener The server's listener.
 */
export function remove_socket_file(listener: Deno.Listener | null): void {
  if (listener === null || removed.has(listener)) return;
  const addr = listener.addr;
  if (addr.transport !== "unix" || !addr.path) return;
  // Once: a later server may have bound the same path since.
  removed.add(listener);
  try {
    Deno.removeSync(addr.path);
  } catch {
    // Already removed, or not ours to remove any more.
  }
}

/**
 * `[host, port]` of a peer: a TCP peer's address, or `["", 0]` for a Unix
 * socket's client (Python's `UnixStreamServer` gives `''`).
 *
 * @param addr The peer's address.
 * @returns The client address.
 */
export function client_address_of(addr: Deno.Addr): [string, number] {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return [addr.hostname, addr.port];
  }
  return ["", 0];
}
