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

/** Longer paths are cut: a log line stays a line. */
const MAX_PATH_CHARS = 512;

/** Percent-encodes what is not printable ASCII, as UTF-8, so a path can neither forge nor break a line. */
const printable = (text: string) =>
  text.replace(/[^\x21-\x7e]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));

export function requestLogLine(entry: RequestLogEntry): string {
  const target = entry.path.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, '');
  let path = printable(target.split(/[?#]/, 1)[0] || '/');
  if (path.length > MAX_PATH_CHARS) path = `${path.slice(0, MAX_PATH_CHARS)}...`;
  const method = /^[A-Za-z]{1,16}$/.test(entry.method) ? entry.method.toUpperCase() : '?';
  const ms = Number.isFinite(entry.ms) && entry.ms >= 0 ? Math.round(entry.ms) : '?';
  const requestId = entry.requestId && /^[\w.:-]{1,128}$/.test(entry.requestId) ? entry.requestId : '-';
  return `${method} ${path} ${entry.status} ${ms}ms request-id=${requestId}`;
}
