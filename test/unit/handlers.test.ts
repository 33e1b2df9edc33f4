import functions from '@azure/functions';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/directory/directory.js';
import type { Page, Stored } from '../../src/lib/query.js';
import { notFound } from '../../src/directory/errors.js';
import type { ConnectorDoc, GroupDoc } from '../../src/directory/documents.js';
import { connectorsGet, connectorsList } from '../../src/functions/connectors.js';
import { applicationsConnectorGroupMembersMemberOfAdd } from '../../src/functions/move-connector.js';
import type { Services } from '../../src/functions/services.js';
import { serve, toHttpHandler, type Endpoint } from '../../src/graph/endpoint.js';
import type { Authenticator } from '../../src/identity/index.js';

/**
 * Handlers against a fake directory: what each endpoint asks of the domain and how it answers, without a
 * database. The HTTP tests prove the same endpoints over the real stack.
 */
const { HttpRequest, HttpResponse, InvocationContext } = functions;

const TENANT = '3f9a5c1e-6b2d-4e8f-a7c0-1d4b8e2f6a93';
const APP = '11111111-2222-4333-8444-555555555555';
const CONNECTOR = 'a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4';
const TARGET = 'c0c0c0c0-d1d1-4e2e-8f3f-a4a4a4a4a4a4';
const SOURCE = 'e0e0e0e0-f1f1-4a2a-8b3b-c4c4c4c4c4c4';
const BASE = 'http://localhost/beta';
const PROFILE = `${BASE}/onPremisesPublishingProfiles/applicationProxy`;

const caller: Authenticator = { authenticate: async () => ({ tenantId: TENANT, scopes: ['Directory.ReadWrite.All'] }) };

async function call(
  endpoint: Endpoint<Services>,
  directory: Partial<Directory>,
  method: string,
  url: string,
  params: Record<string, string>,
  body?: unknown,
) {
  const services: Services = {
    directory: directory as Directory,
    pagingKey: new Uint8Array(32).fill(7),
    routes: () => {
      throw new Error('unused');
    },
  };
  const handler = toHttpHandler(serve(endpoint, services), endpoint.access, caller);
  const request = new HttpRequest({
    method,
    url,
    params,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : { string: JSON.stringify(body) },
  });
  const response = new HttpResponse((await handler(request, new InvocationContext())) as object);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const connector = (id: string): Stored<ConnectorDoc> => ({
  id,
  tenantId: TENANT,
  type: 'connector',
  machineName: 'host-1',
  externalIp: '10.0.0.1',
  status: 'active',
  version: '',
  _etag: '"e1"',
});

describe('handlers over a fake directory', () => {
  it("seed 002 moves the connector out of the application's group, naming it as the expected source", async () => {
    const moves: unknown[][] = [];
    const directory: Partial<Directory> = {
      groupIdOfApplication: async (scope, app) => (scope.tenantId === TENANT && app === APP ? SOURCE : 'wrong'),
      moveConnector: async (...args) => {
        moves.push(args);
        return {} as Stored<GroupDoc>;
      },
    };
    const url = `${BASE}/applications/${APP}/connectorGroup/members/${CONNECTOR}/memberOf/$ref`;
    const reply = await call(
      applicationsConnectorGroupMembersMemberOfAdd,
      directory,
      'POST',
      url,
      { applicationId: APP, connectorId: CONNECTOR },
      {
        '@odata.id': `${PROFILE}/connectorGroups/${TARGET}`,
      },
    );
    expect(reply.status).toBe(204);
    expect(moves).toEqual([
      [{ tenantId: TENANT, actor: expect.objectContaining({ correlationId: expect.any(String) }) }, CONNECTOR, TARGET, SOURCE],
    ]);
  });

  it("answers the domain's not-found in Graph's words", async () => {
    const directory: Partial<Directory> = { connector: async () => Promise.reject(notFound('connector')) };
    const reply = await call(connectorsGet, directory, 'GET', `${PROFILE}/connectors/${CONNECTOR}`, {
      profileId: 'applicationProxy',
      id: CONNECTOR,
    });
    expect(reply.status).toBe(404);
    expect(reply.body.error).toMatchObject({
      code: 'Request_ResourceNotFound',
      message: "Resource 'connector' does not exist or one of its queried reference-property objects are not present.",
    });
  });

  it('hands the parsed query to the directory and turns its continuation into a bound nextLink', async () => {
    const asked: unknown[] = [];
    const directory: Partial<Directory> = {
      listConnectors: async (scope, query, page): Promise<Page<Stored<ConnectorDoc>>> => {
        asked.push({ tenant: scope.tenantId, query, page });
        return page.continuation ? { items: [connector(TARGET)] } : { items: [connector(CONNECTOR)], continuation: 'cosmos-page-2' };
      },
    };
    const first = await call(connectorsList, directory, 'GET', `${PROFILE}/connectors?$filter=status eq 'active'&$top=1`, {
      profileId: 'applicationProxy',
    });
    expect(first.status).toBe(200);
    expect(first.body.value.map((c: { id: string }) => c.id)).toEqual([CONNECTOR]);
    expect(asked[0]).toEqual({
      tenant: TENANT,
      query: { filter: { kind: 'eq', property: 'status', value: 'active' }, orderBy: [] },
      page: { pageSize: 1, continuation: undefined },
    });
    const next = new URL(first.body['@odata.nextLink']);
    const second = await call(connectorsList, directory, 'GET', next.toString(), { profileId: 'applicationProxy' });
    expect(second.body.value.map((c: { id: string }) => c.id)).toEqual([TARGET]);
    expect((asked[1] as { page: unknown }).page).toEqual({ pageSize: 1, continuation: 'cosmos-page-2' });
  });
});
