/**
 * Process-group supervision of CGI scripts: a script runs as the leader of
 * its own group (`detached`), so that killing the group reaches every
 * process it started, and groups still running when the server exits are
 * killed with it.
 *
 * @module
 */

/** Process groups of the scripts running now, killed if the server exits. */
const running_groups = new Set<number>();
let unload_hooked = false;

/**
 * Kills a script's process group: the script and every process it started,
 * so that none outlives its request. On Windows, or when `--allow-run`
 * lists programs (`Deno.kill` needs it unrestricted), the script only.
 *
 * @param child The script.
 */
export function kill_group(child: Deno.ChildProcess): void {
  if (Deno.build.os !== "windows") {
    try {
      Deno.kill(-child.pid, "SIGKILL");
      return;
    } catch {
      // Gone already, or not permitted: kill the script itself.
    }
  }
  try {
    child.kill("SIGKILL");
  } catch {
    // Already exited.
  }
}

/**
 * Records a running script's group, to be killed if the server exits
 * before the script does.
 *
 * @param child The script.
 */
export function track_group(child: Deno.ChildProcess): void {
  if (Deno.build.os === "windows") return;
  running_groups.add(child.pid);
  if (!unload_hooked) {
    unload_hooked = true;
    globalThis.addEventListener("unload", () => {
      for (const pgid of running_groups) {
        try {
          Deno.kill(-pgid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    });
  }
}

/**
 * Forgets a script's group once it has been killed after its exit.
 *
 * @param child The script.
 */
export function untrack_group(child: Deno.ChildProcess): void {
  running_groups.delete(child.pid);
}
