/**
 * The one line logged per request, like the Functions host's "Executed" line: method, path, status,
 * duration and the request-id a caller quotes. The same text goes to the console of `npm start` and, in
 * Azure, through the InvocationContext to Application Insights.
 *
 * The path is shown without its query string or fragment: those carry `$skiptoken`s, `$filter` values
 * (names, machine names, IPs) and whatever a client chooses to put there (some put credentials), and a log
 * outlives the request. The path itself names only the route and object ids.
 */
export interface RequestLogEntry {
  method: string;
  /** A request target (`/beta/x?y`) or a whole URL: only its path is shown (no origin, credentials or query). */
  path: string;
  status: number;
  /** Duration in milliseconds. */
  ms: number;
  /** The `request-id` the response carried; undefined when nothing answered with one. */
  requestId?: string;
}

const METHOD = /^[A-Za-z]{1,16}$/;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Longer paths are cut: a log line stays a line. */
const MAX_PATH_CHARS = 512;

/** A path as nearly every request sends it: printable ASCII, kept as it is after one test. */
const ALL_PRINTABLE = /^[\x21-\x7e]*$/;

/** Percent-encodes what is not printable ASCII, as UTF-8, so a path can neither forge nor break a line. */
const printable = (text: string) =>
  ALL_PRINTABLE.test(text)
    ? text
    : text.replace(/[^\x21-\x7e]/gu, (c) =>
        [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
      );
const ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;
const QUERY_OR_FRAGMENT = /[?#]/;

export function requestLogLine(entry: RequestLogEntry): string {
  const target = entry.path.replace(ORIGIN, '');
  const end = target.search(QUERY_OR_FRAGMENT);
  let path = printable((end < 0 ? target : target.slice(0, end)) || '/');
  if (path.length > MAX_PATH_CHARS) path = `${path.slice(0, MAX_PATH_CHARS)}...`;
  const method = METHOD.test(entry.method) ? entry.method.toUpperCase() : '?';
  const ms = Number.isFinite(entry.ms) && entry.ms >= 0 ? Math.round(entry.ms) : '?';
  const requestId = entry.requestId && REQUEST_ID.test(entry.requestId) ? entry.requestId : '-';
  return `${method} ${path} ${entry.status} ${ms}ms request-id=${requestId}`;
}
