/**
 * `Atomics.waitAsync` for the consumers of SpscRing and Doorbell. It ships in Node 20 (V8 ≥ 8.7)
 * but is only typed from lib ES2024. A pending waitAsync does not keep Node's event loop alive
 * (its timeout is an unref'd platform task); a ref'd timer held until it settles does, so a
 * thread whose only work is waiting here does not exit under the await.
 */
type WaitAsyncResult =
  | { async: false; value: "not-equal" | "timed-out" }
  | { async: true; value: Promise<"ok" | "timed-out"> };
type WaitAsyncFn = (view: Int32Array, index: number, value: number, timeoutMs?: number) => WaitAsyncResult;

const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsyncFn }).waitAsync;
const MAX_TIMER_MS = 0x7fffffff;
const noop = (): void => {};

/** Waits on the event loop until `view[index]` is no longer `value` (or is notified), or timeout. */
export async function waitWhileEqual(
  view: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
): Promise<void> {
  if (waitAsync === undefined) throw new Error("Atomics.waitAsync is not available in this runtime");
  const result = waitAsync(view, index, value, timeoutMs);
  if (!result.async) return;
  const keepAlive = setTimeout(noop, MAX_TIMER_MS);
  try {
    await result.value;
  } finally {
    clearTimeout(keepAlive);
  }
}
