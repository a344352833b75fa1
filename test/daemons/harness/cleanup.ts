/**
 * Stops for everything the harness started, run by `MailSystem.stop()` (afterAll) and, if the process ends
 * without it (a crash, Ctrl-C, a worker torn down), by exit and signal handlers. Stops must be synchronous so
 * they also work inside a process `exit` handler.
 */
type Stop = () => void;

const pending = new Map<number, Stop>();
let nextId = 1;
let installed = false;

function runAll(): void {
  for (const [id, stop] of [...pending].reverse()) {
    pending.delete(id);
    try {
      stop();
    } catch {
      // best effort: the next stop must still run
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once("exit", runAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      runAll();
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
}

/** Registers a stop; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(stop: Stop): () => void {
  install();
  const id = nextId++;
  pending.set(id, stop);
  return () => {
    if (!pending.delete(id)) return;
    stop();
  };
}
