import type { FunctionRequest } from '../host/index.js';
import { z } from 'zod';
import { GraphError, badRequest } from './errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Deepest nesting of arrays and objects a JSON body may have (a `$batch` body included, so its item bodies
 * get this less the envelope's three levels). Every body here is a few levels deep; the bound keeps the
 * recursive steps after parsing (serializing, validating) far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `text` nests arrays and objects deeper than `max`: one linear scan, strings skipped. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const tooLarge = () => new GraphError(413, `The request body exceeds the limit of ${MAX_BODY_BYTES} bytes.`);

/** Reads the raw body under the size limit, trusting neither Content-Length nor its absence. */
export async function readBodyBytes(req: FunctionRequest): Promise<Buffer> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = Buffer.from(await req.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) throw tooLarge();
  return bytes;
}

/** The media type a Content-Type value names, its parameters dropped, in lower case. */
export function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const mime = mediaType(value);
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/**
 * The Functions host passes a function a body only when Content-Length announces one: a chunked body arrives
 * as none, its Transfer-Encoding header kept (tools/host-check shows it). Such a write is a 411, not "body required".
 */
const lengthRequired = () =>
  new GraphError(
    411,
    "A request body must be sent with a Content-Length header; a body sent with 'Transfer-Encoding: chunked' does not reach the service.",
  );

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `bytes` as text when they are valid UTF-8 (RFC 8259 requires it of JSON); undefined otherwise. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Parses a JSON object body: 413 too large, 411 sent chunked, 415 not JSON content, 400 empty, not UTF-8
 * (never stored as U+FFFD), too deep, broken or not an object.
 */
export async function readJsonObject(req: FunctionRequest): Promise<Record<string, unknown>> {
  const bytes = await readBodyBytes(req);
  if (bytes.length === 0) {
    if (req.headers.has('transfer-encoding') && !req.headers.has('content-length')) throw lengthRequired();
    throw badRequest('A request body is required.');
  }
  if (!isJsonContentType(req.headers.get('content-type'))) {
    throw new GraphError(415, "The request body must be JSON, sent with 'Content-Type: application/json'.");
  }
  const text = utf8Text(bytes);
  if (text === undefined) throw badRequest('The request body is not valid UTF-8.');
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw badRequest(`The request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** One sentence naming the first property at fault, in Graph's manner. */
function describeIssue(issue: z.core.$ZodIssue, typeName: string): string {
  const path = issue.path.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys':
      return `Property '${issue.keys[0]}' does not exist on type '${typeName}'.`;
    case 'invalid_type':
      if (issue.input === undefined) return `Property '${path}' is required.`;
      return `Invalid value for property '${path}': expected ${issue.expected}.`;
    case 'invalid_value':
      return `Invalid value for property '${path}': expected one of ${issue.values.map((v) => `'${String(v)}'`).join(', ')}.`;
    default:
      return `Invalid value for property '${path}': ${issue.message}`;
  }
}

export function validate<T extends z.ZodType>(value: unknown, schema: T, typeName: string): z.output<T> {
  // reportInput: without it zod leaves `input` off every issue, and a wrong type would read as a missing property.
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  // A failed parse names at least one issue; zod's own message stands in should one come without.
  const [first] = result.error.issues;
  throw badRequest(first ? describeIssue(first, typeName) : result.error.message);
}
