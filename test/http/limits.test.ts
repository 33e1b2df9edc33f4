/**
 * No input exhausts the stack or the heap: every JSON body (a `$batch` body and its items included) and
 * every `$filter` has a bounded depth, and past the bound the caller gets a clear 400, through the local host.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../src/graph/body.js';
import { PROFILE, expectError, startTestApp, tenantDocs, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => (t = await startTestApp()));
afterAll(async () => t?.close());

const GROUPS = `${PROFILE}/connectorGroups`;
/** A JSON array nested `depth` levels deep. */
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const json = { 'content-type': 'application/json' };

describe('JSON depth', () => {
  it('scans depth in one pass, counting only structure outside strings', () => {
    expect(nestsDeeperThan(deepArray(3), 3)).toBe(false);
    expect(nestsDeeperThan(deepArray(4), 3)).toBe(true);
    expect(nestsDeeperThan(`{"a":"${'['.repeat(100)}","b":"\\"[[[["}`, 1)).toBe(false);
    expect(nestsDeeperThan('[{"a":[{"b":[]}]}]', 5)).toBe(false);
    expect(nestsDeeperThan('[{"a":[{"b":[]}]}]', 4)).toBe(true);
    // Siblings do not add up.
    expect(nestsDeeperThan(`[${Array.from({ length: 1000 }, () => '[]').join(',')}]`, 2)).toBe(false);
  });

  it('refuses a body nested past the bound with a 400 that says so, and accepts the bound itself', async () => {
    const tenant = randomUUID();
    const body = (depth: number) => `{"name":${deepArray(depth - 1)}}`;
    for (const depth of [MAX_JSON_DEPTH + 1, 6000, 200_000]) {
      expectError(
        await t.call('POST', `/beta${GROUPS.slice(5)}`, { tenant, raw: body(depth), headers: json }),
        400,
        'Request_BadRequest',
        'levels deep',
      );
    }
    // At the bound the body is parsed and validated: 400 for the wrong type, not for the depth.
    const atBound = await t.call('POST', GROUPS, { tenant, raw: body(MAX_JSON_DEPTH), headers: json });
    expectError(atBound, 400, 'Request_BadRequest', "'name'");
    // Brackets inside strings are text.
    const named = await t.call('POST', GROUPS, { tenant, body: { name: `${'['.repeat(200)}{"` } });
    expect(named.status, named.text).toBe(201);
  });

  it('refuses a $batch whose item body nests 6,000 deep (was a RangeError and a 500), storing nothing', async () => {
    const tenant = randomUUID();
    const raw = `{"requests":[{"id":"1","method":"POST","url":"${GROUPS.slice(5)}","headers":{"content-type":"application/json"},"body":{"name":${deepArray(6000)}}},{"id":"2","method":"POST","url":"${GROUPS.slice(5)}","body":{"name":"kept out"}}]}`;
    expectError(await t.call('POST', '/beta/$batch', { tenant, raw, headers: json }), 400, 'Request_BadRequest', 'levels deep');
    expect(await tenantDocs(t.container, tenant)).toEqual([]);
  });

  it('runs a $batch item whose body is just within the bound through the function, which refuses it (400 item)', async () => {
    const tenant = randomUUID();
    // The envelope takes three levels: {requests: [ {body: ...} ]}.
    const itemBody = `{"name":${deepArray(MAX_JSON_DEPTH - 4)}}`;
    const raw = `{"requests":[{"id":"1","method":"POST","url":"${GROUPS.slice(5)}","body":${itemBody}}]}`;
    const r = await t.call('POST', '/beta/$batch', { tenant, raw, headers: json });
    expect(r.status, r.text).toBe(200);
    expect(r.body.responses[0]).toMatchObject({ id: '1', status: 400, body: { error: { code: 'Request_BadRequest' } } });
  });

  it('bounds $filter nesting and length with a 400 (parentheses, not, and/or chains)', async () => {
    const tenant = randomUUID();
    for (const filter of [
      `${'('.repeat(500)}isDefault${')'.repeat(500)}`,
      `${'not '.repeat(500)}isDefault`,
      Array(300).fill('isDefault').join(' or '),
    ]) {
      expectError(await t.call('GET', `${GROUPS}?$filter=${encodeURIComponent(filter)}`, { tenant }), 400, 'Request_BadRequest', '$filter');
    }
  });
});
