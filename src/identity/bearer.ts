/** The bearer token of a request's `Authorization` header; refused (errors.ts) when there is none or it is not one. */
import { tokenRefused } from './errors.js';

/** RFC 6750 b64token. */
const BEARER = /^Bearer(?:[ \t]+([A-Za-z0-9\-._~+/]+=*))?[ \t]*$/i;
const MAX_TOKEN_LENGTH = 16 * 1024;

/** The last header value that held a token, and the token: a client repeats one header (a `$batch` once per item). */
let last: { authorization: string; token: string } | undefined;

/** The token of an `Authorization: Bearer <token>` header value; refused otherwise. */
export function bearerToken(authorization: string | null | undefined): string {
  if (last !== undefined && authorization === last.authorization) return last.token;
  const token = parseBearer(authorization);
  if (typeof authorization === 'string') last = { authorization, token };
  return token;
}

function parseBearer(authorization: string | null | undefined): string {
  const value = (authorization ?? '').trim();
  if (value === '') throw tokenRefused('empty');
  const match = BEARER.exec(value);
  if (match === null) throw tokenRefused(/^Bearer\s/i.test(value) ? 'malformed' : 'notBearer');
  const token = match[1];
  if (token === undefined) throw tokenRefused('empty');
  if (token.length > MAX_TOKEN_LENGTH) throw tokenRefused('tooLarge');
  return token;
}
