/**
 * How the Functions host's web server (Kestrel and ASP.NET Core) reads a request target before a function sees
 * it, so the local host, `$batch` and the routes agree with Azure. tools/host-check measures each rule against
 * the host's own code; test/http/host-routing.test.ts holds this module to its golden file.
 */

/** Decodes a run of escapes as UTF-8; a run that is not valid UTF-8 stays as text. */
const decodeRun = (run: string) => {
  try {
    return decodeURIComponent(run);
  } catch {
    return run;
  }
};

/**
 * Kestrel's reading of a request path: valid `%XX` escapes decoded as UTF-8 except `%2F` (a slash inside a
 * segment stays encoded), invalid escapes left as text, then dot segments removed.
 */
export function decodePath(raw: string): string {
  const decoded = raw.replace(/(?:%[0-9a-f]{2})+/gi, (run) =>
    run
      .split(/(%2f)/i)
      .map((part) => (/^%2f$/i.test(part) ? part : decodeRun(part)))
      .join(''),
  );
  return removeDotSegments(decoded);
}

/** RFC 3986's remove_dot_segments, as Kestrel applies it to the decoded path. */
function removeDotSegments(path: string): string {
  if (!/(^|\/)\.\.?(\/|$)/.test(path)) return path;
  const out: string[] = [];
  const parts = path.split('/').slice(1);
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (part === '.' || part === '..') {
      if (part === '..') out.pop();
      if (last) out.push('');
    } else {
      out.push(part);
    }
  });
  return `/${out.join('/')}`;
}

/** RFC 3986 pchar and `/`: what a path keeps unescaped when ASP.NET Core writes it back as URI text. */
const PATH_CHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

/**
 * The decoded path as ASP.NET Core writes it into the URL the worker receives (`PathString.ToUriComponent`):
 * path characters as they are, a `%` that starts an escape kept, everything else percent-encoded as UTF-8.
 */
export function pathToUri(path: string): string {
  let out = '';
  const chars = [...path];
  chars.forEach((c, i) => {
    if (PATH_CHAR.test(c)) out += c;
    else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test((chars[i + 1] ?? '') + (chars[i + 2] ?? ''))) out += c;
    else out += encodeURIComponent(c);
  });
  return out;
}

/** One query string piece decoded: `+` is a space, valid escapes decoded, invalid ones kept. */
const decodeQueryPart = (text: string) => text.replace(/\+/g, ' ').replace(/(?:%[0-9a-f]{2})+/gi, decodeRun);

/**
 * The query as the host hands it to the worker (ASP.NET Core's query collection): `&`-separated pieces, empty
 * ones skipped, a piece without `=` a key with an empty value; keys matched without regard to case (in the
 * place of the first occurrence) and a repeated key's values joined by commas, in order.
 */
export function mergeQuery(search: string): [string, string][] {
  const merged = new Map<string, { key: string; values: string[] }>();
  for (const piece of search.replace(/^\?/, '').split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const key = decodeQueryPart(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : decodeQueryPart(piece.slice(eq + 1));
    const entry = merged.get(key.toLowerCase());
    if (entry) {
      // ASP.NET Core keeps a repeated key under the spelling of its second occurrence (measured).
      if (entry.values.length === 1) entry.key = key;
      entry.values.push(value);
    } else merged.set(key.toLowerCase(), { key, values: [value] });
  }
  return [...merged.values()].map(({ key, values }) => [key, values.join(',')]);
}
