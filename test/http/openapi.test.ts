/**
 * `GET /openapi.json` and docs/openapi.json: OpenAPI 3.1 generated from the route table and the zod schemas,
 * describing every registered route and method and nothing else. Its validity is checked in
 * test/unit/openapi.test.ts, away from a running server: the validator holds the event loop for seconds.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroupSchema } from '../../src/directory/wire.js';
import { endpoints } from '../../src/functions/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

type Doc = {
  paths: Record<
    string,
    Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: { properties: object } }> } }>
  >;
};

let t: TestApp;
let served: Doc;

beforeAll(async () => {
  t = await startTestApp();
  const r = await t.call('GET', '/openapi.json');
  expect(r.status, r.text).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  served = r.body as Doc;
});

afterAll(async () => {
  await t?.close();
});

describe('GET /openapi.json', () => {
  it('describes every registered route and method, and nothing else', () => {
    const registered = t.app.routes.functions
      .filter((fn) => !fn.route.includes('{*'))
      .flatMap((fn) => fn.methods.map((m) => `${m.toLowerCase()} /${fn.route} ${fn.name}`))
      .sort();
    const documented = Object.entries(served.paths)
      .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => `${method} ${path} ${op.operationId}`))
      .sort();
    expect(documented).toEqual(registered);
    expect(documented).toContain('get /openapi.json openapi-get');
    expect(documented).toContain('get /v1.0/$metadata metadata-get-v1');
  });

  it('takes request bodies from the zod schemas the service validates with', () => {
    const body = served.paths['/beta/onPremisesPublishingProfiles/{profileId}/connectorGroups']!.post!.requestBody!;
    expect(Object.keys(body.content['application/json']!.schema.properties).sort()).toEqual(Object.keys(createGroupSchema.shape).sort());
  });

  it('is the document committed as docs/openapi.json (npm run openapi writes it)', () => {
    expect(JSON.parse(readFileSync('docs/openapi.json', 'utf8'))).toEqual(served);
  });
});

describe('the endpoint declarations', () => {
  it('describe each endpoint once, under the operationIds of its registered functions', () => {
    const described = new Set(
      Object.values(served.paths).flatMap((item) => Object.values(item).map((op) => op.operationId.replace(/-(beta|v1)$/, ''))),
    );
    expect([...described].sort()).toEqual(endpoints.map((e) => e.name).sort());
  });
});
