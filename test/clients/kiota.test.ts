import { randomUUID } from 'node:crypto';
import {
  AllowedHostsValidator,
  BaseBearerTokenAuthenticationProvider,
  HttpMethod,
  RequestInformation,
  type AdditionalDataHolder,
  type ErrorMappings,
  type ModelSerializerFunction,
  type Parsable,
  type ParsableFactory,
  type ParseNode,
  type SerializationWriter,
} from '@microsoft/kiota-abstractions';
import {
  BaseGraphRequestAdapter,
  BatchRequestContent,
  createGraphClientFactory,
  PageIterator,
  type PageCollection,
} from '@microsoft/msgraph-sdk-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fetchTrusting } from '../support/https.js';
import { tokenFor } from '../support/tokens.js';

/**
 * The Kiota stack of the official Graph TypeScript SDK (msgraph-sdk-core's BaseGraphRequestAdapter with the
 * Graph middleware: retry, redirect, telemetry) against the service, over http and over https. The
 * per-area request builders are not published on npm, so requests are built by hand with
 * RequestInformation and the models below stand in for the SDK's (docs/CLIENTS.md, "Kiota without the request builders").
 */

// --- Models, written the way Kiota generates them ---

interface ConnectorGroup extends Parsable, AdditionalDataHolder {
  id?: string;
  name?: string;
  region?: string | null;
  isDefault?: boolean;
  connectorGroupType?: string;
}
interface Connector extends Parsable, AdditionalDataHolder {
  id?: string;
  machineName?: string;
  externalIp?: string;
  status?: string;
  version?: string;
}
interface Collection<T extends Parsable> extends Parsable, AdditionalDataHolder, PageCollection<T> {
  odataCount?: number;
}
interface ReferenceCreate extends Parsable {
  odataId?: string;
}
interface MainError extends Parsable {
  code?: string;
  message?: string;
  innerError?: Record<string, unknown>;
}
interface ODataError extends Parsable {
  error?: MainError;
  responseStatusCode?: number;
  responseHeaders?: Record<string, string[]>;
}

const deserializeGroup = (g: Partial<ConnectorGroup> = {}): Record<string, (n: ParseNode) => void> => ({
  id: (n) => void (g.id = n.getStringValue()),
  name: (n) => void (g.name = n.getStringValue()),
  region: (n) => void (g.region = n.getStringValue() ?? null),
  isDefault: (n) => void (g.isDefault = n.getBooleanValue()),
  connectorGroupType: (n) => void (g.connectorGroupType = n.getStringValue()),
});
const createGroup: ParsableFactory<ConnectorGroup> = () => deserializeGroup;
const serializeGroup: ModelSerializerFunction<ConnectorGroup> = (w: SerializationWriter, g) => {
  if (!g) return;
  w.writeStringValue('id', g.id);
  w.writeStringValue('name', g.name);
  w.writeStringValue('region', g.region);
  w.writeAdditionalData(g.additionalData);
};

const deserializeConnector = (c: Partial<Connector> = {}): Record<string, (n: ParseNode) => void> => ({
  id: (n) => void (c.id = n.getStringValue()),
  machineName: (n) => void (c.machineName = n.getStringValue()),
  externalIp: (n) => void (c.externalIp = n.getStringValue()),
  status: (n) => void (c.status = n.getStringValue()),
  version: (n) => void (c.version = n.getStringValue()),
});
const createConnector: ParsableFactory<Connector> = () => deserializeConnector;
const serializeConnector: ModelSerializerFunction<Connector> = (w, c) => {
  if (!c) return;
  w.writeStringValue('machineName', c.machineName);
  w.writeStringValue('externalIp', c.externalIp);
  w.writeStringValue('status', c.status);
  w.writeStringValue('version', c.version);
};

const collectionOf =
  <T extends Parsable>(item: ParsableFactory<T>): ParsableFactory<Collection<T>> =>
  () =>
  (c: Partial<Collection<T>> = {}) => ({
    value: (n) => void (c.value = n.getCollectionOfObjectValues(item) ?? []),
    '@odata.nextLink': (n) => void (c.odataNextLink = n.getStringValue()),
    '@odata.count': (n) => void (c.odataCount = n.getNumberValue()),
  });

const serializeReference: ModelSerializerFunction<ReferenceCreate> = (w, r) => w.writeStringValue('@odata.id', r?.odataId);

const createMainError: ParsableFactory<MainError> =
  () =>
  (e: Partial<MainError> = {}) => ({
    code: (n) => void (e.code = n.getStringValue()),
    message: (n) => void (e.message = n.getStringValue()),
    innerError: (n) => void (e.innerError = { requestId: n.getChildNode('request-id')?.getStringValue() }),
  });
const createODataError: ParsableFactory<ODataError> =
  () =>
  (e: Partial<ODataError> = {}) => ({
    error: (n) => void (e.error = n.getObjectValue(createMainError)),
  });
const errors: ErrorMappings = { XXX: createODataError as ParsableFactory<Parsable> };

// --- The adapter and hand-built requests ---

const P = '/onPremisesPublishingProfiles/applicationProxy';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const QUERY = '{?%24top,%24filter,%24select,%24orderby,%24count}';

interface Query {
  top?: number;
  filter?: string;
  select?: string[];
  orderby?: string[];
  count?: boolean;
}

function request(method: HttpMethod, path: string, query?: Query): RequestInformation {
  const info = new RequestInformation(method, `{+baseurl}${path}${query ? QUERY : ''}`);
  info.headers.tryAdd('Accept', 'application/json');
  if (query) {
    for (const [name, value] of Object.entries(query)) info.queryParameters[`%24${name}`] = value as string | number | boolean | string[];
  }
  return info;
}

function withBody<T extends Parsable>(
  adapter: BaseGraphRequestAdapter,
  info: RequestInformation,
  body: T,
  serializer: ModelSerializerFunction<T>,
) {
  info.setContentFromParsable(adapter, 'application/json', body, serializer);
  return info;
}

async function failure(promise: Promise<unknown>): Promise<ODataError> {
  try {
    await promise;
  } catch (error) {
    return error as ODataError;
  }
  throw new Error('expected the call to fail');
}

for (const scheme of ['http', 'https'] as const) {
  describe(`Kiota (msgraph-sdk-core) over ${scheme}`, () => {
    let t: TestApp;
    let adapter: BaseGraphRequestAdapter;
    let origin: string;
    const tenant = randomUUID();

    const makeAdapter = async (scope: string) => {
      const token = await tokenFor(tenant, scope);
      const auth = new BaseBearerTokenAuthenticationProvider({
        getAuthorizationToken: async () => token,
        getAllowedHostsValidator: () => new AllowedHostsValidator(new Set(['127.0.0.1'])),
      });
      const telemetry = { graphServiceTargetVersion: 'beta', graphServiceLibraryClientVersion: '0.0.0' };
      const http = scheme === 'https' ? createGraphClientFactory(telemetry, await fetchTrusting(t.ca!)) : undefined;
      const made = new BaseGraphRequestAdapter('beta', '0.0.0', auth, undefined, undefined, http);
      made.baseUrl = `${origin}/beta`;
      return made;
    };

    beforeAll(async () => {
      t = await startTestApp({ https: scheme === 'https' });
      origin = `${scheme}://127.0.0.1:${t.port}`;
      adapter = await makeAdapter('Directory.ReadWrite.All');
    });
    afterAll(async () => t?.close());

    const newGroup = async (body: ConnectorGroup) =>
      (await adapter.send(withBody(adapter, request(HttpMethod.POST, `${P}/connectorGroups`), body, serializeGroup), createGroup, errors))!;
    const newConnector = async (body: Connector) =>
      (await adapter.send(
        withBody(adapter, request(HttpMethod.POST, `${P}/connectors`), body, serializeConnector),
        createConnector,
        errors,
      ))!;
    const ref = (kind: string, id: string): ReferenceCreate => ({ odataId: `${origin}/beta${P}/${kind}/${id}` });

    it('creates, gets and patches a connectorGroup', async () => {
      const created = await newGroup({ name: 'Kiota group', region: 'eur' });
      expect(created).toMatchObject({ name: 'Kiota group', region: 'eur', isDefault: false, connectorGroupType: 'applicationProxy' });
      expect(created.id).toMatch(GUID);

      const read = await adapter.send(request(HttpMethod.GET, `${P}/connectorGroups/${created.id}`), createGroup, errors);
      expect(read).toMatchObject({ id: created.id, name: 'Kiota group', region: 'eur' });

      const patch = withBody(
        adapter,
        request(HttpMethod.PATCH, `${P}/connectorGroups/${created.id}`),
        { name: 'Kiota renamed' },
        serializeGroup,
      );
      expect(await adapter.send(patch, createGroup, errors)).toMatchObject({ id: created.id, name: 'Kiota renamed', region: 'eur' });

      const connector = await newConnector({ machineName: 'kiota1.contoso.com', externalIp: '198.51.100.7' });
      expect(connector).toMatchObject({ machineName: 'kiota1.contoso.com', externalIp: '198.51.100.7', status: 'active', version: '' });
      const patchConnector = withBody(
        adapter,
        request(HttpMethod.PATCH, `${P}/connectors/${connector.id}`),
        { status: 'inactive', version: '1.5.3437.0' },
        serializeConnector,
      );
      expect(await adapter.send(patchConnector, createConnector, errors)).toMatchObject({
        id: connector.id,
        status: 'inactive',
        version: '1.5.3437.0',
      });
    });

    it('lists 25 groups with $filter, $select and $top 7 and follows every page with PageIterator', async () => {
      const created = new Set<string>();
      for (let i = 0; i < 25; i++) created.add((await newGroup({ name: `Kiota page ${String(i).padStart(2, '0')}` })).id!);

      const first = (await adapter.send(
        request(HttpMethod.GET, `${P}/connectorGroups`, {
          top: 7,
          filter: "startswith(name,'Kiota page')",
          select: ['id', 'name'],
          count: true,
        }),
        collectionOf(createGroup),
        errors,
      ))!;
      expect(first.value).toHaveLength(7);
      expect(first.odataCount).toBe(25);
      expect(first.odataNextLink?.startsWith(`${origin}/beta${P}/connectorGroups?`)).toBe(true);

      const seen: ConnectorGroup[] = [];
      const iterator = new PageIterator<ConnectorGroup>(
        adapter,
        first,
        (group) => {
          seen.push(group);
          return true;
        },
        collectionOf(createGroup),
        errors,
      );
      await iterator.iterate();
      expect(iterator.getPagingState()).toBe('Complete');
      expect(seen).toHaveLength(25);
      expect(new Set(seen.map((g) => g.id))).toEqual(created);
      expect(seen.every((g) => g.isDefault === undefined && g.name?.startsWith('Kiota page'))).toBe(true);
    });

    it('moves a connector with memberOf/$ref, assigns an application, and deletes', async () => {
      const group = await newGroup({ name: 'Kiota target', region: 'asia' });
      const connector = await newConnector({ machineName: 'kiota-mover.contoso.com', externalIp: '2001:db8::1' });

      // Kiota ignores a $ref POST's response body (201 + group here); any 2xx is success.
      const move = withBody(
        adapter,
        request(HttpMethod.POST, `${P}/connectors/${connector.id}/memberOf/$ref`),
        ref('connectorGroups', group.id!),
        serializeReference,
      );
      await adapter.sendNoResponseContent(move, errors);
      const members = await adapter.send(
        request(HttpMethod.GET, `${P}/connectorGroups/${group.id}/members`),
        collectionOf(createConnector),
        errors,
      );
      expect(members?.value.map((c) => c.id)).toEqual([connector.id]);
      const memberOf = await adapter.send(
        request(HttpMethod.GET, `${P}/connectors/${connector.id}/memberOf`),
        collectionOf(createGroup),
        errors,
      );
      expect(memberOf?.value.map((g) => g.id)).toEqual([group.id]);

      const appId = randomUUID();
      const assign = withBody(
        adapter,
        request(HttpMethod.PUT, `/applications/${appId}/connectorGroup/$ref`),
        ref('connectorGroups', group.id!),
        serializeReference,
      );
      await adapter.sendNoResponseContent(assign, errors);
      expect(await adapter.send(request(HttpMethod.GET, `/applications/${appId}/connectorGroup`), createGroup, errors)).toMatchObject({
        id: group.id,
        name: 'Kiota target',
        region: 'asia',
      });

      // Not deletable while it has members and applications: Graph's error, as Kiota surfaces it.
      const refused = await failure(adapter.sendNoResponseContent(request(HttpMethod.DELETE, `${P}/connectorGroups/${group.id}`), errors));
      expect(refused.responseStatusCode).toBe(409);
      expect(refused.error).toMatchObject({ code: 'conflict' });

      await adapter.sendNoResponseContent(request(HttpMethod.DELETE, `/applications/${appId}/connectorGroup/$ref`), errors);
      await adapter.sendNoResponseContent(request(HttpMethod.DELETE, `${P}/connectors/${connector.id}`), errors);
      await adapter.sendNoResponseContent(request(HttpMethod.DELETE, `${P}/connectorGroups/${group.id}`), errors);
      const gone = await failure(adapter.send(request(HttpMethod.GET, `${P}/connectorGroups/${group.id}`), createGroup, errors));
      expect(gone.responseStatusCode).toBe(404);
      expect(gone.error?.code).toBe('Request_ResourceNotFound');
      expect(gone.error?.innerError?.requestId).toMatch(GUID);
    });

    it("removes a membership with the @id form of DELETE …/members/$ref (the SDK's own URI template) and counts memberOf", async () => {
      const group = await newGroup({ name: 'Kiota removal' });
      const connector = await newConnector({ machineName: 'kiota-removal.contoso.com', externalIp: '192.0.2.30' });
      const add = withBody(
        adapter,
        request(HttpMethod.POST, `${P}/connectorGroups/${group.id}/members/$ref`),
        ref('connectors', connector.id!),
        serializeReference,
      );
      await adapter.sendNoResponseContent(add, errors);
      const count = () =>
        adapter.sendPrimitive<number>(request(HttpMethod.GET, `${P}/connectorGroups/${group.id}/members/$count`), 'number', errors);
      expect(await count()).toBe(1);
      expect(
        await adapter.sendPrimitive<number>(request(HttpMethod.GET, `${P}/connectors/${connector.id}/memberOf/$count`), 'number', errors),
      ).toBe(1);

      // As the generated RefRequestBuilder builds it: `…/members/$ref?@id={%40id}`.
      const remove = new RequestInformation(HttpMethod.DELETE, `{+baseurl}${P}/connectorGroups/${group.id}/members/$ref?@id={%40id}`);
      remove.queryParameters['%40id'] = `${origin}/beta${P}/connectors/${connector.id}`;
      await adapter.sendNoResponseContent(remove, errors);
      expect(await count()).toBe(0);
      const memberOf = await adapter.send(
        request(HttpMethod.GET, `${P}/connectors/${connector.id}/memberOf`),
        collectionOf(createGroup),
        errors,
      );
      expect(memberOf?.value.map((g) => g.name)).toEqual(['Default']);
    });

    it('sends a batch with BatchRequestContent (base64 bodies, no item headers) and reads the statuses', async () => {
      const group = await newGroup({ name: 'Kiota batch target' });
      const batch = new BatchRequestContent(adapter, errors);
      batch.addBatchRequest(request(HttpMethod.GET, `${P}/connectorGroups/${group.id}`), '1');
      const create = batch.addBatchRequest(
        withBody(adapter, request(HttpMethod.POST, `${P}/connectorGroups`), { name: 'Kiota batch group', region: 'ind' }, serializeGroup),
        '2',
      );
      create.dependsOn = ['1'];
      const rename = batch.addBatchRequest(
        withBody(adapter, request(HttpMethod.PATCH, `${P}/connectorGroups/${group.id}`), { name: 'Kiota batch renamed' }, serializeGroup),
        '3',
      );
      rename.dependsOn = ['2'];
      const missing = batch.addBatchRequest(request(HttpMethod.GET, `${P}/connectorGroups/${randomUUID()}`), '4');
      missing.dependsOn = ['3'];
      const blocked = batch.addBatchRequest(request(HttpMethod.DELETE, `${P}/connectorGroups/${group.id}`), '5');
      blocked.dependsOn = ['4'];

      // What Kiota sends: versionless URLs and base64 bodies.
      const sent = batch.getContent().requests;
      expect(sent.map((r) => r.url)).toEqual(expect.arrayContaining([`${P}/connectorGroups`]));
      expect(typeof sent[1]!.body).not.toBe('string'); // an ArrayBuffer, written as base64 on the wire

      const response = (await batch.postAsync())!;
      const statuses = await response.getResponsesStatusCodes();
      expect(Object.fromEntries(statuses)).toEqual({ '1': 200, '2': 201, '3': 200, '4': 404, '5': 424 });
      const created = response.getResponseById('2')!;
      expect(JSON.stringify(created.headers)).toContain('Location');

      // The effects, read back: the base64 bodies were decoded as JSON.
      const list = await adapter.send(
        request(HttpMethod.GET, `${P}/connectorGroups`, { filter: "startswith(name,'Kiota batch')", orderby: ['name'] }),
        collectionOf(createGroup),
        errors,
      );
      expect(list?.value.map((g) => [g.name, g.region])).toEqual([
        ['Kiota batch group', 'ind'],
        ['Kiota batch renamed', null],
      ]);
    });

    it('sends Kiota errors for refusals: 400 naming the property, 403 for a read-only token', async () => {
      const bad = await failure(
        adapter.send(
          withBody(adapter, request(HttpMethod.POST, `${P}/connectorGroups`), { name: '', region: 'mars' }, serializeGroup),
          createGroup,
          errors,
        ),
      );
      expect(bad.responseStatusCode).toBe(400);
      expect(bad.error?.code).toBe('Request_BadRequest');

      const reader = await makeAdapter('Directory.Read.All');
      const groups = await reader.send(request(HttpMethod.GET, `${P}/connectorGroups`, { top: 1 }), collectionOf(createGroup), errors);
      expect(groups?.value).toHaveLength(1);
      const denied = await failure(
        reader.send(
          withBody(reader, request(HttpMethod.POST, `${P}/connectorGroups`), { name: 'Nope' }, serializeGroup),
          createGroup,
          errors,
        ),
      );
      expect(denied.responseStatusCode).toBe(403);
      expect(denied.error?.code).toBe('Authorization_RequestDenied');
    });
  });
}
