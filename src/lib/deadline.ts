import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A request's deadline, carried through its async work so that the store can bound every call (retries
 * included) without each layer passing it along. A nested deadline never outlives the one around it
 * (a `$batch` item keeps its batch's).
 */
export interface Deadline {
  /** Epoch milliseconds. */
  at: number;
  /** Aborts at `at`. */
  signal: AbortSignal;
}

const current = new AsyncLocalStorage<Deadline>();

export function withDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const outer = current.getStore();
  const at = Math.min(Date.now() + ms, outer?.at ?? Infinity);
  // AbortSignal.timeout's timer does not keep the process alive.
  return current.run({ at, signal: AbortSignal.timeout(Math.max(0, at - Date.now())) }, work);
}

export const currentDeadline = (): Deadline | undefined => current.getStore();
