/**
 * The store's scope (lib/deadline.ts): every call stays in its tenant's partition and ends by its
 * deadline, against the embedded Cosmos server (or a real account, as test/support/cosmos.ts says).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { containerIndexingPolicy, type GroupDoc } from '../../src/directory/documents.js';
import { StoreError } from '../../src/store/errors.js';
import type { Stored } from '../../src/lib/query.js';
import { ensureContainer } from '../../src/store/client.js';
import { Store, createOp, deleteOp, incrementOp } from '../../src/store/store.js';
import { connectTestCosmos, createTestContainer, type TestContainer, type TestCosmos } from '../support/cosmos.js';

let cosmos: TestCosmos;
let made: TestContainer;
let store: Store;

beforeAll(async () => {
  cosmos = await connectTestCosmos();
  made = await createTestContainer(cosmos.client, { prefix: 'scope', indexingPolicy: containerIndexingPolicy() });
  store = new Store(made.container);
});

afterAll(async () => {
  await made?.dispose();
  await cosmos?.close();
});

const group = (tenantId: string): GroupDoc => ({
  id: randomUUID(),
  tenantId,
  type: 'connectorGroup',
  name: 'g',
  connectorGroupType: 'applicationProxy',
  isDefault: false,
  region: null,
  memberCount: 0,
  applicationCount: 0,
});

describe('the store keeps to its scope', () => {
  it('refuses to write a document of another tenant, by create or in a batch, and sends nothing', async () => {
    const scope = { tenantId: randomUUID() };
    const other = group(randomUUID());
    await expect(store.create(scope, other)).rejects.toThrow(/another tenant/);
    await expect(store.batch(scope, [createOp(group(scope.tenantId)), createOp(other)])).rejects.toThrow(/another tenant/);
    expect(await store.read({ tenantId: other.tenantId }, other.id)).toBeUndefined();
    expect(await store.count(scope, { type: 'connectorGroup' })).toBe(0);
  });

  it('reads only in its tenant: the same id in another scope is not found', async () => {
    const scope = { tenantId: randomUUID() };
    const doc = await store.create(scope, group(scope.tenantId));
    expect((await store.read<GroupDoc>(scope, doc.id))?.name).toBe('g');
    expect(await store.read({ tenantId: randomUUID() }, doc.id)).toBeUndefined();
  });

  it('makes no call once its deadline has passed: unavailable, and nothing written', async () => {
    const controller = new AbortController();
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    const scope = { tenantId: randomUUID(), deadline: { at: Date.now() - 1, signal: controller.signal } };
    const error = await store.create(scope, group(scope.tenantId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).kind).toBe('unavailable');
    expect(await store.count({ tenantId: scope.tenantId }, { type: 'connectorGroup' })).toBe(0);
  });

  it("answers a batch's results in its operations' order, each typed by its builder", async () => {
    const scope = { tenantId: randomUUID() };
    const [a, b] = [group(scope.tenantId), group(scope.tenantId)];
    await store.create(scope, b);
    const results = await store.batch(scope, [
      createOp(a),
      incrementOp<GroupDoc>('connectorGroup', a.id, { memberCount: 2 }),
      deleteOp(b.id),
    ]);
    expectTypeOf(results).toEqualTypeOf<[Stored<GroupDoc>, Stored<GroupDoc>, undefined]>();
    const [created, incremented, deleted] = results;
    expect([created.id, created.memberCount, incremented.memberCount, deleted]).toEqual([a.id, 0, 2, undefined]);
    expect(await store.read(scope, b.id)).toBeUndefined();
  });
});

describe('the container as the service makes it where nothing provisions it (npm start)', () => {
  it('has time to live on without a default, and gets it turned on when it was made without', async () => {
    const settings = { endpoint: 'https://unused.invalid', database: `ttl-${randomUUID().slice(0, 8)}`, container: 'directory' };
    const made = await ensureContainer(cosmos.client, settings, containerIndexingPolicy());
    expect((await made.read()).resource?.defaultTtl).toBe(-1);
    await made.delete();
    await cosmos.client.database(settings.database).containers.create({ id: settings.container, partitionKey: { paths: ['/tenantId'] } });
    const older = await ensureContainer(cosmos.client, settings, containerIndexingPolicy());
    expect((await older.read()).resource?.defaultTtl).toBe(-1);
    await cosmos.client.database(settings.database).delete();
  });
});
