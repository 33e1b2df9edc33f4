/**
 * A concurrent mixed workload of two tenants over a proxy that injects Cosmos faults at random (429 with
 * x-ms-retry-after-ms, 503, 410, resets before and after the upstream write, delays). Every answer must be
 * a Graph success or refusal, never a 500, and 429/503 carry Retry-After; afterwards, read straight from
 * Cosmos, every invariant holds: each connector in exactly one group, counts equal to edges, no document
 * outside its tenant, no write reported as failed that committed, and every stored change with exactly
 * one audit record and every record with its change (their write ids).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { membershipId } from '../../src/directory/documents.js';
import { PROFILE, expectRecorded, startTestApp, tenantDocs, type Reply, type TestApp } from '../support/app.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.js';
import { SCALE, SEED, seeded } from '../support/scale.js';

let proxy: FaultProxy;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    // A deadline the injected delays never reach: requests cut off in flight are faults.test.ts's subject.
    env: { REQUEST_DEADLINE_MS: '15000' },
    through: async (endpoint) => (proxy = await startFaultProxy(endpoint)).endpoint,
  });
});
afterAll(async () => {
  await t?.close();
  await proxy?.close();
});

const OPERATIONS = 80 * SCALE;
const CONCURRENCY = 8;
const FAULT_RATE = 0.15;
const tenants = [randomUUID(), randomUUID()];
const ref = (kind: string, id: string) => ({
  '@odata.id': `https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/${kind}/${id}`,
});

it(`keeps every invariant under injected faults (${OPERATIONS} operations, seed ${SEED})`, { timeout: 60_000 * SCALE }, async () => {
  const random = seeded(SEED);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const faults: (() => Fault)[] = [
    () => ({ kind: 'throttle', retryAfterMs: 20 + Math.floor(random() * 80) }),
    () => ({ kind: 'status', status: 503 }),
    () => ({ kind: 'status', status: 410 }),
    () => ({ kind: 'resetBefore' }),
    () => ({ kind: 'resetAfter' }),
    () => ({ kind: 'delay', ms: 20 + Math.floor(random() * 200) }),
  ];
  proxy.decide = (r) => (r.path.includes('/docs') && random() < FAULT_RATE ? pick(faults)() : undefined);

  const state = tenants.map(() => ({ groups: [] as string[], connectors: [] as string[], deleted: new Set<string>() }));
  const failedCreates: { tenant: string; id: string }[] = [];
  const failedDeletes: { tenant: string; id: string; status: number }[] = [];
  const statuses: Record<number, number> = {};

  const check = (what: string, r: Reply) => {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    expect(r.status, `${what}: ${r.text}`).not.toBe(500);
    expect(r.status < 500 || r.status === 503, `${what}: ${r.status} ${r.text}`).toBe(true);
    if (r.status >= 400) expect(r.body?.error?.code, `${what}: ${r.text}`).toEqual(expect.any(String));
    if (r.status === 429 || r.status === 503) expect(r.headers.get('retry-after'), what).toMatch(/^[1-9]\d*$/);
    return r;
  };

  const step = async () => {
    const ti = Math.floor(random() * tenants.length);
    const tenant = tenants[ti]!;
    const s = state[ti]!;
    const live = s.connectors.filter((c) => !s.deleted.has(c));
    const roll = random();
    if (roll < 0.25 || live.length === 0) {
      const id = randomUUID();
      const r = check(
        'create connector',
        await t.call('POST', `${PROFILE}/connectors`, { tenant, body: { id, machineName: 'w.contoso.com', externalIp: '10.1.1.1' } }),
      );
      if (r.status === 201) s.connectors.push(id);
      else failedCreates.push({ tenant, id });
    } else if (roll < 0.35 || s.groups.length === 0) {
      const id = randomUUID();
      const r = check(
        'create group',
        await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { id, name: `w-${id.slice(0, 6)}` } }),
      );
      if (r.status === 201) s.groups.push(id);
      else failedCreates.push({ tenant, id });
    } else if (roll < 0.65) {
      check(
        'move',
        await t.call('POST', `${PROFILE}/connectorGroups/${pick(s.groups)}/members/$ref`, { tenant, body: ref('connectors', pick(live)) }),
      );
    } else if (roll < 0.75) {
      const id = pick(live);
      s.deleted.add(id);
      const r = check('delete connector', await t.call('DELETE', `${PROFILE}/connectors/${id}`, { tenant }));
      if (r.status !== 204) failedDeletes.push({ tenant, id, status: r.status });
    } else if (roll < 0.85) {
      check(
        'assign',
        await t.call('PUT', `/beta/applications/${pick(['a1', 'a2', 'a3'])}/connectorGroup/$ref`, {
          tenant,
          body: ref('connectorGroups', pick(s.groups)),
        }),
      );
    } else {
      check('list', await t.call('GET', `${PROFILE}/connectorGroups/${pick(s.groups)}/members?$top=5`, { tenant }));
    }
  };
  let left = OPERATIONS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await step();
    }),
  );
  proxy.decide = () => undefined;
  console.log(`workload: ${OPERATIONS} operations, answers ${JSON.stringify(statuses)}, faults ${JSON.stringify(proxy.counts)}`);
  expect(Object.keys(proxy.counts).filter((k) => k !== 'forwarded').length).toBeGreaterThan(3);

  const all = await Promise.all(tenants.map((tenant) => tenantDocs(t.container, tenant)));
  for (const [i, docs] of all.entries()) {
    const tenant = tenants[i]!;
    const other = all[1 - i]!;
    const byId = new Map(docs.map((d) => [d.id as string, d]));
    expect(docs.every((d) => d.tenantId === tenant)).toBe(true);
    // Nothing of one tenant is referenced or held by the other.
    const otherIds = new Set(other.map((d) => d.id));
    for (const d of docs) for (const key of ['groupId', 'connectorId']) if (d[key]) expect(otherIds.has(d[key])).toBe(false);
    const connectors = docs.filter((d) => d.type === 'connector');
    const edges = docs.filter((d) => d.type === 'connectorMembership');
    const assignments = docs.filter((d) => d.type === 'applicationAssignment');
    // Each connector in exactly one existing group; no edge without its connector.
    for (const c of connectors) {
      const edge = byId.get(membershipId(c.id as string));
      expect(edge, `edge of ${c.id}`).toBeDefined();
      expect(byId.get(edge!.groupId as string)?.type).toBe('connectorGroup');
    }
    for (const e of edges) expect(byId.get(e.connectorId as string)?.type).toBe('connector');
    expect(edges.length).toBe(connectors.length);
    for (const g of docs.filter((d) => d.type === 'connectorGroup')) {
      expect(g.memberCount, `members of ${g.id}`).toBe(edges.filter((e) => e.groupId === g.id).length);
      expect(g.applicationCount, `applications of ${g.id}`).toBe(assignments.filter((a) => a.groupId === g.id).length);
    }
    // No committed write was reported as failed.
    for (const f of failedCreates.filter((f) => f.tenant === tenant))
      expect(byId.has(f.id), `create ${f.id} failed yet stored`).toBe(false);
    for (const f of failedDeletes.filter((f) => f.tenant === tenant))
      expect(byId.has(f.id), `delete ${f.id} answered ${f.status} yet gone`).toBe(true);
    // One record per change that was answered as made, none for one answered as failed.
    const records = await expectRecorded(t.container, tenant);
    const targetsOf = (...activities: string[]) =>
      records
        .filter((r) => activities.includes(r.activityDisplayName))
        .map((r) => r.targetResources[0].id as string)
        .sort();
    const s = state[i]!;
    expect(targetsOf('Register connector', 'Add connector Group')).toEqual([...s.connectors, ...s.groups].sort());
    const failed = new Set(failedDeletes.filter((f) => f.tenant === tenant).map((f) => f.id));
    expect(targetsOf('Delete connector')).toEqual([...s.deleted].filter((id) => !failed.has(id)).sort());
  }
});
