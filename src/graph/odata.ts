import { isGuid } from '../lib/guid.js';
import { badRequest, notFound } from './errors.js';
import { INCLUDE_UNKNOWN_ENUM_MEMBERS, type RequestContext } from './http.js';
import type { Expansion } from './query/index.js';

/** The one publishing profile's id, as Graph spells it. */
export const PROFILE_ID = 'applicationProxy';
const PROFILE = PROFILE_ID.toLowerCase();

/** Path ids are GUIDs; anything else names nothing (Graph answers 404, never 500). */
export function pathId(value: string | undefined, what: string): string {
  if (!isGuid(value)) throw notFound(`Resource '${what}'`);
  return value.toLowerCase();
}

/** `{profileId}` exists only as `applicationProxy`, in any case. */
export function assertProfile(value: string | undefined): void {
  if (value?.toLowerCase() !== PROFILE) throw notFound(`Resource 'onPremisesPublishingProfile'`);
}

export type ReferenceKind = 'connectorGroups' | 'connectors';

/** `connectorGroups('id')` is OData key syntax for `connectorGroups/id`. */
function splitKeys(segments: string[]): string[] {
  return segments.flatMap((s) => {
    const [, name, key] = /^([^(]+)\('?([^')]*)'?\)$/.exec(s) ?? [];
    return name !== undefined && key !== undefined ? [name, key] : [s];
  });
}

/**
 * Reads the target of an `@odata.id`: an absolute URL of any host, with or without a version, or a
 * relative one; `…/onPremisesPublishingProfiles/applicationProxy/{kind}/{id}`, or the legacy
 * `…/connectorGroups/{id}`. The wrong kind, or text that is no Graph URL: 400. A missing target: 404.
 */
export function parseReference(value: string, kind: ReferenceKind): string {
  const notAUrl = () =>
    badRequest(`The @odata.id '${value.slice(0, 200)}' is not a URL of a ${kind === 'connectors' ? 'connector' : 'connectorGroup'}.`);
  let path: string;
  try {
    path = /^[a-z][a-z0-9+.-]*:/i.test(value) ? new URL(value).pathname : new URL(value, 'http://relative.invalid/').pathname;
  } catch {
    throw notAUrl();
  }
  let segments: string[];
  try {
    segments = splitKeys(path.split('/').filter(Boolean).map(decodeURIComponent));
  } catch {
    throw notAUrl();
  }
  if (/^(beta|v1\.0)$/i.test(segments[0] ?? '')) segments = segments.slice(1);
  let rest = segments;
  if (rest[0]?.toLowerCase() === 'onpremisespublishingprofiles') {
    if (rest.length !== 4) throw notAUrl();
    if (rest[1]?.toLowerCase() !== PROFILE) throw notFound(`Resource 'onPremisesPublishingProfile'`);
    rest = rest.slice(2);
  } else if (!(kind === 'connectorGroups' && rest[0]?.toLowerCase() === 'connectorgroups')) {
    throw notAUrl();
  }
  if (rest.length !== 2 || rest[0]?.toLowerCase() !== kind.toLowerCase()) throw notAUrl();
  return pathId(rest[1], kind === 'connectors' ? 'connector' : 'connectorGroup');
}

/**
 * The reference a `DELETE …/$ref` removes, from `?@id=<url>` (Graph's form) or `?$id=<url>` (OData's).
 * Absent or given twice: 400.
 */
export function referenceParameter(query: URLSearchParams): string {
  const [only, ...more] = [...query].filter(([k]) => k === '@id' || k.toLowerCase() === '$id').map(([, value]) => value);
  if (only === undefined || more.length > 0 || only.trim() === '') {
    throw badRequest("Removing a reference needs exactly one '@id' query parameter naming the object, e.g. $ref?@id=<url>.");
  }
  return only;
}

// --- ETags: Cosmos etags, shown as weak entity tags ---

const inner = (tag: string) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

export const etagOf = (cosmosEtag: string) => `W/"${inner(cosmosEtag)}"`;

/** A test of a stored (Cosmos) etag against what the caller's `If-Match` names. */
export type EtagTest = (cosmosEtag: string) => boolean;

/** The If-Match header as a test of a stored etag; undefined when the request has none. */
export function ifMatch(header: string | null): EtagTest | undefined {
  if (!header) return undefined;
  const tags = header
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags.includes('*')) return () => true;
  const wanted = new Set(tags.map(inner));
  return (cosmosEtag) => wanted.has(inner(cosmosEtag));
}

// --- @odata.context ---

/**
 * `…/$metadata#fragment`, with the projection as OData writes it: the selected properties, then each
 * expanded navigation property with its nested selection (`members(id,machineName)`), or `()` without one.
 */
export function contextUrl(ctx: RequestContext, fragment: string, select?: string[], expand: Expansion[] = []): string {
  const items = [...(select ?? []), ...expand.map((e) => `${e.property}(${e.select?.join(',') ?? ''})`)];
  if (!items.length) return `${ctx.serviceRoot}/$metadata#${fragment}`;
  const entity = fragment.endsWith('/$entity');
  const base = entity ? fragment.slice(0, -'/$entity'.length) : fragment;
  return `${ctx.serviceRoot}/$metadata#${base}(${items.join(',')})${entity ? '/$entity' : ''}`;
}

/** An entity body: context, type, etag, then the properties (all, or the selected ones). */
export function entityBody<T extends { id: string }>(
  ctx: RequestContext,
  fragment: string,
  entity: T,
  options: { etag?: string; select?: string[]; type?: string; expand?: Expansion[] } = {},
): Record<string, unknown> {
  const { etag, select, type, expand } = options;
  return {
    '@odata.context': contextUrl(ctx, fragment, select, expand),
    ...(type ? { '@odata.type': `#microsoft.graph.${type}` } : {}),
    ...(etag ? { '@odata.etag': etagOf(etag) } : {}),
    ...pick(entity, select),
  };
}

/** The selected properties of an entity; its annotations (`@odata.type`) are not properties and stay. */
export function pick<T extends object>(entity: T, select?: string[]): Partial<T> {
  if (!select?.length) return entity;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) if (key.startsWith('@')) out[key] = value;
  for (const key of select) out[key] = (entity as Record<string, unknown>)[key];
  return out as Partial<T>;
}

/**
 * Evolvable enums: a stored member the caller's contract does not know (one added after
 * `unknownFutureValue`, or written by a newer service) reads as `unknownFutureValue`, unless the request
 * says `Prefer: include-unknown-enum-members`.
 */
export function evolvableEnum(ctx: RequestContext, value: string | null, known: readonly string[]): string | null {
  if (value === null || known.includes(value) || ctx.prefer.has(INCLUDE_UNKNOWN_ENUM_MEMBERS)) return value;
  return 'unknownFutureValue';
}
