/**
 * The domain's refusals, as codes: which rule refused, which entity was not found. `graph/endpoint.ts`
 * chooses the status and Graph's wording for each; nothing here knows HTTP statuses or Graph's words.
 */
import { StoreError } from '../store/errors.js';

export type Entity = 'connectorGroup' | 'connector' | 'application' | 'onPremisesPublishingProfile' | 'directoryAudit';

/**
 * The rules of the directory a change can break (docs/API.md, "Membership and assignment" and
 * "Where each refusal of the directory comes from").
 */
export type Rule =
  /** The connector is already a member of the group it is added to. */
  | 'alreadyMember'
  /** A connector in the Default group leaves it only by being added to another group. */
  | 'connectorStaysInDefault'
  /** An application in the Default group leaves it only by being assigned to another group. */
  | 'applicationStaysInDefault'
  /** `isDefault` sent as false on the Default group. */
  | 'defaultStaysDefault'
  /** `isDefault` sent as true on another group. */
  | 'onlyDefaultIsDefault'
  /** A group's region changes only while nothing is assigned to it. */
  | 'regionOfUsedGroup'
  /** The Default group is never deleted. */
  | 'deleteDefault'
  /** A group is deleted only while nothing is assigned to it. */
  | 'deleteUsedGroup';

export type DomainFailure =
  /** The entity does not exist in the caller's tenant. */
  | { kind: 'notFound'; entity: Entity }
  /** The change breaks a rule of the directory. */
  | { kind: 'refused'; rule: Rule }
  /** An object with this id exists already. */
  | { kind: 'exists'; id: string }
  /** The caller's If-Match no longer holds. */
  | { kind: 'preconditionFailed' }
  /** The request cannot be served now; retrying later may succeed. `throttled`: the database asked us to slow down. */
  | { kind: 'busy'; retryAfterSeconds: number; throttled: boolean }
  /** The store cannot serve the request as asked (too large, a filter nested too deeply); `detail` is the store's. */
  | { kind: 'unserviceable'; detail: string };

export class DomainError extends Error {
  constructor(readonly failure: DomainFailure) {
    super(`directory: ${failure.kind}`);
    this.name = 'DomainError';
  }
}

export const notFound = (entity: Entity) => new DomainError({ kind: 'notFound', entity });
export const refused = (rule: Rule) => new DomainError({ kind: 'refused', rule });
export const exists = (id: string) => new DomainError({ kind: 'exists', id });
export const preconditionFailed = () => new DomainError({ kind: 'preconditionFailed' });
export const busy = (retryAfterSeconds: number, throttled = false) => new DomainError({ kind: 'busy', retryAfterSeconds, throttled });

/**
 * Any failure as the domain sees it: its own errors as they are; the store's transient ones as `busy`;
 * a store refusal of a query as `unserviceable`. Anything else is not the domain's (a bug): undefined.
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
      return new DomainError({ kind: 'unserviceable', detail: error.message });
    default:
      return undefined;
  }
}
