/**
 * The OpenAPI document (the one `npm run openapi` writes and the service serves; test/http/openapi.test.ts
 * shows they are the same) is valid OpenAPI 3.1 by a maintained validator.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { declareFunctions } from '../../src/app.js';
import { endpoints } from '../../src/functions/index.js';
import { describeFunctions } from '../../src/graph/openapi.js';

const document = () =>
  describeFunctions(
    declareFunctions(endpoints).map((f) => ({ name: f.name, route: f.route, methods: f.endpoint.methods, doc: f.endpoint.doc })),
  );

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(document());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('a broken copy is refused, so the check above can fail', async () => {
    const broken = document() as { info: Record<string, unknown> };
    delete broken.info.version;
    expect((await new Validator().validate(broken)).valid).toBe(false);
    const badRef = document() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    badRef.paths['/openapi.json']!.get!.responses = {};
    expect((await new Validator().validate(badRef)).valid).toBe(false);
  });

  it('refuses a function that has no description', () => {
    expect(() => describeFunctions([{ name: 'x-new-beta', route: 'beta/x', methods: ['GET'] }])).toThrow(/x-new-beta has no description/);
  });
});
