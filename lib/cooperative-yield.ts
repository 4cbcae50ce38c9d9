/**
 * Long CPU-bound work on the event loop (certifying a crafted image is mostly cache hits and
 * parsing, which never wait for I/O) must still let timers, heartbeats, sockets and the other
 * activities of the worker run. Such work awaits `yieldIfBusy()` in its loops: it yields a turn
 * (setImmediate) once the loop has been held for a slice, and costs a clock read otherwise.
 */

/** Longest the loop is held between turns; well under the ~200 ms a worker must answer within. */
export const SLICE_MS = 20;

let resumedAt = performance.now();

export async function yieldIfBusy(): Promise<void> {
  if (performance.now() - resumedAt < SLICE_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  resumedAt = performance.now();
}
