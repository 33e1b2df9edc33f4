/**
 * The thinnest honest server for the load benchmark's requests: bare `node:http`, the tenant from an
 * `x-tenant` header (no token check), and the same `@azure/cosmos` calls the service makes for each
 * request, in the same order, with the same If-Match conditions and the same retry on a lost race.
 * No validation, no Graph shaping beyond what a client needs. When the service's round trips change,
 * this file must change with them, or the ratios compare different work.
 *
 * The request logic is `answer`, over a transport-neutral request, so that the floor (`floor.ts`: the same
 * logic served as one Functions function through the local host) makes exactly these calls too.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container, OperationInput } from '@azure/cosmos';
import type { AuditDoc, AuditTarget } from '../src/directory/audit.js';
import { defaultGroupId, membershipId, type GroupDoc, type MembershipDoc } from '../src/directory/documents.js';

const P = '/beta/onPremisesPublishingProfiles/applicationProxy';
const GROUP = new RegExp(`^${P}/connectorGroups/([^/?]+)$`);
const MOVE = new RegExp(`^${P}/connectors/([^/?]+)/memberOf/\\$ref$`);
const MEMBER_OF = new RegExp(`^${P}/connectors/([^/?]+)/memberOf$`);

type Stored<T> = T & { _etag: string };

/** A benchmark request as `answer` needs it, whatever server received it. */
export interface BaselineRequest {
  method: string;
  /** The URL's path, still encoded. */
  path: string;
  tenant: string;
  query: URLSearchParams;
  /** The body, parsed as JSON; read only by the requests that have one. */
  body: () => Promise<unknown>;
}

/** The status, and the JSON value to send (none: an empty body). */
export interface BaselineAnswer {
  status: number;
  value?: unknown;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const send = (res: ServerResponse, status: number, value?: unknown) => {
  const text = value === undefined ? '' : JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
};

function strip<T extends object>(doc: T): T {
  const { _etag, _rid, _self, _ts, _attachments, ...rest } = doc as T & Record<string, unknown>;
  return rest as T;
}

/** As the service's directory: a 412 from the batch means a concurrent writer won; re-read and try again. */
async function retrying<T>(change: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await change();
    } catch (error) {
      if ((error as { status?: number }).status !== 412 || attempt >= 12) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
    }
  }
}

async function batch(container: Container, tenantId: string, ops: OperationInput[]): Promise<unknown[]> {
  const response = await container.items.batch(ops, tenantId);
  const failed = response.result?.find((r) => r.statusCode >= 400 && r.statusCode !== 424);
  if (failed || !response.result) throw Object.assign(new Error('batch failed'), { status: failed?.statusCode ?? response.code });
  return response.result.map((r) => r.resourceBody);
}

/** A group's counter changed in place, as the service's batches do: no read, no If-Match, only a type condition. */
const increment = (id: string, by: number): OperationInput => ({
  operationType: 'Patch',
  id,
  resourceBody: { condition: "from c where c.type = 'connectorGroup'", operations: [{ op: 'incr', path: '/memberCount', value: by }] },
});

const readGroup = async (container: Container, tenantId: string, id: string) =>
  (await container.item(id, tenantId).read<Stored<GroupDoc>>()).resource;

/** The audit record every change writes in its own batch, as the service's: the same document, built plainly. */
function record(
  tenantId: string,
  activityDisplayName: string,
  operationType: string,
  targetResources: ReturnType<typeof target>[],
): OperationInput {
  const doc = {
    id: randomUUID(),
    tenantId,
    type: 'directoryAudit',
    ttl: 30 * 86_400,
    category: 'ResourceManagement',
    correlationId: randomUUID(),
    result: 'success',
    resultReason: '',
    activityDisplayName,
    activityDateTime: new Date().toISOString(),
    loggedByService: 'Application Proxy',
    operationType,
    initiatedBy: {
      user: { id: null, displayName: null, userPrincipalName: null, ipAddress: null, homeTenantId: tenantId, homeTenantName: null },
      app: null,
    },
    targetResources,
    additionalDetails: [],
    userAgent: null,
  } satisfies AuditDoc;
  return { operationType: 'Create', resourceBody: doc };
}

const target = (type: AuditTarget['type'], id: string, name: string, oldValue: unknown, newValue: unknown) => ({
  id,
  displayName: null,
  type,
  userPrincipalName: null,
  groupType: null,
  modifiedProperties: [
    { displayName: name, oldValue: oldValue === undefined ? null : JSON.stringify(oldValue), newValue: JSON.stringify(newValue) },
  ],
});

// One batch: the connector, its edge, Default's count, and the record.
async function createConnector(container: Container, tenantId: string, input: { machineName: string; externalIp: string }) {
  const id = randomUUID();
  const [created] = await batch(container, tenantId, [
    { operationType: 'Create', resourceBody: { id, tenantId, type: 'connector', ...input, status: 'active', version: '' } },
    {
      operationType: 'Create',
      resourceBody: { id: membershipId(id), tenantId, type: 'connectorMembership', connectorId: id, groupId: defaultGroupId(tenantId) },
    },
    increment(defaultGroupId(tenantId), 1),
    record(tenantId, 'Register connector', 'Add', [target('Connector', id, 'MachineName', undefined, input.machineName)]),
  ]);
  return created;
}

// Read the edge, then one batch: the edge under its If-Match, both counts and the record; the reply is the target group.
const move = (container: Container, tenantId: string, connectorId: string, targetId: string) =>
  retrying(async () => {
    const edge = (await container.item(membershipId(connectorId), tenantId).read<Stored<MembershipDoc>>()).resource!;
    if (edge.groupId === targetId) return undefined;
    const results = await batch(container, tenantId, [
      { operationType: 'Replace', id: edge.id, resourceBody: { ...strip(edge), groupId: targetId }, ifMatch: edge._etag },
      increment(edge.groupId, -1),
      increment(targetId, 1),
      record(tenantId, 'Add a Connector to Connector Group', 'Assign', [
        target('ConnectorGroup', targetId, 'ConnectorId', undefined, connectorId),
        target('Connector', connectorId, 'ConnectorGroupId', edge.groupId, targetId),
      ]),
    ]);
    return strip(results[2] as Stored<GroupDoc>);
  });

/** The benchmark's requests answered with the thinnest Cosmos calls; shared by the baseline and the floor. */
export async function answer(container: Container, req: BaselineRequest): Promise<BaselineAnswer> {
  const { method, path, tenant: tenantId } = req;
  let match: RegExpExecArray | null;
  if (method === 'GET' && (match = GROUP.exec(path))) {
    const group = await readGroup(container, tenantId, decodeURIComponent(match[1]!));
    return group ? { status: 200, value: strip(group) } : { status: 404 };
  }
  if (method === 'GET' && (match = MEMBER_OF.exec(path))) {
    const { resource: edge } = await container.item(membershipId(decodeURIComponent(match[1]!)), tenantId).read<MembershipDoc>();
    return edge ? { status: 200, value: { value: [{ id: edge.groupId }] } } : { status: 404 };
  }
  if (method === 'GET' && path === `${P}/connectors`) {
    const page = await container.items
      .query(
        {
          query: 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.type = @type',
          parameters: [
            { name: '@tenantId', value: tenantId },
            { name: '@type', value: 'connector' },
          ],
        },
        { partitionKey: tenantId, maxItemCount: Number(req.query.get('$top') ?? 100) },
      )
      .fetchNext();
    return { status: 200, value: { value: page.resources.map(strip), '@odata.nextLink': page.continuationToken ? 'next' : undefined } };
  }
  if (method === 'POST' && path === `${P}/connectors`) {
    return {
      status: 201,
      value: await createConnector(container, tenantId, (await req.body()) as { machineName: string; externalIp: string }),
    };
  }
  if (method === 'POST' && (match = MOVE.exec(path))) {
    const reference = (await req.body()) as { '@odata.id': string };
    const targetId = reference['@odata.id'].split('/').pop()!;
    const moved = await move(container, tenantId, decodeURIComponent(match[1]!), targetId);
    return moved ? { status: 201, value: moved } : { status: 400 };
  }
  if (method === 'POST' && path === '/beta/$batch') {
    const { requests } = (await req.body()) as { requests: { id: string; url: string }[] };
    const responses = await Promise.all(
      requests.map(async (item) => {
        const group = await readGroup(container, tenantId, item.url.split('/').pop()!);
        return { id: item.id, status: group ? 200 : 404, body: group ? strip(group) : undefined };
      }),
    );
    return { status: 200, value: { responses } };
  }
  return { status: 404 };
}

export function startBaseline(container: Container): Promise<{ url: string; close(): Promise<void> }> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { status, value } = await answer(container, {
      method: req.method ?? 'GET',
      path: url.pathname,
      tenant: String(req.headers['x-tenant']),
      query: url.searchParams,
      body: () => body(req),
    });
    send(res, status, value);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('baseline:', error);
      if (!res.headersSent) send(res, 500);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      }),
    );
  });
}
