import { z } from 'zod';
import { createConnectorSchema, createGroupSchema, updateConnectorSchema, updateGroupSchema } from '../directory/wire.js';

/**
 * The service's own metadata: the entity types, enums and navigation it serves, described once here and
 * turned into the CSDL of `$metadata` and the schemas of `/openapi.json`. Structural properties are read from
 * the zod schemas the service validates request bodies with, so the documents cannot drift from what it accepts.
 */

export const NAMESPACE = 'microsoft.graph';

/** A property's type: an Edm primitive, or one of the enums or complex types below by name. */
export type PropertyType = { nullable: boolean } & (
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
  properties: Property[];
  navigations: Navigation[];
}

export interface EnumModel {
  name: string;
  members: string[];
}

export interface ComplexModel {
  name: string;
  properties: Property[];
}

export interface ServiceModel {
  enums: EnumModel[];
  complexTypes: ComplexModel[];
  entities: EntityModel[];
  entitySets: { name: string; entityType: string }[];
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

let model: ServiceModel | undefined;

/** What the service serves, as Graph's beta metadata names it. */
export function serviceModel(): ServiceModel {
  if (model) return model;
  const group = propertiesOf([createGroupSchema, updateGroupSchema], {
    connectorGroupType: 'connectorGroupType',
    region: 'connectorGroupRegion',
  });
  const connector = propertiesOf([createConnectorSchema, updateConnectorSchema], { status: 'connectorStatus' });
  model = {
    enums: [...group.enums, ...connector.enums].sort((a, b) => a.name.localeCompare(b.name)),
    // The profile's hybridAgentUpdaterConfiguration (always null here), typed as Graph's metadata types it.
    complexTypes: [
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
    ],
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
    ],
    entitySets: [
      { name: 'applications', entityType: 'application' },
      { name: 'onPremisesPublishingProfiles', entityType: 'onPremisesPublishingProfile' },
    ],
  };
  return model;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const typeName = (p: PropertyType) =>
  p.enumType !== undefined ? `graph.${p.enumType}` : p.complexType !== undefined ? `graph.${p.complexType}` : p.edm;

const propertyElement = (p: Property) => `<Property Name="${p.name}" Type="${typeName(p)}"${p.nullable ? '' : ' Nullable="false"'} />`;

/** The CSDL (OData 4.0 XML) document served at `/{version}/$metadata`. */
export function csdlDocument(m: ServiceModel = serviceModel()): string {
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
    out(3, `<ComplexType Name="${c.name}">`);
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
    if (!e.baseType) {
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
  out(3, '</EntityContainer>');
  out(2, '</Schema>');
  out(1, '</edmx:DataServices>');
  out(0, '</edmx:Edmx>');
  return `${lines.join('\n')}\n`;
}
