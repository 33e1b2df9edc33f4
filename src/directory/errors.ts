/**
 * The domain's refusals, in its own words. `graph/endpoint.ts` maps them to Graph errors; nothing here
 * knows HTTP statuses or Graph's wording.
 */
import { StoreError } from '../store/errors.js';

export type Entity = 'connectorGroup' | 'connector' | 'application' | 'onPremisesPublishingProfile';

export type DomainFailure =
  /** The entity does not exist in the caller's tenant. */
  | { kind: 'notFound'; entity: Entity }
  /** The change breaks a rule of the directory (`message` says which). */
  | { kind: 'conflict'; message: string }
  /** An object with this id exists already. */
  | { kind: 'exists'; id: string }
  /** The caller's If-Match no longer holds. */
  | { kind: 'preconditionFailed' }
  /** The request cannot be served now; retrying later may succeed. `throttled`: the database asked us to slow down. */
  | { kind: 'busy'; retryAfterSeconds: number; throttled: boolean }
  /** The request itself is wrong (`message` says how). */
  | { kind: 'invalid'; message: string };

export class DomainError extends Error {
  constructor(readonly failure: DomainFailure) {
    super(`directory: ${failure.kind}`);
    this.name = 'DomainError';
  }
}

export const notFound = (entity: Entity) => new DomainError({ kind: 'notFound', entity });
export const conflict = (message: string) => new DomainError({ kind: 'conflict', message });
export const exists = (id: string) => new DomainError({ kind: 'exists', id });
export const preconditionFailed = () => new DomainError({ kind: 'preconditionFailed' });
export const invalid = (message: string) => new DomainError({ kind: 'invalid', message });
export const busy = (retryAfterSeconds: number, throttled = false) =>
  new DomainError({ kind: 'busy', retryAfterSeconds, throttled });

/**
 * Any failure as the domain sees it: its own errors as they are; the store's transient ones as `busy`;
 * a store refusal of a query as `invalid`. Anything else is not the domain's (a bug): undefined.
 */
export function domainFailure(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (!(error instanceof StoreError)) return undefined;
  switch (error.kind) {
    case 'throttled':
      return busy(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)), true);
    case 'unavailable':
      return busy(1);
    case 'changed':
      // A race the directory could not settle within its attempts.
      return busy(1);
    case 'invalid':
      return invalid(error.message);
    default:
      return undefined;
  }
}
