/**
 * Property-based fuzz (fast-check) of paths, headers, query options and bodies, `$batch` included, sent
 * through the local host over real HTTP: every answer is a Graph-shaped success or 4xx (or 429/503 with
 * Retry-After), the process stays up, and nothing invalid is stored (each document of the tenant passes
 * the same rules as a create, and the membership invariants hold).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONNECTOR_STATUSES, REGIONS, defaultGroupId, membershipId } from '../../src/directory/documents.js';
import { createConnectorSchema } from '../../src/directory/wire.js';
import { PROFILE, startTestApp, tenantDocs, type TestApp } from '../support/app.js';
import { SCALE, SEED } from '../support/scale.js';
import { tokenFor } from '../support/tokens.js';

let t: TestApp;
const tenant = randomUUID();
let token: string;
const known = { group: '', connector: '' };
beforeAll(async () => {
  t = await startTestApp();
  token = await tokenFor(tenant);
  known.group = (await t.createGroup(tenant)).id;
  known.connector = (await t.createConnector(tenant)).id;
});
afterAll(async () => t?.close());

const RUNS = 200 * SCALE;
const CHARS = ' !"#$%&\'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~';
const ascii = (max: number) => fc.string({ unit: fc.constantFrom(...`${CHARS}é✓`.split('')), maxLength: max });
/** Header values: what HTTP can carry (visible ASCII and space). */
const headerText = (max: number) => fc.string({ unit: fc.constantFrom(...CHARS.split('')), maxLength: max });

const segment = fc.oneof(
  fc.constantFrom(
    'onPremisesPublishingProfiles',
    'applicationProxy',
    'connectorGroups',
    'connectors',
    'members',
    'memberOf',
    '$ref',
    '$count',
    'applications',
    'connectorGroup',
    '$batch',
    'agents',
    '..',
    '%2F',
    '%',
    '%E0%A4',
  ),
  fc.constant(null).map(() => known.group),
  fc.constant(null).map(() => known.connector),
  fc.uuid(),
  ascii(12).map(encodeURIComponent),
);
const path = fc
  .tuple(fc.constantFrom('beta', 'v1.0', 'beta', 'v2', ''), fc.array(segment, { maxLength: 7 }))
  .map(([v, segs]) => `/${[v, ...segs].join('/')}`);
const realistic = fc.constantFrom(
  `${PROFILE}/connectorGroups`,
  `${PROFILE}/connectors`,
  `${PROFILE}/connectorGroups/{g}`,
  `${PROFILE}/connectors/{c}`,
  `${PROFILE}/connectorGroups/{g}/members`,
  `${PROFILE}/connectorGroups/{g}/members/$ref`,
  `${PROFILE}/connectors/{c}/memberOf/$ref`,
  `${PROFILE}/connectorGroups/$count`,
  '/beta/applications/app1/connectorGroup/$ref',
  '/beta/$batch',
);
const filterText = fc.oneof(
  ascii(40),
  fc.constantFrom(
    "name eq 'a'",
    "startswith(name,'w')",
    'isDefault eq true',
    "region in ('eur','nam')",
    'not (isDefault)',
    "status eq 'active'",
    "(((name eq 'x')))",
  ),
  fc
    .array(fc.constantFrom('(', ')', 'not ', ' and ', ' or ', 'name', " eq 'x'", 'isDefault', 'null', ','), { maxLength: 30 })
    .map((p) => p.join('')),
);
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('$filter', '$top', '$select', '$orderby', '$count', '$skiptoken', 'top', 'filter', '$expand', '$skip', 'x'),
      fc.oneof(filterText, fc.integer({ min: -5, max: 2000 }).map(String), fc.constantFrom('id,name', 'name desc', 'true', 'false')),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''));
const groupLike = fc.record(
  { name: fc.oneof(ascii(20), fc.constant('Default')), region: fc.constantFrom(...REGIONS, null, 'japan') },
  { requiredKeys: [] },
);
const connectorLike = fc.record(
  {
    machineName: fc.oneof(fc.domain(), ascii(20)),
    externalIp: fc.oneof(fc.ipV4(), fc.ipV6(), ascii(10)),
    status: fc.constantFrom(...CONNECTOR_STATUSES, 'broken'),
    version: fc.constantFrom('', '1.5.3437.0', 'x'),
  },
  { requiredKeys: [] },
);
const jsonBody = fc.oneof(
  groupLike,
  connectorLike,
  fc.jsonValue({ maxDepth: 4 }),
  fc.constant({ '@odata.id': 'https://graph.microsoft.com/beta/onPremisesPublishingProfiles/applicationProxy/connectors/{c}' }),
);
const batchBody = fc
  .array(
    fc.record(
      {
        id: fc.oneof(fc.constantFrom('1', '2', '3'), ascii(4)),
        method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'TRACE'),
        url: fc.oneof(realistic, path),
        body: fc.option(jsonBody),
        dependsOn: fc.option(fc.array(fc.constantFrom('1', '2', '3'), { maxLength: 2 })),
      },
      { requiredKeys: ['id', 'method', 'url'] },
    ),
    { maxLength: 5 },
  )
  .map((requests) => ({ requests }));
const body = fc.oneof(
  fc.constant(undefined),
  { arbitrary: jsonBody.map((v) => JSON.stringify(v)), weight: 3 },
  batchBody.map((v) => JSON.stringify(v)),
  ascii(30),
  fc.integer({ min: 1, max: 300 }).map((d) => `{"name":${'['.repeat(d)}${']'.repeat(d)}}`),
);
const headers = fc.record(
  {
    prefer: fc.constantFrom('return=minimal', 'include-unknown-enum-members', ';;', 'odata.maxpagesize=2'),
    'if-match': fc.oneof(fc.constantFrom('*', 'W/"x"', '"'), headerText(10)),
    'client-request-id': fc.oneof(fc.uuid(), headerText(20)),
    'content-type': fc.constantFrom(
      'application/json',
      'application/json',
      'application/json',
      'text/plain',
      'application/json;charset=utf-8',
      '',
    ),
    'x-forwarded-host': fc.constantFrom('evil.example', 'a b'),
  },
  { requiredKeys: ['content-type'] },
);
const request = fc.record({
  method: fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'), weight: 4 }, fc.constantFrom('PUT', 'HEAD', 'OPTIONS')),
  path: fc.oneof({ arbitrary: realistic, weight: 4 }, path),
  query,
  headers,
  body,
});

it(
  `answers ${RUNS} fuzzed requests with Graph successes or refusals, never a 5xx other than 503 (seed ${SEED})`,
  { timeout: 60_000 * SCALE },
  async () => {
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const fill = (text: string) => text.replaceAll('{g}', known.group).replaceAll('{c}', known.connector);
        const init: RequestInit = {
          method: r.method,
          headers: { ...r.headers, authorization: `Bearer ${token}` },
          body: r.body !== undefined && !['GET', 'HEAD'].includes(r.method) ? fill(r.body) : undefined,
        };
        const res = await fetch(`${t.url}${fill(r.path)}${r.query}`, init);
        const text = await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const what = `${r.method} ${r.path}${r.query} -> ${res.status} ${text.slice(0, 300)}`;
        expect(res.status < 500 || res.status === 503, what).toBe(true);
        if (res.status === 429 || res.status === 503) expect(res.headers.get('retry-after'), what).toMatch(/^\d+$/);
        // The host's own answers (no function for the path, Kestrel's refusals) have no body, as in Azure.
        if (res.status >= 400 && r.method !== 'HEAD' && text === '') expect([400, 404, 405, 414, 431], what).toContain(res.status);
        else if (res.status >= 400 && r.method !== 'HEAD')
          expect((JSON.parse(text) as { error: { code: string } }).error.code, what).toEqual(expect.any(String));
        if (res.status >= 200 && res.status < 300 && text && res.headers.get('content-type')?.startsWith('application/json')) {
          const parsed = JSON.parse(text) as { responses?: { status: number; body?: { error?: unknown } }[] };
          for (const item of parsed.responses ?? []) {
            expect(item.status < 500 || item.status === 503, `${what} item ${JSON.stringify(item).slice(0, 300)}`).toBe(true);
          }
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`fuzz: ${RUNS} requests, answers ${JSON.stringify(statuses)}`);

    // The process is up and serving.
    expect((await t.call('GET', `${PROFILE}/connectorGroups`, { tenant })).status).toBe(200);
    // Nothing invalid stored.
    const docs = await tenantDocs(t.container, tenant);
    const byId = new Map(docs.map((d) => [d.id as string, d]));
    for (const d of docs) {
      expect(d.tenantId).toBe(tenant);
      if (d.type === 'connectorGroup') {
        expect(typeof d.name === 'string' && d.name.trim().length > 0 && d.name.length <= 256, JSON.stringify(d)).toBe(true);
        // The Default group is the one with the tenant's derived id, whatever it is called.
        expect(d.isDefault, JSON.stringify(d)).toBe(d.id === defaultGroupId(tenant));
        expect([...REGIONS.filter((x) => x !== 'unknownFutureValue'), null], JSON.stringify(d)).toContain(d.region);
      } else if (d.type === 'connector') {
        const { machineName, externalIp, status, version } = d;
        expect(createConnectorSchema.safeParse({ machineName, externalIp, status, version }).success, JSON.stringify(d)).toBe(true);
        expect(byId.get(membershipId(d.id as string))?.type).toBe('connectorMembership');
      }
    }
    for (const g of docs.filter((d) => d.type === 'connectorGroup')) {
      expect(g.memberCount).toBe(docs.filter((e) => e.type === 'connectorMembership' && e.groupId === g.id).length);
      expect(g.applicationCount).toBe(docs.filter((e) => e.type === 'applicationAssignment' && e.groupId === g.id).length);
    }
  },
);
