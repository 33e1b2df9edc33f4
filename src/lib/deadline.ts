import { setMaxListeners } from 'node:events';
import type { Actor } from './actor.js';

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
 * What every directory and store call is given first: the tenant whose partition it stays in, the
 * deadline of the request it serves (none: unbounded, as in the domain's own tests), and who asked (what
 * the audit record of a change names; none for reads). It is passed along
 * rather than kept in an `AsyncLocalStorage`, whose promise hooks, once enabled, tax every promise in the
 * process (the SDK's and the embedded server's included).
 */
export interface Scope {
  readonly tenantId: string;
  readonly deadline?: Deadline;
  readonly actor?: Actor;
}

/**
 * Deadlines are rounded up to a tick, and every request whose deadline falls in the same tick shares one
 * signal and one timer: a signal and a timer of its own for every request (`AbortSignal.timeout`, or a
 * controller cleared when the work settles) would be thousands of each per second under load, and their
 * collection. A deadline fires at most one tick late; the tick is a small share of any deadline.
 */
const TICK_SHARE = 20;
const MAX_TICK_MS = 100;
const ticks = new Map<number, AbortSignal>();

function signalAt(at: number, tickMs: number): { at: number; signal: AbortSignal } {
  const end = Math.ceil(at / tickMs) * tickMs;
  let signal = ticks.get(end);
  if (signal === undefined) {
    const controller = new AbortController();
    signal = controller.signal;
    // Every call in flight for these requests listens (the SDK adds a listener per attempt and removes it
    // when the attempt ends): many at once is the design, not a leak.
    setMaxListeners(0, signal);
    ticks.set(end, signal);
    const timer = setTimeout(() => {
      ticks.delete(end);
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, end - Date.now());
    // A deadline never keeps the process alive.
    timer.unref();
  }
  return { at: end, signal };
}

/** Runs `work` with a deadline `ms` from now, or with `outer` when that ends first. */
export function withDeadline<T>(ms: number, outer: Deadline | undefined, work: (deadline: Deadline) => Promise<T>): Promise<T> {
  const at = Date.now() + ms;
  // Inside a deadline that ends first (a `$batch` item), the outer one is the item's: nothing new to arm.
  if (outer && outer.at <= at) return work(outer);
  return work(signalAt(at, Math.max(1, Math.min(MAX_TICK_MS, Math.floor(ms / TICK_SHARE)))));
}
