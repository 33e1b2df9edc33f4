/**
 * Graph's error vocabulary. Every refusal reaches the caller as a GraphError (the domain's and identity's own errors are
 * mapped in endpoint.ts); the endpoint wrapper turns it into the `{"error":{code,message,innerError}}` envelope. Messages are written for callers: they never
 * carry a stack, a Cosmos message or another tenant's id.
 */
export const errorCodes = {
  400: 'Request_BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Authorization_RequestDenied',
  404: 'Request_ResourceNotFound',
  405: 'Request_BadRequest',
  409: 'conflict',
  411: 'lengthRequired',
  412: 'preconditionFailed',
  413: 'requestEntityTooLarge',
  415: 'unsupportedMediaType',
  424: 'failedDependency',
  429: 'tooManyRequests',
  431: 'requestHeaderFieldsTooLarge',
  500: 'generalException',
  503: 'serviceUnavailable',
} as const;

export type ErrorStatus = keyof typeof errorCodes;

export class GraphError extends Error {
  constructor(
    readonly status: ErrorStatus,
    message: string,
    /** Extra response headers the refusal needs (WWW-Authenticate, Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }

  get code(): string {
    return errorCodes[this.status];
  }
}

export const badRequest = (message: string) => new GraphError(400, message);

export const notFound = (what = 'Resource') =>
  new GraphError(404, `${what} does not exist or one of its queried reference-property objects are not present.`);

export const conflict = (message: string) => new GraphError(409, message);

export const preconditionFailed = () =>
  new GraphError(412, 'The entity has been modified since it was read. Read it again and retry with its current ETag.');

export const methodNotAllowed = () => new GraphError(405, 'Specified HTTP method is not allowed for the request target.');
