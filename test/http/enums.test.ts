import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROFILE, readDoc, startTestApp, type TestApp } from '../support/app.js';

/** Evolvable enums: a region this contract does not know (the real service has returned "japan"). */
let t: TestApp;
beforeAll(async () => (t = await startTestApp()));
afterAll(async () => t?.close());

it('shows an unknown stored region as unknownFutureValue unless the caller prefers unknown members', async () => {
  const tenant = randomUUID();
  const created = await t.call('POST', `${PROFILE}/connectorGroups`, { tenant, body: { name: 'Tokyo' } });
  const doc = (await readDoc(t.container, tenant, created.body.id))!;
  await t.container.item(doc.id, tenant).replace({ ...doc, region: 'japan' });

  const plain = await t.call('GET', `${PROFILE}/connectorGroups/${doc.id}`, { tenant });
  expect(plain.body.region).toBe('unknownFutureValue');
  expect(plain.headers.get('preference-applied')).toBeNull();

  const prefer = { prefer: 'include-unknown-enum-members' };
  const opted = await t.call('GET', `${PROFILE}/connectorGroups/${doc.id}`, { tenant, headers: prefer });
  expect(opted.body.region).toBe('japan');
  expect(opted.headers.get('preference-applied')).toBe('include-unknown-enum-members');

  const list = await t.call('GET', `${PROFILE}/connectorGroups?$filter=name eq 'Tokyo'`, { tenant });
  expect(list.body.value.map((g: { region: string }) => g.region)).toEqual(['unknownFutureValue']);
  const listOpted = await t.call('GET', `${PROFILE}/connectorGroups?$filter=name eq 'Tokyo'`, { tenant, headers: prefer });
  expect(listOpted.body.value.map((g: { region: string }) => g.region)).toEqual(['japan']);

  // A PATCH that sends unknownFutureValue back leaves the stored value alone.
  const patched = await t.call('PATCH', `${PROFILE}/connectorGroups/${doc.id}`, {
    tenant,
    body: { name: 'Tokyo 2', region: 'unknownFutureValue' },
  });
  expect(patched.status).toBe(200);
  expect((await readDoc(t.container, tenant, doc.id))!.region).toBe('japan');
});
