import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

/**
 * Microsoft's published beta metadata for Application Proxy (test/fixtures/graph-beta/PROVENANCE.md), read
 * into plain objects, and the operations Graph documents for it, derived with the rules by which the published
 * OpenAPI document is converted from that metadata.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/graph-beta/', import.meta.url));
export const VENDORED_CSDL = `${FIXTURES}appproxy.csdl.xml`;

export interface CsdlProperty {
  name: string;
  /** As written in the CSDL with the `graph.` alias resolved: `Edm.String`, `microsoft.graph.connectorStatus`. */
  type: string;
  nullable: boolean;
  description?: string;
  /** The metadata's description says "Read-only." */
  readOnly: boolean;
}

export interface CsdlNavigation {
  name: string;
  /** The target entity type's simple name. */
  target: string;
  collection: boolean;
  containsTarget: boolean;
  referenceable: boolean;
  description?: string;
}

export interface CsdlEntityType {
  name: string;
  baseType?: string;
  /** Own and inherited structural properties, inherited first. */
  properties: CsdlProperty[];
  navigations: CsdlNavigation[];
}

export interface CsdlEnumType {
  name: string;
  members: { name: string; value: number }[];
}

export interface TypeCapabilities {
  countable?: boolean;
  expandable?: boolean;
  filterable?: boolean;
  selectable?: boolean;
  referenceable?: boolean;
  skipSupported?: boolean;
  topSupported?: boolean;
}

export interface Csdl {
  namespace: string;
  enums: Map<string, CsdlEnumType>;
  entities: Map<string, CsdlEntityType>;
  /** Entity set name -> entity type simple name. */
  entitySets: Map<string, string>;
  /** Complex type simple name -> its own and inherited properties, and whether it is open. */
  complexTypes: Map<string, { name: string; openType: boolean; properties: CsdlProperty[] }>;
  /** Singleton name -> its entity type's simple name. */
  singletons: Map<string, string>;
  /** Entity type simple name -> its type-level capability annotations. */
  capabilities: Map<string, TypeCapabilities>;
}

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
const attr = (n: Node, name: string) => n[`@_${name}`] as string | undefined;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (name) =>
    [
      'EnumType',
      'Member',
      'EntityType',
      'ComplexType',
      'Singleton',
      'Property',
      'NavigationProperty',
      'Annotation',
      'Annotations',
      'EntitySet',
      'PropertyValue',
      'Schema',
    ].includes(name),
});

/** Parses a CSDL (edmx) document, the vendored one or the service's own `$metadata`. */
export function parseCsdl(xml: string): Csdl {
  const doc = parser.parse(xml) as Node;
  const edmx = doc['edmx:Edmx'] as Node;
  const schema = list((edmx['edmx:DataServices'] as Node).Schema)[0]!;
  const namespace = attr(schema, 'Namespace')!;
  const alias = attr(schema, 'Alias');
  const qualify = (t: string) => (alias ? t.replace(new RegExp(`(^|\\()${alias}\\.`), `$1${namespace}.`) : t);
  const simple = (t: string) =>
    qualify(t)
      .replace(/^Collection\((.*)\)$/, '$1')
      .replace(`${namespace}.`, '');

  const annotations = (n: Node) => list(n.Annotation);
  const description = (n: Node) => attr(annotations(n).find((a) => attr(a, 'Term') === 'Org.OData.Core.V1.Description') ?? {}, 'String');
  const recordFlag = (n: Node, term: string, property: string): boolean | undefined => {
    const a = annotations(n).find((x) => attr(x, 'Term') === term);
    if (!a) return undefined;
    const value = list((a.Record as Node | undefined)?.PropertyValue).find((p) => attr(p, 'Property') === property);
    return value ? attr(value, 'Bool') === 'true' : undefined;
  };

  const enums = new Map<string, CsdlEnumType>();
  for (const e of list(schema.EnumType)) {
    const name = attr(e, 'Name')!;
    enums.set(name, { name, members: list(e.Member).map((m) => ({ name: attr(m, 'Name')!, value: Number(attr(m, 'Value')) })) });
  }

  const raw = new Map(list(schema.EntityType).map((e) => [attr(e, 'Name')!, e]));
  const entities = new Map<string, CsdlEntityType>();
  const build = (name: string): CsdlEntityType => {
    const done = entities.get(name);
    if (done) return done;
    const e = raw.get(name);
    if (!e) throw new Error(`entity type ${name} is not in the document`);
    const baseType = attr(e, 'BaseType') ? simple(attr(e, 'BaseType')!) : undefined;
    const inherited = baseType && raw.has(baseType) ? build(baseType) : undefined;
    const own = list(e.Property).map((p): CsdlProperty => {
      const text = description(p);
      return {
        name: attr(p, 'Name')!,
        type: qualify(attr(p, 'Type')!),
        nullable: attr(p, 'Nullable') !== 'false',
        ...(text ? { description: text } : {}),
        readOnly: /\bRead-only\b/i.test(text ?? ''),
      };
    });
    const navigations = list(e.NavigationProperty).map((n): CsdlNavigation => {
      const text = description(n);
      return {
        name: attr(n, 'Name')!,
        target: simple(attr(n, 'Type')!),
        collection: attr(n, 'Type')!.startsWith('Collection('),
        containsTarget: attr(n, 'ContainsTarget') === 'true',
        referenceable: recordFlag(n, 'Org.OData.Capabilities.V1.NavigationRestrictions', 'Referenceable') ?? false,
        ...(text ? { description: text } : {}),
      };
    });
    const entity: CsdlEntityType = {
      name,
      ...(baseType ? { baseType } : {}),
      properties: [...(inherited?.properties ?? []), ...own],
      navigations: [...(inherited?.navigations ?? []), ...navigations],
    };
    entities.set(name, entity);
    return entity;
  };
  for (const name of raw.keys()) build(name);

  const entitySets = new Map<string, string>();
  const container = schema.EntityContainer as Node | undefined;
  for (const s of list(container?.EntitySet)) entitySets.set(attr(s, 'Name')!, simple(attr(s, 'EntityType')!));
  const singletons = new Map<string, string>();
  for (const s of list(container?.Singleton)) singletons.set(attr(s, 'Name')!, simple(attr(s, 'Type')!));

  const rawComplex = new Map(list(schema.ComplexType).map((c) => [attr(c, 'Name')!, c]));
  const complexTypes: Csdl['complexTypes'] = new Map();
  const buildComplex = (name: string): NonNullable<ReturnType<Csdl['complexTypes']['get']>> => {
    const done = complexTypes.get(name);
    if (done) return done;
    const c = rawComplex.get(name)!;
    const base = attr(c, 'BaseType') ? buildComplex(simple(attr(c, 'BaseType')!)) : undefined;
    const own = list(c.Property).map((p): CsdlProperty => ({
      name: attr(p, 'Name')!,
      type: qualify(attr(p, 'Type')!),
      nullable: attr(p, 'Nullable') !== 'false',
      readOnly: false,
    }));
    const built = { name, openType: attr(c, 'OpenType') === 'true', properties: [...(base?.properties ?? []), ...own] };
    complexTypes.set(name, built);
    return built;
  };
  for (const name of rawComplex.keys()) buildComplex(name);

  const capabilities = new Map<string, TypeCapabilities>();
  for (const a of list(schema.Annotations)) {
    const target = simple(attr(a, 'Target')!);
    const c = 'Org.OData.Capabilities.V1.';
    const bool = (term: string) => {
      const x = annotations(a).find((y) => attr(y, 'Term') === c + term);
      return x && attr(x, 'Bool') !== undefined ? attr(x, 'Bool') === 'true' : undefined;
    };
    const caps: TypeCapabilities = {
      countable: recordFlag(a, `${c}CountRestrictions`, 'Countable'),
      expandable: recordFlag(a, `${c}ExpandRestrictions`, 'Expandable'),
      filterable: recordFlag(a, `${c}FilterRestrictions`, 'Filterable'),
      selectable: recordFlag(a, `${c}SelectRestrictions`, 'Selectable'),
      referenceable: recordFlag(a, `${c}NavigationRestrictions`, 'Referenceable'),
      skipSupported: bool('SkipSupported'),
      topSupported: bool('TopSupported'),
    };
    capabilities.set(target, Object.fromEntries(Object.entries(caps).filter(([, v]) => v !== undefined)));
  }

  return { namespace, enums, entities, entitySets, complexTypes, singletons, capabilities };
}

let vendored: Csdl | undefined;
export function loadVendoredCsdl(): Csdl {
  vendored ??= parseCsdl(readFileSync(VENDORED_CSDL, 'utf8'));
  return vendored;
}

// --- documented operations ---

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * What a successful response carries: an entity, a collection of entities (`value`), a collection of
 * references (`value` of `@odata.id`), one reference, a bare `$count` number, or nothing (204).
 */
export type ResponseShape = 'entity' | 'collection' | 'references' | 'reference' | 'count' | 'none';

export interface DocumentedOperation {
  /** OpenAPI path template as the converter writes it, e.g. `/applications/{application-id}/connectorGroup/$ref`. */
  path: string;
  method: HttpMethod;
  /** Exact status under the converter's defaults (the repository's `default.yaml`). */
  status: 200 | 201 | 204;
  /** What `openapi/beta/openapi.yaml` writes, which is converted with UseSuccessStatusCodeRange. */
  publishedStatus: '2XX' | 200 | 201 | 204;
  response: ResponseShape;
  /** The entity type of the response or of the items of a collection (absent for count, refs and none). */
  entityType?: string;
  /** The body the request carries. */
  request?: 'entity' | 'reference';
  /** `DELETE …/$ref` on a collection names the reference to remove in this query option. */
  requiredQuery?: '@id';
}

const conversionSettings = (): { UseSuccessStatusCodeRange?: boolean } =>
  (JSON.parse(readFileSync(`${FIXTURES}openapi-conversion-settings.json`, 'utf8')) as { OpenApiConvertSettings: object })
    .OpenApiConvertSettings;

/**
 * The vendored fragment keeps of `application` only its `connectorGroup` navigation: operations on the
 * `applications` entity set itself belong to Graph's application API, not to this one.
 */
const PARTIAL_ENTITY_SETS = new Set(['applications']);

/** Every operation the published beta OpenAPI documents for the vendored types, in a stable order. */
export function documentedOperations(csdl: Csdl = loadVendoredCsdl()): DocumentedOperation[] {
  const ranged = conversionSettings().UseSuccessStatusCodeRange === true;
  const ops: DocumentedOperation[] = [];
  const add = (
    path: string,
    method: HttpMethod,
    status: 200 | 201 | 204,
    response: ResponseShape,
    extra: Partial<DocumentedOperation> = {},
  ) =>
    ops.push({
      path,
      method,
      status,
      // DELETE and $ref writes are 204 whatever the setting; the rest become the 2XX range under it.
      publishedStatus: method === 'DELETE' || (path.endsWith('/$ref') && method !== 'GET') ? 204 : ranged ? '2XX' : status,
      response,
      ...extra,
    });
  const key = (type: string) => `{${type}-id}`;
  const known = (type: string) => csdl.entities.has(type);

  const navigation = (base: string, nav: CsdlNavigation) => {
    if (!known(nav.target)) return; // a target outside the fragment (agents, sensors, …) is not ours
    const path = `${base}/${nav.name}`;
    const target = nav.target;
    if (nav.collection) {
      if (nav.containsTarget) {
        add(path, 'GET', 200, 'collection', { entityType: target });
        add(path, 'POST', 201, 'entity', { entityType: target, request: 'entity' });
        add(`${path}/$count`, 'GET', 200, 'count');
        const item = `${path}/${key(target)}`;
        add(item, 'GET', 200, 'entity', { entityType: target });
        add(item, 'PATCH', 204, 'none', { request: 'entity' });
        add(item, 'DELETE', 204, 'none');
        for (const sub of csdl.entities.get(target)!.navigations) navigation(item, sub);
      } else {
        add(path, 'GET', 200, 'collection', { entityType: target });
        add(`${path}/$count`, 'GET', 200, 'count');
        if (nav.referenceable) {
          add(`${path}/$ref`, 'GET', 200, 'references');
          add(`${path}/$ref`, 'POST', 204, 'none', { request: 'reference' });
          add(`${path}/$ref`, 'DELETE', 204, 'none', { requiredQuery: '@id' });
          add(`${path}/${key(target)}/$ref`, 'DELETE', 204, 'none');
        } else {
          add(`${path}/${key(target)}`, 'GET', 200, 'entity', { entityType: target });
        }
      }
    } else {
      add(path, 'GET', 200, 'entity', { entityType: target });
      if (nav.containsTarget) add(path, 'PATCH', 204, 'none', { request: 'entity' });
      if (nav.referenceable && !nav.containsTarget) {
        add(`${path}/$ref`, 'GET', 200, 'reference');
        add(`${path}/$ref`, 'PUT', 204, 'none', { request: 'reference' });
        add(`${path}/$ref`, 'DELETE', 204, 'none');
      }
    }
  };

  for (const [set, type] of csdl.entitySets) {
    const root = `/${set}`;
    const item = `${root}/${key(type)}`;
    if (!PARTIAL_ENTITY_SETS.has(set)) {
      add(root, 'GET', 200, 'collection', { entityType: type });
      add(root, 'POST', 201, 'entity', { entityType: type, request: 'entity' });
      add(`${root}/$count`, 'GET', 200, 'count');
      add(item, 'GET', 200, 'entity', { entityType: type });
      add(item, 'PATCH', 204, 'none', { request: 'entity' });
      add(item, 'DELETE', 204, 'none');
    }
    for (const nav of csdl.entities.get(type)!.navigations) navigation(item, nav);
  }
  return ops;
}
