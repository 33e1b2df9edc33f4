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

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string = `store: ${kind}`,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
