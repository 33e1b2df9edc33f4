import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A request's deadline, carried through its async work so that the store can bound every call (retries
 * included) without each layer passing it along. A nested deadline never outlives the one around it
 * (a `$batch` item keeps its batch's).
 */
export interface Deadline {
  /** Epoch milliseconds. */
  at: number;
  /** Aborts at `at`, with a `TimeoutError` as `AbortSignal.timeout` would. */
  signal: AbortSignal;
}

const current = new AsyncLocalStorage<Deadline>();

/**
 * Runs `work` within `ms` (or the deadline around it, if that ends first). The timer is cleared once `work`
 * settles: `AbortSignal.timeout` would keep a signal and a timer alive for the whole `ms` after every
 * request, which under load is thousands of each, and their collection, per second. The timer does not keep
 * the process alive.
 */
export async function withDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const outer = current.getStore();
  const at = Date.now() + ms;
  // Inside a deadline that ends first (a `$batch` item), the outer one is the item's: nothing new to arm.
  if (outer && outer.at <= at) return work();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  timer.unref();
  try {
    return await current.run({ at, signal: controller.signal }, work);
  } finally {
    clearTimeout(timer);
  }
}

export const currentDeadline = (): Deadline | undefined => current.getStore();
