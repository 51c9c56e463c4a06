/**
 * Serving on every core: worker threads that run the program again and
 * accept on the same port (`SO_REUSEPORT`), the Deno form of Python's
 * `ForkingMixIn`.
 *
 * @module
 */

const NAME_PREFIX = "http.server worker ";
const MIN_RESTART_MS = 100;
const MAX_RESTART_MS = 5000;

/** What a worker thread started by a server knows of its role. */
export interface WorkerRole {
  /** The port the main thread bound, to bind again with `reusePort`. */
  port: number;
  /** 1 to N-1 (the main thread is 0). */
  index: number;
}

/**
 * The role of this thread when a server's worker pool started it, else
 * `null`. It travels in the worker's name, the only thing a worker knows
 * before its module runs.
 */
export function worker_role(): WorkerRole | null {
  const scope = globalThis as { name?: unknown; WorkerGlobalScope?: unknown };
  if (scope.WorkerGlobalScope === undefined) return null;
  const name = scope.name;
  if (typeof name !== "string" || !name.startsWith(NAME_PREFIX)) return null;
  return JSON.parse(name.slice(NAME_PREFIX.length)) as WorkerRole;
}

/** Tells the main thread that this worker has stopped serving. */
export function report_stopped(): void {
  (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(
    "stopped",
  );
}

/** Calls `stop` when the main thread asks this worker to shut down. */
export function on_shutdown_request(stop: () => void): void {
  globalThis.addEventListener("message", (event) => {
    if ((event as MessageEvent).data === "shutdown") stop();
  });
}

/**
 * The worker threads of one server: started with the program's main module,
 * restarted when one dies, shut down with the server.
 */
export class WorkerPool {
  #module: string;
  #port: number;
  #log: (message: string) => void;
  #workers = new Map<number, Worker>();
  #stopping = false;
  #restart_ms = new Map<number, number>();

  /**
   * @param module The module each worker runs (the main module).
   * @param port The port the workers bind again.
   * @param log Where to report deaths and restarts.
   */
  constructor(module: string, port: number, log: (message: string) => void) {
    this.#module = module;
    this.#port = port;
    this.#log = log;
  }

  /** Starts workers 1 to `count - 1`. */
  start(count: number): void {
    for (let index = 1; index < count; index++) this.#spawn(index);
  }

  #spawn(index: number): void {
    const role: WorkerRole = { port: this.#port, index };
    const worker = new Worker(this.#module, {
      type: "module",
      name: NAME_PREFIX + JSON.stringify(role),
    });
    this.#workers.set(index, worker);
    worker.addEventListener("error", (event) => {
      // Keep the main thread alive: a dead worker is replaced.
      event.preventDefault();
      worker.terminate();
      this.#workers.delete(index);
      if (this.#stopping) return;
      const delay = Math.min(
        MAX_RESTART_MS,
        (this.#restart_ms.get(index) ?? MIN_RESTART_MS / 2) * 2,
      );
      this.#restart_ms.set(index, delay);
      this.#log(
        `Worker ${index} died (${event.message}); restarting in ${delay} ms`,
      );
      setTimeout(() => {
        if (!this.#stopping) this.#spawn(index);
      }, delay);
    });
  }

  /**
   * Asks every worker to shut down and waits up to `timeout_ms` for each to
   * report that it stopped, then terminates them.
   */
  async stop(timeout_ms: number): Promise<void> {
    this.#stopping = true;
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    await Promise.all(workers.map((worker) => {
      const { promise, resolve } = Promise.withResolvers<void>();
      const timer = setTimeout(resolve, timeout_ms);
      worker.addEventListener("message", (event) => {
        if (event.data === "stopped") resolve();
      });
      worker.postMessage("shutdown");
      return promise.finally(() => {
        clearTimeout(timer);
        worker.terminate();
      });
    }));
  }
}
