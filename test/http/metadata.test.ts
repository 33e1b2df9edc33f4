/**
 * `GET /{version}/$metadata`: the service's CSDL, generated from the zod schemas it validates bodies with,
 * held against Microsoft's published beta metadata (test/fixtures/graph-beta): same names, types,
 * nullability, enum members and navigation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csdlDocument, serviceModel, type ServiceModel } from '../../src/graph/csdl.js';
import { loadVendoredCsdl, parseCsdl, type Csdl } from '../support/metadata.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** Types whose every structural property the service serves; of the others it serves a subset. */
const COMPLETE = ['connector', 'connectorGroup'];

/** Every difference between the served document and the published one, as readable lines. */
function differences(served: Csdl, published: Csdl): string[] {
  const out: string[] = [];
  for (const [name, e] of served.enums) {
    const p = published.enums.get(name);
    if (!p) out.push(`enum ${name} is not in the published metadata`);
    else if (JSON.stringify(e.members) !== JSON.stringify(p.members))
      out.push(`enum ${name}: members ${JSON.stringify(e.members)} != ${JSON.stringify(p.members)}`);
  }
  for (const [name, e] of served.entities) {
    const p = published.entities.get(name);
    if (!p) {
      out.push(`entity ${name} is not in the published metadata`);
      continue;
    }
    if (e.baseType !== p.baseType) out.push(`entity ${name}: base ${e.baseType} != ${p.baseType}`);
    for (const prop of e.properties) {
      const q = p.properties.find((x) => x.name === prop.name);
      // application's id comes from directoryObject, which the fragment leaves out
      if (!q && prop.name === 'id' && name === 'application') continue;
      if (!q) out.push(`${name}.${prop.name} is not in the published metadata`);
      else if (q.type !== prop.type || q.nullable !== prop.nullable) {
        out.push(`${name}.${prop.name}: ${prop.type} nullable=${prop.nullable} != ${q.type} nullable=${q.nullable}`);
      }
    }
    if (COMPLETE.includes(name)) {
      for (const q of p.properties) if (!e.properties.some((x) => x.name === q.name)) out.push(`${name}.${q.name} is missing`);
    }
    for (const nav of e.navigations) {
      const q = p.navigations.find((x) => x.name === nav.name);
      const shape = (n: typeof nav) => JSON.stringify([n.target, n.collection, n.containsTarget, n.referenceable]);
      if (!q) out.push(`${name}/${nav.name} is not in the published metadata`);
      else if (shape(nav) !== shape(q)) out.push(`${name}/${nav.name}: ${shape(nav)} != ${shape(q)}`);
    }
  }
  for (const [set, type] of served.entitySets) {
    if (published.entitySets.get(set) !== type) out.push(`entity set ${set} (${type}) differs from the published one`);
  }
  return out;
}

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('GET /{version}/$metadata', () => {
  it("serves each version's CSDL, as application/xml, with the protocol headers", async () => {
    for (const version of ['beta', 'v1.0'] as const) {
      const r = await t.call('GET', `/${version}/$metadata`);
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/xml/);
      expect(r.headers.get('odata-version')).toBe('4.0');
      expect(r.headers.get('request-id')).toBeTruthy();
      expect(r.text).toBe(csdlDocument(serviceModel(version)));
    }
  });

  it("declares the audit log per version: beta's directoryAudit has userAgent and is neither countable nor skippable, v1.0's is both", async () => {
    const beta = (await t.call('GET', '/beta/$metadata')).text;
    const v1 = (await t.call('GET', '/v1.0/$metadata')).text;
    for (const served of [beta, v1]) {
      expect(served).toContain('<Singleton Name="auditLogs" Type="microsoft.graph.auditLogRoot" />');
      expect(served).toContain(
        '<NavigationProperty Name="directoryAudits" Type="Collection(graph.directoryAudit)" ContainsTarget="true" />',
      );
      expect(served).toContain('<Property Name="targetResources" Type="Collection(graph.targetResource)" />');
      expect(served).toContain('<ComplexType Name="userIdentity" BaseType="graph.identity" OpenType="true">');
    }
    expect(beta).toContain('<Property Name="user" Type="graph.auditUserIdentity" />');
    expect(v1).toContain('<Property Name="user" Type="graph.userIdentity" />');
    expect(beta).toContain('<Property Name="userAgent" Type="Edm.String" />');
    expect(v1).not.toContain('userAgent');
    const capabilities = (doc: string) => /<Annotations Target="microsoft.graph.directoryAudit">([\s\S]*?)<\/Annotations>/.exec(doc)![1]!;
    expect(capabilities(beta)).toContain('<PropertyValue Property="Countable" Bool="false" />');
    expect(capabilities(beta)).toContain('<Annotation Term="Org.OData.Capabilities.V1.SkipSupported" Bool="false" />');
    expect(capabilities(v1)).toContain('<PropertyValue Property="Countable" Bool="true" />');
    expect(capabilities(v1)).toContain('<Annotation Term="Org.OData.Capabilities.V1.SkipSupported" Bool="true" />');
  });

  it('matches the published beta metadata: names, types, nullability, enum members, navigation', async () => {
    const served = parseCsdl((await t.call('GET', '/beta/$metadata')).text);
    expect(differences(served, loadVendoredCsdl())).toEqual([]);
    expect([...served.entities.keys()]).toEqual(
      expect.arrayContaining([
        'connector',
        'connectorGroup',
        'onPremisesPublishingProfile',
        'application',
        'auditLogRoot',
        'directoryAudit',
      ]),
    );
    expect([...served.enums.keys()].sort()).toEqual([
      'auditIdentityType',
      'connectorGroupRegion',
      'connectorGroupType',
      'connectorStatus',
      'groupType',
      'operationResult',
    ]);
  });

  it("declares every property the profile answers with, hybridAgentUpdaterConfiguration as Graph's complex type", async () => {
    // ODataLib's reader refuses a property its type does not declare (tools/odata-check found this one missing).
    const profile = (await t.call('GET', '/beta/onPremisesPublishingProfiles/applicationProxy')).body;
    const served = (await t.call('GET', '/beta/$metadata')).text;
    const type = /<EntityType Name="onPremisesPublishingProfile"[^>]*>([\s\S]*?)<\/EntityType>/.exec(served)![1]!;
    const declared = ['id', ...[...type.matchAll(/<Property Name="(\w+)"/g)].map((m) => m[1])];
    expect(Object.keys(profile).filter((k) => !k.startsWith('@'))).toEqual(expect.arrayContaining(declared));
    expect(declared).toEqual(expect.arrayContaining(Object.keys(profile).filter((k) => !k.startsWith('@'))));
    expect(type).toContain('<Property Name="hybridAgentUpdaterConfiguration" Type="graph.hybridAgentUpdaterConfiguration" />');
    expect(served).toContain('<ComplexType Name="hybridAgentUpdaterConfiguration">');
    expect(served).toContain('<Property Name="allowUpdateConfigurationOverride" Type="Edm.Boolean" Nullable="false" />');
    expect(served).toContain('<ComplexType Name="updateWindow">');
  });

  it('answers 401 without a token and 405 for other methods, like every route', async () => {
    expect((await t.call('GET', '/beta/$metadata', { token: null })).status).toBe(401);
    expect((await t.call('POST', '/beta/$metadata', { body: {} })).status).toBe(405);
  });
});

describe('the comparison', () => {
  const published = loadVendoredCsdl();
  const changed = (edit: (m: ServiceModel) => void) => {
    const m = structuredClone(serviceModel());
    edit(m);
    return differences(parseCsdl(csdlDocument(m)), published);
  };

  it('catches a changed nullability, a missing or extra property, and a changed enum', () => {
    const group = (m: ServiceModel) => m.entities.find((e) => e.name === 'connectorGroup')!;
    expect(changed((m) => (group(m).properties.find((p) => p.name === 'region')!.nullable = false))).toEqual([
      'connectorGroup.region: microsoft.graph.connectorGroupRegion nullable=false != microsoft.graph.connectorGroupRegion nullable=true',
    ]);
    expect(changed((m) => (group(m).properties = group(m).properties.filter((p) => p.name !== 'isDefault')))).toEqual([
      'connectorGroup.isDefault is missing',
    ]);
    expect(changed((m) => group(m).properties.push({ name: 'color', edm: 'Edm.String', nullable: true }))).toEqual([
      'connectorGroup.color is not in the published metadata',
    ]);
    expect(changed((m) => m.enums.find((e) => e.name === 'connectorStatus')!.members.push('paused'))).toHaveLength(1);
    expect(changed((m) => (group(m).navigations[1]!.referenceable = false))).toHaveLength(1);
  });
});
