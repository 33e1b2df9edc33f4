/** A failure answered with a Cosmos DB status, error code and message (and a sub-status where Azure sends one). */
export class CosmosError extends Error {
  override readonly name = 'CosmosError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly substatus?: number,
  ) {
    super(message);
  }
}

export const badRequest = (message: string): CosmosError => new CosmosError(400, 'BadRequest', message);
export const notFound = (message = 'Entity with the specified id does not exist in the system.'): CosmosError =>
  new CosmosError(404, 'NotFound', message);
export const conflict = (message = 'Entity with the specified id already exists in the system.'): CosmosError =>
  new CosmosError(409, 'Conflict', message);
export const preconditionFailed = (
  message = 'Operation cannot be performed because one of the specified precondition is not met.',
): CosmosError => new CosmosError(412, 'PreconditionFailed', message);
