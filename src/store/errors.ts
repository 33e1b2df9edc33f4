/**
 * The store's failures, in its own words; nothing above `store/` sees a Cosmos status or message.
 * - exists: a create met a document with the same id;
 * - changed: an If-Match lost to a concurrent writer;
 * - missing: the document to change is gone;
 * - throttled: the account refused the request for now (429), `retryAfterMs` from Cosmos;
 * - unavailable: the account could not be reached or answered 503/410/timeout;
 * - invalid: a query the store will not run (e.g. too deeply nested).
 */
export type StoreErrorKind = 'exists' | 'changed' | 'missing' | 'throttled' | 'unavailable' | 'invalid';

export interface StoreErrorOptions {
  /** What Cosmos (or the network) said, for logs; never shown to callers. */
  cause?: unknown;
  /**
   * The request may have been carried out although its answer was lost (a reset after sending, a timeout,
   * a 408/500/503): a write that fails so must be checked before it is reported or retried.
   */
  uncertain?: boolean;
  /** The service stopped waiting (timeout, deadline) while the request may still be on its way to Cosmos. */
  abandoned?: boolean;
}

export class StoreError extends Error {
  readonly uncertain: boolean;
  readonly abandoned: boolean;

  constructor(
    readonly kind: StoreErrorKind,
    message: string = `store: ${kind}`,
    readonly retryAfterMs?: number,
    options: StoreErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.uncertain = options.uncertain ?? false;
    this.abandoned = options.abandoned ?? false;
  }
}
