/**
 * A request's deadline, which bounds every store call it makes (retries included). A nested deadline never
 * outlives the one around it (a `$batch` item keeps its batch's).
 */
export interface Deadline {
  /** Epoch milliseconds. */
  at: number;
  /** Aborts at `at`, with a `TimeoutError` as `AbortSignal.timeout` would. */
  signal: AbortSignal;
}

/**
 * What every directory and store call is given first: the tenant whose partition it stays in, and the
 * deadline of the request it serves (none: unbounded, as in the domain's own tests). It is passed along
 * rather than kept in an `AsyncLocalStorage`, whose promise hooks, once enabled, tax every promise in the
 * process (the SDK's and the embedded server's included).
 */
export interface Scope {
  readonly tenantId: string;
  readonly deadline?: Deadline;
}

/**
 * Runs `work` with a deadline `ms` from now, or with `outer` when that ends first. The timer is cleared once
 * `work` settles: `AbortSignal.timeout` would keep a signal and a timer alive for the whole `ms` after every
 * request, which under load is thousands of each, and their collection, per second. The timer does not keep
 * the process alive.
 */
export async function withDeadline<T>(ms: number, outer: Deadline | undefined, work: (deadline: Deadline) => Promise<T>): Promise<T> {
  const at = Date.now() + ms;
  // Inside a deadline that ends first (a `$batch` item), the outer one is the item's: nothing new to arm.
  if (outer && outer.at <= at) return work(outer);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  timer.unref();
  try {
    return await work({ at, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}
