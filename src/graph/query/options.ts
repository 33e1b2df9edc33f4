/**
 * Option collection: which query parameters are system query options (with or without `$`, by version), and
 * the one-value options `$top`, `$skip` and `$count`.
 */
import { badRequest } from '../errors.js';
import { quote } from './common.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

/**
 * `$skip` is served by reading past the skipped items with continuation tokens (Cosmos has no cheap
 * OFFSET), so its cost grows with its value; this bounds it.
 */
export const MAX_SKIP = 10_000;

const SUPPORTED = ['select', 'filter', 'orderby', 'top', 'skip', 'count', 'skiptoken', 'search', 'expand'] as const;
type Supported = (typeof SUPPORTED)[number];

/** Options whose value never holds a comma, so a comma means the option came more than once. */
const ONE_VALUE: readonly Supported[] = ['top', 'skip', 'count', 'skiptoken'];

/** OData system query options a bare beta parameter is taken for (and refused, when unsupported). */
const KNOWN_UNSUPPORTED = ['format', 'apply', 'levels', 'compute', 'index', 'schemaversion', 'deltatoken'];

/**
 * The system query options among a request's parameters, by name:
 * - Case-insensitive (`$Filter` = `$filter`), as OData 4.01 asks.
 * - beta: the `$` is optional. A bare name that is an OData system query option is that option (`top=5`
 *   is `$top=5`, `expand=x` is a 400 for `$expand`). Other bare names are custom query options and ignored.
 * - v1.0: only `$`-names are options. A bare name (`filter=...`) is a custom query option and is ignored.
 * - An option given twice (`$top` and `top`, or `$top` twice): 400.
 */
export function collectOptions(query: URLSearchParams, version: 'beta' | 'v1.0'): Map<Supported, string> {
  const options = new Map<Supported, string>();
  for (const [rawKey, value] of query) {
    const key = rawKey.trim().toLowerCase();
    let name: string;
    if (key.startsWith('$')) {
      name = key.slice(1);
    } else if (version === 'beta' && ((SUPPORTED as readonly string[]).includes(key) || KNOWN_UNSUPPORTED.includes(key))) {
      name = key;
    } else {
      continue; // a custom query option (any bare name on v1.0; an unrelated one on beta)
    }
    if (!(SUPPORTED as readonly string[]).includes(name)) {
      throw badRequest(`Query option ${quote(`$${name}`)} is not supported.`);
    }
    const option = name as Supported;
    if (options.has(option)) throw badRequest(`Query option '$${option}' is specified more than once.`);
    // The Functions host hands a repeated option over once, its values joined by commas: a list option
    // takes them as one list, a one-value option (none of whose values has a comma) refuses them.
    if (ONE_VALUE.includes(option) && value.includes(',')) {
      throw badRequest(
        `Query option '$${option}' is specified more than once (or its value ${quote(value)} has a comma): it takes one value.`,
      );
    }
    options.set(option, value);
  }
  return options;
}

export function parseTop(value: string): number {
  const text = value.trim();
  const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw badRequest(`Invalid value ${quote(value)} for query option '$top': it must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return n;
}

export function parseSkip(value: string): number {
  const text = value.trim();
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n > MAX_SKIP) {
    throw badRequest(`Invalid value ${quote(value)} for query option '$skip': it must be an integer from 0 to ${MAX_SKIP}.`);
  }
  return n;
}

export function parseCount(value: string): boolean {
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw badRequest(`Invalid value ${quote(value)} for query option '$count': it must be true or false.`);
}
