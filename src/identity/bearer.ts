/**
 * The bearer token of a request's `Authorization` header, and the 401 Graph answers when there is none or it
 * is not valid: `InvalidAuthenticationToken` with Graph's `WWW-Authenticate` challenge.
 */
import { GraphError } from '../graph/errors.js';

/** The challenge of every 401, as Graph sends it; `error="invalid_token"` is added when a token was presented. */
export const WWW_AUTHENTICATE_CHALLENGE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"';

/** RFC 6750 b64token. */
const BEARER = /^Bearer(?:[ \t]+([A-Za-z0-9\-._~+/]+=*))?[ \t]*$/i;
const MAX_TOKEN_LENGTH = 16 * 1024;

/** A 401 with the challenge; `tokenPresented` adds `error="invalid_token"` and the message as its description. */
export function unauthorized(message: string, tokenPresented: boolean): GraphError {
  const description = message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, ' ');
  const challenge = tokenPresented
    ? `${WWW_AUTHENTICATE_CHALLENGE}, error="invalid_token", error_description="${description}"`
    : WWW_AUTHENTICATE_CHALLENGE;
  return new GraphError(401, message, { 'WWW-Authenticate': challenge });
}

/** The last header value that held a token, and the token: a client repeats one header (a `$batch` once per item). */
let last: { authorization: string; token: string } | undefined;

/** The token of an `Authorization: Bearer <token>` header value; 401 otherwise. */
export function bearerToken(authorization: string | null | undefined): string {
  if (last !== undefined && authorization === last.authorization) return last.token;
  const token = parseBearer(authorization);
  if (typeof authorization === 'string') last = { authorization, token };
  return token;
}

function parseBearer(authorization: string | null | undefined): string {
  const value = (authorization ?? '').trim();
  if (value === '') throw unauthorized('Access token is empty.', false);
  const match = BEARER.exec(value);
  if (match === null) {
    if (/^Bearer\s/i.test(value)) throw unauthorized('Access token validation failure. The token is malformed.', true);
    throw unauthorized('Access token is empty. The Authorization header must use the Bearer scheme.', false);
  }
  const token = match[1];
  if (token === undefined) throw unauthorized('Access token is empty.', false);
  if (token.length > MAX_TOKEN_LENGTH) throw unauthorized('Access token validation failure. The token is too large.', true);
  return token;
}
