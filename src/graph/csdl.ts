import { z } from 'zod';
import { createConnectorSchema, createGroupSchema, updateConnectorSchema, updateGroupSchema } from '../directory/wire.js';

/**
 * The service's own metadata: the entity types, enums and navigation it serves, described once here and
 * turned into the CSDL of `$metadata` and the schemas of `/openapi.json`. Structural properties are read from
 * the zod schemas the service validates request bodies with, so the documents cannot drift from what it accepts.
 */

export const NAMESPACE = 'microsoft.graph';

/** A property's type: an Edm primitive, or one of the enums or complex types below by name. */
export type PropertyType = {
  nullable: boolean;
  /** `Collection(...)` of the type. */
  collection?: boolean;
} & (
  | { edm: 'Edm.String' | 'Edm.Boolean' | 'Edm.DateTimeOffset' | 'Edm.TimeOfDay'; enumType?: undefined; complexType?: undefined }
  | { enumType: string; edm?: undefined; complexType?: undefined }
  | { complexType: string; edm?: undefined; enumType?: undefined }
);

export type Property = PropertyType & { name: string };

export interface Navigation {
  name: string;
  target: string;
  collection: boolean;
  containsTarget?: boolean;
  /** Graph's NavigationRestrictions/Referenceable: the navigation is addressed by `$ref`. */
  referenceable?: boolean;
}

export interface EntityModel {
  name: string;
  baseType?: string;
  openType?: boolean;
  abstract?: boolean;
  /** A singleton's type without a key (Graph's `auditLogRoot`). */
  keyless?: boolean;
  properties: Property[];
  navigations: Navigation[];
}

export interface EnumModel {
  name: string;
  members: string[];
}

export interface ComplexModel {
  name: string;
  baseType?: string;
  openType?: boolean;
  properties: Property[];
}

/** The capability annotations of an entity type that a client reads to know which options a collection takes. */
export interface Capabilities {
  target: string;
  countable: boolean;
  filterable: boolean;
  skipSupported: boolean;
  topSupported: boolean;
}

export interface ServiceModel {
  enums: EnumModel[];
  complexTypes: ComplexModel[];
  entities: EntityModel[];
  entitySets: { name: string; entityType: string }[];
  singletons: { name: string; type: string }[];
  capabilities: Capabilities[];
}

type JsonSchema = {
  type?: string;
  enum?: string[];
  const?: string;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
};

/**
 * The properties of the bodies the service accepts for an entity: the union of its create and update schemas
 * (zod 4 emits JSON Schema for the input side), `@odata.type` and the key left out. `enums` names the CSDL enum
 * type of each enumerated property; an enumerated property without a name, or a type this cannot express, throws.
 */
export function propertiesOf(schemas: z.ZodType[], enums: Record<string, string>): { properties: Property[]; enums: EnumModel[] } {
  const properties = new Map<string, Property>();
  const enumModels = new Map<string, EnumModel>();
  for (const schema of schemas) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    for (const [name, raw] of Object.entries(json.properties ?? {})) {
      if (name === '@odata.type' || name === 'id') continue;
      const variants = raw.anyOf ?? [raw];
      const nullable = variants.some((v) => v.type === 'null');
      const value = variants.find((v) => v.type !== 'null');
      if (!value) throw new Error(`property ${name}: no type besides null`);
      const members = value.enum ?? (value.const !== undefined ? [value.const] : undefined);
      let property: Property;
      if (members) {
        const enumType = enums[name];
        if (!enumType) throw new Error(`property ${name} is enumerated but names no enum type`);
        const known = enumModels.get(enumType);
        if (known && known.members.join() !== members.join()) throw new Error(`enum ${enumType}: schemas disagree on its members`);
        enumModels.set(enumType, { name: enumType, members });
        property = { name, enumType, nullable };
      } else if (value.type === 'string' || value.type === 'boolean') {
        property = { name, edm: value.type === 'string' ? 'Edm.String' : 'Edm.Boolean', nullable };
      } else {
        throw new Error(`property ${name}: type ${JSON.stringify(value)} has no CSDL counterpart here`);
      }
      const before = properties.get(name);
      if (before && (before.edm !== property.edm || before.enumType !== property.enumType)) {
        throw new Error(`property ${name}: the schemas disagree on its type`);
      }
      properties.set(name, { ...property, nullable: property.nullable || (before?.nullable ?? false) });
    }
  }
  return { properties: [...properties.values()].sort((a, b) => a.name.localeCompare(b.name)), enums: [...enumModels.values()] };
}

const models = new Map<'beta' | 'v1.0', ServiceModel>();

const byName = <T extends { name: string }>(items: T[]) => items.sort((a, b) => a.name.localeCompare(b.name));

const text = (name: string, nullable = true): Property => ({ name, edm: 'Edm.String', nullable });

/**
 * The audit log's types as each version's metadata has them (Microsoft's published beta metadata, vendored in
 * test/fixtures/graph-beta; v1.0 without `userAgent`, `performedBy` and `linkableIdentifiers`, and with the
 * initiator's user a `userIdentity` rather than beta's `auditUserIdentity`).
 */
function auditTypes(version: 'beta' | 'v1.0'): Pick<ServiceModel, 'enums' | 'complexTypes'> & { entities: EntityModel[] } {
  const beta = version === 'beta';
  return {
    enums: [
      ...(beta ? [{ name: 'auditIdentityType', members: ['agent', 'servicePrincipal', 'unknownFutureValue'] }] : []),
      { name: 'groupType', members: ['unifiedGroups', 'azureAD', 'unknownFutureValue'] },
      { name: 'operationResult', members: ['success', 'failure', 'timeout', 'unknownFutureValue'] },
    ],
    complexTypes: [
      { name: 'appIdentity', properties: ['appId', 'displayName', 'servicePrincipalId', 'servicePrincipalName'].map((n) => text(n)) },
      {
        name: 'auditActivityInitiator',
        properties: [
          { name: 'app', complexType: 'appIdentity', nullable: true },
          ...(beta ? [{ name: 'linkableIdentifiers', complexType: 'linkableIdentifiers', nullable: true }] : []),
          { name: 'user', complexType: beta ? 'auditUserIdentity' : 'userIdentity', nullable: true },
        ],
      },
      ...(beta
        ? [
            {
              name: 'auditActivityPerformer',
              properties: [
                text('appId', false),
                text('blueprintId'),
                { name: 'identityType', enumType: 'auditIdentityType', nullable: false },
              ],
            },
            {
              name: 'auditUserIdentity',
              baseType: 'userIdentity',
              openType: true,
              properties: [text('homeTenantId'), text('homeTenantName')],
            },
          ]
        : []),
      { name: 'identity', openType: true, properties: [text('displayName'), text('id')] },
      { name: 'keyValue', properties: [text('key'), text('value')] },
      ...(beta
        ? [
            {
              name: 'linkableIdentifiers',
              properties: [text('deviceId'), text('sessionId'), { name: 'tokenDetails', complexType: 'tokenDetails', nullable: true }],
            },
            {
              name: 'tokenDetails',
              properties: [{ name: 'issuedAtDateTime', edm: 'Edm.DateTimeOffset' as const, nullable: true }, text('uniqueTokenIdentifier')],
            },
          ]
        : []),
      { name: 'modifiedProperty', properties: [text('displayName'), text('newValue'), text('oldValue')] },
      {
        name: 'targetResource',
        properties: [
          text('displayName'),
          { name: 'groupType', enumType: 'groupType', nullable: true },
          text('id'),
          { name: 'modifiedProperties', complexType: 'modifiedProperty', collection: true, nullable: true },
          text('type'),
          text('userPrincipalName'),
        ],
      },
      { name: 'userIdentity', baseType: 'identity', openType: true, properties: [text('ipAddress'), text('userPrincipalName')] },
    ],
    entities: [
      {
        name: 'auditLogRoot',
        keyless: true,
        properties: [],
        navigations: [{ name: 'directoryAudits', target: 'directoryAudit', collection: true, containsTarget: true }],
      },
      {
        name: 'directoryAudit',
        baseType: 'entity',
        properties: [
          { name: 'activityDateTime', edm: 'Edm.DateTimeOffset', nullable: false },
          text('activityDisplayName', false),
          { name: 'additionalDetails', complexType: 'keyValue', collection: true, nullable: true },
          text('category', false),
          text('correlationId'),
          { name: 'initiatedBy', complexType: 'auditActivityInitiator', nullable: false },
          text('loggedByService'),
          text('operationType'),
          ...(beta ? [{ name: 'performedBy', complexType: 'auditActivityPerformer', nullable: true }] : []),
          { name: 'result', enumType: 'operationResult', nullable: true },
          text('resultReason'),
          { name: 'targetResources', complexType: 'targetResource', collection: true, nullable: true },
          ...(beta ? [text('userAgent')] : []),
        ],
        navigations: [],
      },
    ],
  };
}

/** What the service serves under `version`, as Graph's metadata names it (beta's, with the audit log per version). */
export function serviceModel(version: 'beta' | 'v1.0' = 'beta'): ServiceModel {
  const known = models.get(version);
  if (known) return known;
  const group = propertiesOf([createGroupSchema, updateGroupSchema], {
    connectorGroupType: 'connectorGroupType',
    region: 'connectorGroupRegion',
  });
  const connector = propertiesOf([createConnectorSchema, updateConnectorSchema], { status: 'connectorStatus' });
  const audit = auditTypes(version);
  const model: ServiceModel = {
    enums: [...group.enums, ...connector.enums, ...audit.enums].sort((a, b) => a.name.localeCompare(b.name)),
    // The profile's hybridAgentUpdaterConfiguration (always null here), typed as Graph's metadata types it.
    complexTypes: byName<ComplexModel>([
      {
        name: 'hybridAgentUpdaterConfiguration',
        properties: [
          { name: 'allowUpdateConfigurationOverride', edm: 'Edm.Boolean', nullable: false },
          { name: 'deferUpdateDateTime', edm: 'Edm.DateTimeOffset', nullable: true },
          { name: 'updateWindow', complexType: 'updateWindow', nullable: true },
        ],
      },
      {
        name: 'updateWindow',
        properties: [
          { name: 'updateWindowEndTime', edm: 'Edm.TimeOfDay', nullable: true },
          { name: 'updateWindowStartTime', edm: 'Edm.TimeOfDay', nullable: true },
        ],
      },
      ...audit.complexTypes,
    ]),
    entities: [
      { name: 'entity', abstract: true, properties: [], navigations: [] },
      // Applications belong to Graph's application API; this service knows their id and their group only.
      { name: 'directoryObject', baseType: 'entity', openType: true, properties: [], navigations: [] },
      {
        name: 'application',
        baseType: 'directoryObject',
        openType: true,
        properties: [],
        navigations: [{ name: 'connectorGroup', target: 'connectorGroup', collection: false, referenceable: true }],
      },
      {
        name: 'connector',
        baseType: 'entity',
        properties: connector.properties,
        navigations: [{ name: 'memberOf', target: 'connectorGroup', collection: true, referenceable: true }],
      },
      {
        name: 'connectorGroup',
        baseType: 'entity',
        properties: group.properties,
        navigations: [
          { name: 'applications', target: 'application', collection: true },
          { name: 'members', target: 'connector', collection: true, referenceable: true },
        ],
      },
      {
        // The profile is read-only here (no body schema): its properties are those profiles-get writes.
        name: 'onPremisesPublishingProfile',
        baseType: 'entity',
        properties: [
          { name: 'hybridAgentUpdaterConfiguration', complexType: 'hybridAgentUpdaterConfiguration', nullable: true },
          { name: 'isDefaultAccessEnabled', edm: 'Edm.Boolean', nullable: true },
          { name: 'isEnabled', edm: 'Edm.Boolean', nullable: true },
        ],
        navigations: [
          { name: 'connectorGroups', target: 'connectorGroup', collection: true, containsTarget: true },
          { name: 'connectors', target: 'connector', collection: true, containsTarget: true },
        ],
      },
      ...audit.entities,
    ],
    entitySets: [
      { name: 'applications', entityType: 'application' },
      { name: 'onPremisesPublishingProfiles', entityType: 'onPremisesPublishingProfile' },
    ],
    singletons: [{ name: 'auditLogs', type: 'auditLogRoot' }],
    // Beta's metadata: not countable, no $skip; v1.0's: both (docs/API.md, "Audit log").
    capabilities: [
      { target: 'directoryAudit', countable: version !== 'beta', filterable: true, skipSupported: version !== 'beta', topSupported: true },
    ],
  };
  models.set(version, model);
  return model;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const typeName = (p: PropertyType) => {
  const name = p.enumType !== undefined ? `graph.${p.enumType}` : p.complexType !== undefined ? `graph.${p.complexType}` : p.edm;
  return p.collection ? `Collection(${name})` : name;
};

const propertyElement = (p: Property) => `<Property Name="${p.name}" Type="${typeName(p)}"${p.nullable ? '' : ' Nullable="false"'} />`;

/** The CSDL (OData 4.0 XML) document served at `/{version}/$metadata`. */
export function csdlDocument(m: ServiceModel = serviceModel()): string {
  const bool = (value: boolean) => (value ? 'true' : 'false');
  const lines: string[] = [];
  const out = (depth: number, text: string) => lines.push(`${'  '.repeat(depth)}${text}`);
  lines.push('<?xml version="1.0" encoding="utf-8"?>');
  out(0, '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">');
  out(1, '<edmx:DataServices>');
  out(2, `<Schema Namespace="${NAMESPACE}" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">`);
  for (const e of m.enums) {
    out(3, `<EnumType Name="${escape(e.name)}">`);
    e.members.forEach((member, i) => out(4, `<Member Name="${escape(member)}" Value="${i}" />`));
    out(3, '</EnumType>');
  }
  for (const c of m.complexTypes) {
    const attrs = [`Name="${c.name}"`, c.baseType ? `BaseType="graph.${c.baseType}"` : '', c.openType ? 'OpenType="true"' : ''].filter(
      Boolean,
    );
    out(3, `<ComplexType ${attrs.join(' ')}>`);
    for (const p of c.properties) out(4, propertyElement(p));
    out(3, '</ComplexType>');
  }
  for (const e of m.entities) {
    const attrs = [
      `Name="${e.name}"`,
      e.baseType ? `BaseType="graph.${e.baseType}"` : '',
      e.abstract ? 'Abstract="true"' : '',
      e.openType ? 'OpenType="true"' : '',
    ].filter(Boolean);
    out(3, `<EntityType ${attrs.join(' ')}>`);
    if (!e.baseType && !e.keyless) {
      out(4, '<Key>');
      out(5, '<PropertyRef Name="id" />');
      out(4, '</Key>');
      out(4, '<Property Name="id" Type="Edm.String" Nullable="false" />');
    }
    for (const p of e.properties) out(4, propertyElement(p));
    for (const n of e.navigations) {
      const type = n.collection ? `Collection(graph.${n.target})` : `graph.${n.target}`;
      const head = `<NavigationProperty Name="${n.name}" Type="${type}"${n.containsTarget ? ' ContainsTarget="true"' : ''}`;
      if (!n.referenceable) {
        out(4, `${head} />`);
        continue;
      }
      out(4, `${head}>`);
      out(5, '<Annotation Term="Org.OData.Capabilities.V1.NavigationRestrictions">');
      out(6, '<Record>');
      out(7, '<PropertyValue Property="Referenceable" Bool="true" />');
      out(6, '</Record>');
      out(5, '</Annotation>');
      out(4, '</NavigationProperty>');
    }
    out(3, '</EntityType>');
  }
  out(3, '<EntityContainer Name="GraphService">');
  for (const s of m.entitySets) out(4, `<EntitySet Name="${s.name}" EntityType="${NAMESPACE}.${s.entityType}" />`);
  for (const s of m.singletons) out(4, `<Singleton Name="${s.name}" Type="${NAMESPACE}.${s.type}" />`);
  out(3, '</EntityContainer>');
  for (const c of m.capabilities) {
    out(3, `<Annotations Target="${NAMESPACE}.${c.target}">`);
    for (const [term, property, value] of [
      ['CountRestrictions', 'Countable', c.countable],
      ['FilterRestrictions', 'Filterable', c.filterable],
    ] as const) {
      out(4, `<Annotation Term="Org.OData.Capabilities.V1.${term}">`);
      out(5, '<Record>');
      out(6, `<PropertyValue Property="${property}" Bool="${bool(value)}" />`);
      out(5, '</Record>');
      out(4, '</Annotation>');
    }
    out(4, `<Annotation Term="Org.OData.Capabilities.V1.SkipSupported" Bool="${bool(c.skipSupported)}" />`);
    out(4, `<Annotation Term="Org.OData.Capabilities.V1.TopSupported" Bool="${bool(c.topSupported)}" />`);
    out(3, '</Annotations>');
  }
  out(2, '</Schema>');
  out(1, '</edmx:DataServices>');
  out(0, '</edmx:Edmx>');
  return `${lines.join('\n')}\n`;
}
