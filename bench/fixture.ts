/**
 * The data the load benchmark runs over, written straight into a container in the service's document
 * shapes, so the service and the baseline start from identical data. Three kinds of tenant:
 *
 * - `main`: the Default group holding `listSize` connectors, and one more group (`groupId`) to read;
 * - `moves`: `movePool` connectors, each alternating between its own two groups, so concurrent moves
 *   never touch the same group (the benchmark measures per-request cost, not contention on one document);
 * - `creates`: tenants that only receive creates, spread round-robin for the same reason.
 */
import { randomUUID } from 'node:crypto';
import type { Container, OperationInput } from '@azure/cosmos';
import {
  GROUP_TYPE,
  type Doc,
  defaultGroupId,
  membershipId,
  type ConnectorDoc,
  type GroupDoc,
  type MembershipDoc,
} from '../src/directory/documents.js';

export interface Fixture {
  main: { tenant: string; groupId: string; listSize: number };
  moves: { tenant: string; pool: { connectorId: string; groups: [string, string] }[] };
  creates: { tenants: string[] };
}

export function planFixture(options: { listSize: number; movePool: number; createTenants: number }): Fixture {
  return {
    main: { tenant: randomUUID(), groupId: randomUUID(), listSize: options.listSize },
    moves: {
      tenant: randomUUID(),
      pool: Array.from({ length: options.movePool }, () => ({ connectorId: randomUUID(), groups: [randomUUID(), randomUUID()] })),
    },
    creates: { tenants: Array.from({ length: options.createTenants }, () => randomUUID()) },
  };
}

const group = (tenantId: string, id: string, memberCount: number, isDefault = false): GroupDoc => ({
  id,
  tenantId,
  type: 'connectorGroup',
  name: isDefault ? 'Default' : `group ${id.slice(0, 8)}`,
  connectorGroupType: GROUP_TYPE,
  isDefault,
  region: null,
  memberCount,
  applicationCount: 0,
});

const connector = (tenantId: string, id: string, i: number): ConnectorDoc => ({
  id,
  tenantId,
  type: 'connector',
  machineName: `host-${i}.contoso.com`,
  externalIp: `192.0.2.${i % 250}`,
  status: 'active',
  version: '1.5.3437.0',
});

const edge = (tenantId: string, connectorId: string, groupId: string): MembershipDoc => ({
  id: membershipId(connectorId),
  tenantId,
  type: 'connectorMembership',
  connectorId,
  groupId,
});

/** Transactional batches of at most 100 creates, one partition at a time. */
async function write(container: Container, tenantId: string, docs: Doc[]): Promise<void> {
  for (let start = 0; start < docs.length; start += 100) {
    const ops: OperationInput[] = docs.slice(start, start + 100).map((doc) => ({ operationType: 'Create', resourceBody: { ...doc } }));
    const response = await container.items.batch(ops, tenantId);
    const failed = response.result?.find((r) => r.statusCode >= 400);
    if (failed || (response.code ?? 200) >= 400) throw new Error(`fixture: batch failed with ${failed?.statusCode ?? response.code}`);
  }
}

export async function seedFixture(container: Container, fixture: Fixture): Promise<void> {
  const { main, moves, creates } = fixture;
  const mainDefault = defaultGroupId(main.tenant);
  const mainDocs: Doc[] = [group(main.tenant, mainDefault, main.listSize, true), group(main.tenant, main.groupId, 0)];
  for (let i = 0; i < main.listSize; i++) {
    const id = randomUUID();
    mainDocs.push(connector(main.tenant, id, i), edge(main.tenant, id, mainDefault));
  }
  await write(container, main.tenant, mainDocs);

  const moveDocs: Doc[] = [group(moves.tenant, defaultGroupId(moves.tenant), 0, true)];
  moves.pool.forEach(({ connectorId, groups: [a, b] }, i) => {
    moveDocs.push(
      connector(moves.tenant, connectorId, i),
      edge(moves.tenant, connectorId, a),
      group(moves.tenant, a, 1),
      group(moves.tenant, b, 0),
    );
  });
  await write(container, moves.tenant, moveDocs);

  for (const tenant of creates.tenants) await write(container, tenant, [group(tenant, defaultGroupId(tenant), 0, true)]);
}
