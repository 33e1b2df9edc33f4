import { describe, expect, it } from 'vitest';
import { documentedOperations, loadVendoredCsdl, parseCsdl } from '../support/metadata.js';

const P = '/onPremisesPublishingProfiles/{onPremisesPublishingProfile-id}';
const ops = documentedOperations();
const find = (method: string, path: string) => ops.find((o) => o.method === method && o.path === path);

describe('the vendored beta metadata', () => {
  const csdl = loadVendoredCsdl();

  it('reads the three enums with their members in order', () => {
    expect(csdl.enums.get('connectorGroupRegion')!.members.map((m) => m.name)).toEqual([
      'nam',
      'eur',
      'aus',
      'asia',
      'ind',
      'unknownFutureValue',
    ]);
    expect(csdl.enums.get('connectorGroupType')!.members).toEqual([{ name: 'applicationProxy', value: 0 }]);
    expect(csdl.enums.get('connectorStatus')!.members.map((m) => m.name)).toEqual(['active', 'inactive']);
  });

  it('reads properties with inherited id, resolved types, nullability and read-only marks', () => {
    const group = csdl.entities.get('connectorGroup')!;
    expect(group.properties.map((p) => [p.name, p.type, p.nullable, p.readOnly])).toEqual([
      ['id', 'Edm.String', false, false],
      ['connectorGroupType', 'microsoft.graph.connectorGroupType', false, true],
      ['isDefault', 'Edm.Boolean', false, true],
      ['name', 'Edm.String', false, false],
      ['region', 'microsoft.graph.connectorGroupRegion', true, false],
    ]);
    const connector = csdl.entities.get('connector')!;
    expect(connector.properties.filter((p) => p.readOnly).map((p) => p.name)).toEqual(['externalIp', 'status', 'version']);
  });

  it('reads navigation properties with containment and referenceability', () => {
    const nav = (type: string, name: string) => csdl.entities.get(type)!.navigations.find((n) => n.name === name);
    expect(nav('connectorGroup', 'members')).toMatchObject({
      target: 'connector',
      collection: true,
      containsTarget: false,
      referenceable: true,
    });
    expect(nav('connectorGroup', 'applications')).toMatchObject({ target: 'application', collection: true, referenceable: false });
    expect(nav('connector', 'memberOf')).toMatchObject({ target: 'connectorGroup', collection: true, referenceable: true });
    expect(nav('application', 'connectorGroup')).toMatchObject({ target: 'connectorGroup', collection: false, referenceable: true });
    expect(nav('onPremisesPublishingProfile', 'connectorGroups')).toMatchObject({ containsTarget: true, collection: true });
  });

  it('reads entity sets and the type-level capability annotations', () => {
    expect(csdl.entitySets.get('onPremisesPublishingProfiles')).toBe('onPremisesPublishingProfile');
    expect(csdl.capabilities.get('connector')).toEqual({
      countable: true,
      expandable: true,
      filterable: true,
      selectable: true,
      referenceable: true,
      skipSupported: true,
      topSupported: true,
    });
  });

  it('parses another document the same way (unaliased types, no descriptions)', () => {
    const csdl2 = parseCsdl(`<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
      <edmx:DataServices><Schema Namespace="microsoft.graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="e"><Member Name="a" Value="0"/></EnumType>
      <EntityType Name="t"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/>
      <Property Name="k" Type="microsoft.graph.e"/></EntityType></Schema></edmx:DataServices></edmx:Edmx>`);
    expect(csdl2.entities.get('t')!.properties).toEqual([
      { name: 'id', type: 'Edm.String', nullable: false, readOnly: false },
      { name: 'k', type: 'microsoft.graph.e', nullable: true, readOnly: false },
    ]);
    expect(csdl2.enums.get('e')!.members).toEqual([{ name: 'a', value: 0 }]);
  });
});

describe('the operations derived from it', () => {
  it('documents every $ref write as 204 and reads of references as 200', () => {
    for (const op of ops.filter((o) => o.path.endsWith('/$ref'))) {
      if (op.method === 'GET') expect(op.status, op.path).toBe(200);
      else expect([op.status, op.publishedStatus, op.response], `${op.method} ${op.path}`).toEqual([204, 204, 'none']);
    }
  });

  it('has the operations the issue names, with their shapes', () => {
    const G = `${P}/connectorGroups/{connectorGroup-id}`;
    const C = `${P}/connectors/{connector-id}`;
    expect(find('GET', `${G}/members/$ref`)).toMatchObject({ response: 'references' });
    expect(find('GET', `${C}/memberOf/$ref`)).toMatchObject({ response: 'references' });
    expect(find('DELETE', `${G}/members/{connector-id}/$ref`)).toMatchObject({ status: 204 });
    expect(find('DELETE', `${G}/members/$ref`)).toMatchObject({ requiredQuery: '@id' });
    expect(find('DELETE', `${C}/memberOf/{connectorGroup-id}/$ref`)).toBeDefined();
    expect(find('GET', `${C}/memberOf/$count`)).toMatchObject({ response: 'count' });
    expect(find('GET', `${G}/applications/$count`)).toMatchObject({ response: 'count' });
    expect(find('GET', `${G}/applications/{application-id}`)).toMatchObject({ response: 'entity', entityType: 'application' });
    expect(find('GET', '/applications/{application-id}/connectorGroup/$ref')).toMatchObject({ response: 'reference' });
    expect(find('PUT', '/applications/{application-id}/connectorGroup/$ref')).toMatchObject({ request: 'reference', status: 204 });
    expect(find('POST', `${G}/members/$ref`)).toMatchObject({ request: 'reference', status: 204 });
  });

  it('follows the converter: no item path under a referenceable collection, no $ref under a plain one', () => {
    const G = `${P}/connectorGroups/{connectorGroup-id}`;
    expect(find('GET', `${G}/members/{connector-id}`)).toBeUndefined();
    expect(find('GET', `${G}/applications/$ref`)).toBeUndefined();
    expect(find('POST', `${G}/members`)).toBeUndefined();
  });

  it('documents create as 201, PATCH and DELETE as 204, and the 2XX range openapi.yaml writes', () => {
    expect(find('POST', `${P}/connectorGroups`)).toMatchObject({
      status: 201,
      publishedStatus: '2XX',
      response: 'entity',
      request: 'entity',
    });
    expect(find('PATCH', `${P}/connectors/{connector-id}`)).toMatchObject({ status: 204, publishedStatus: '2XX' });
    expect(find('DELETE', `${P}/connectorGroups/{connectorGroup-id}`)).toMatchObject({ status: 204, publishedStatus: 204 });
    expect(find('GET', `${P}/connectorGroups`)).toMatchObject({
      status: 200,
      publishedStatus: '2XX',
      response: 'collection',
      entityType: 'connectorGroup',
    });
  });

  it('leaves out targets outside the fragment and the applications set itself; no path twice', () => {
    expect(ops.some((o) => /agents|sensors|publishedResources|applicationSegments/.test(o.path))).toBe(false);
    expect(ops.some((o) => o.path === '/applications' || o.path === '/applications/{application-id}')).toBe(false);
    const keys = ops.map((o) => `${o.method} ${o.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    // 6 on the profile set, 15 under connectorGroups, 12 under connectors, 4 on an application
    expect(ops.length).toBe(37);
  });
});
