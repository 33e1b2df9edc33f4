import type { HttpHandler, HttpMethod } from '@azure/functions';
import { decodePath } from './aspnet.js';

/**
 * Route matching as the Azure Functions host does it, so the local host, `$batch` and the 405 fallback
 * resolve a URL to the same function `func start` would: functions sorted by name (ordinal, ignoring case),
 * the first whose template and method match wins, literal segments match case-insensitively, and a literal
 * does NOT beat a parameter. Templates support `{name}` and a trailing `{*name}` catch-all.
 */
export interface FunctionDef {
  name: string;
  route: string;
  methods: HttpMethod[];
  handler: HttpHandler;
}

type Segment = { literal: string } | { param: string } | { catchAll: string };

interface CompiledRoute<F extends FunctionDef> {
  fn: F;
  segments: Segment[];
  /** Ends with a catch-all: matches paths of any length from `segments.length - 1` on. */
  open: boolean;
}

export interface RouteMatch<F extends FunctionDef = FunctionDef> {
  fn: F;
  params: Record<string, string>;
}

const NAME = /^[a-z][a-z0-9_-]{0,127}$/i;

const trimSlashes = (route: string) => route.replace(/^~?\/+|\/+$/g, '');

/** The host's order of functions: by name, ordinal, ignoring case. */
export const byFunctionName = (a: { name: string }, b: { name: string }) => {
  const x = a.name.toUpperCase();
  const y = b.name.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

function compile(route: string): Segment[] {
  const text = trimSlashes(route);
  if (text.includes('//')) throw new Error(`Route '${route}' has an empty segment.`);
  const parts = text === '' ? [] : text.split('/');
  return parts.map((part, i) => {
    const [, stars, name] = /^\{(\*{0,2})([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part) ?? [];
    if (name !== undefined) {
      if (stars) {
        if (i !== parts.length - 1) throw new Error(`Route '${route}': a catch-all must be the last segment.`);
        return { catchAll: name };
      }
      return { param: name };
    }
    if (/[{}?]/.test(part)) throw new Error(`Route '${route}': segment '${part}' is not supported by this host.`);
    return { literal: part.toLowerCase() };
  });
}

/**
 * Splits a URL path into segments as the host's router sees them: decoded as Kestrel decodes it (`%2F` stays
 * encoded, dot segments removed; see aspnet.ts), without the leading slash and one trailing slash. `//beta/x`
 * starts with an empty segment and routes nowhere.
 */
export function pathSegments(pathname: string): string[] {
  return splitPath(decodePath(pathname)).segments;
}

/** A decoded path split into its segments; `text` is the path without its leading slash. */
interface SplitPath {
  text: string;
  segments: string[];
}

function splitPath(decoded: string): SplitPath {
  const text = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const trimmed = text.endsWith('/') ? text.slice(0, -1) : text;
  return { text, segments: trimmed === '' ? [] : trimmed.split('/') };
}

/** The rest of the path from segment `i` on (trailing slashes kept), as a catch-all receives it. */
function restOf(path: SplitPath, i: number): string {
  const at = path.segments.slice(0, i).reduce((length, segment) => length + segment.length + 1, 0);
  return path.text.slice(at);
}

function matchSegments(segments: Segment[], split: SplitPath): Record<string, string> | undefined {
  const path = split.segments;
  const params: Record<string, string> = {};
  for (const [i, seg] of segments.entries()) {
    const value = path[i];
    if ('catchAll' in seg) {
      // An absent rest is no value at all (the host passes none); an empty segment never matches.
      if (value === '') return undefined;
      if (value !== undefined) params[seg.catchAll] = restOf(split, i);
      return params;
    }
    if (value === undefined || value === '') return undefined;
    if ('literal' in seg) {
      if (value.toLowerCase() !== seg.literal) return undefined;
    } else {
      params[seg.param] = value;
    }
  }
  return path.length === segments.length ? params : undefined;
}

/** The functions as the host orders them; `F` may carry what the service keeps with each (its description). */
export class RouteTable<F extends FunctionDef = FunctionDef> {
  private readonly routes: CompiledRoute<F>[];
  private readonly prefix: string[];

  constructor(
    functions: F[],
    readonly routePrefix: string,
  ) {
    validateFunctions(functions);
    this.routes = [...functions].sort(byFunctionName).map((fn) => {
      const segments = compile(fn.route);
      const last = segments.at(-1);
      return { fn, segments, open: last !== undefined && 'catchAll' in last };
    });
    this.prefix = splitPath(decodePath(routePrefix)).segments.map((s) => s.toLowerCase());
  }

  get functions(): F[] {
    return this.routes.map((r) => r.fn);
  }

  /** The path inside the route prefix, split (decoded); undefined when the path is outside it. */
  private relative(pathname: string): SplitPath | undefined {
    const path = splitPath(decodePath(pathname));
    const { prefix } = this;
    if (prefix.length === 0) return path;
    for (let i = 0; i < prefix.length; i++) {
      if (path.segments[i]?.toLowerCase() !== prefix[i]) return undefined;
    }
    return path.segments.length > prefix.length ? splitPath(`/${restOf(path, prefix.length)}`) : splitPath('');
  }

  /** The function the host would run for a raw (undecoded) path; with no method, the first whose template matches at all. */
  match(method: string | undefined, pathname: string, accept: (fn: F) => boolean = () => true): RouteMatch<F> | undefined {
    const path = this.relative(pathname);
    if (path === undefined) return undefined;
    const verb = method?.toUpperCase();
    const length = path.segments.length;
    for (const { fn, segments, open } of this.routes) {
      // A template of another length cannot match (a catch-all takes any rest, even none).
      if (open ? length < segments.length - 1 : length !== segments.length) continue;
      if ((verb && !fn.methods.includes(verb as HttpMethod)) || !accept(fn)) continue;
      const params = matchSegments(segments, path);
      if (params) return { fn, params };
    }
    return undefined;
  }
}

/** The checks the Functions host makes at start-up, so a table that works here also starts there. */
export function validateFunctions(functions: FunctionDef[]): void {
  const names = new Set<string>();
  for (const fn of functions) {
    if (!NAME.test(fn.name) || fn.name.toLowerCase() === 'host') {
      throw new Error(`Function name '${fn.name}' is invalid for the Functions host.`);
    }
    const key = fn.name.toLowerCase();
    if (names.has(key)) throw new Error(`Function name '${fn.name}' is used twice.`);
    names.add(key);
    const route = trimSlashes(fn.route).toLowerCase();
    if (route.startsWith('admin') || route.startsWith('runtime')) {
      throw new Error(`Function '${fn.name}': the route '${fn.route}' conflicts with one or more built in routes.`);
    }
    compile(fn.route);
  }
  for (const [i, a] of functions.entries()) {
    for (const b of functions.slice(i + 1)) {
      if (trimSlashes(a.route).toLowerCase() !== trimSlashes(b.route).toLowerCase()) continue;
      if (a.methods.some((m) => b.methods.includes(m))) {
        throw new Error(`Functions '${a.name}' and '${b.name}' have the same route '${a.route}' and overlapping methods.`);
      }
    }
  }
}

/** Whether some path matches both templates (neither a catch-all): per segment, equal literals or a parameter on either side. */
function overlapping(a: Segment[], b: Segment[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i];
    return y === undefined || !('literal' in x) || !('literal' in y) || x.literal === y.literal;
  });
}

/**
 * The precedence the service needs and the host does not give by itself: where two routes with a common
 * method overlap, the one with a literal where the other has a parameter (`connectors/$count` against
 * `connectors/{id}`) must sort first by name, as the host tries functions in name order. Two routes that
 * each have a literal where the other has a parameter, or that differ only in parameter names, are refused
 * too: no name order makes both reachable.
 */
export function assertPrecedence(functions: FunctionDef[]): void {
  // A catch-all is the table's last resort, named to sort last (functions/fallback.ts).
  const compiled = [...functions]
    .sort(byFunctionName)
    .map((fn) => ({ fn, segments: compile(fn.route) }))
    .filter((r) => !r.segments.some((s) => 'catchAll' in s));
  for (const [i, first] of compiled.entries()) {
    for (const later of compiled.slice(i + 1)) {
      if (!first.fn.methods.some((m) => later.fn.methods.includes(m))) continue;
      if (!overlapping(first.segments, later.segments)) continue;
      const literalIn = (x: Segment[], y: Segment[]) =>
        x.some((s, k) => {
          const other = y[k];
          return 'literal' in s && other !== undefined && 'param' in other;
        });
      // Reachable only when the first has a literal where the later has a parameter, and never the reverse.
      if (literalIn(later.segments, first.segments) || !literalIn(first.segments, later.segments)) {
        throw new Error(
          `Function '${later.fn.name}' (${later.fn.route}) is shadowed by '${first.fn.name}' (${first.fn.route}), whose name sorts first: ` +
            'the route with the literal segment needs the name that sorts first.',
        );
      }
    }
  }
}
