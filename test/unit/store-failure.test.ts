import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { storeFailure } from '../../src/store/store.js';

/** The one translation of Cosmos failures (store.ts), including what the SDK hides (observe.ts). */
describe('storeFailure', () => {
  const batchError = new Error('Batch request error: Request rate is large');

  it('recognises a 429 the batch API rethrew without status, from what the HTTP client saw', () => {
    const e = storeFailure(batchError, { status: 429, retryAfterMs: 1500 });
    expect(e).toMatchObject({ kind: 'throttled', retryAfterMs: 1500, uncertain: false });
    expect(e.cause).toBe(batchError);
  });

  it('takes the SDK error status and retry-after when it has them', () => {
    expect(storeFailure(Object.assign(new Error('x'), { code: 429, retryAfterInMs: 800 }))).toMatchObject({
      kind: 'throttled',
      retryAfterMs: 800,
    });
    expect(storeFailure(Object.assign(new Error('x'), { code: 412 }))).toMatchObject({ kind: 'changed' });
    expect(storeFailure(Object.assign(new Error('x'), { code: 409 }))).toMatchObject({ kind: 'exists' });
    expect(storeFailure(Object.assign(new Error('x'), { code: 404 }))).toMatchObject({ kind: 'missing' });
  });

  it('makes every other status unavailable, uncertain where the server may have acted; 400/413 invalid', () => {
    for (const status of [410, 401, 403, 449, 502])
      expect(storeFailure(batchError, { status })).toMatchObject({ kind: 'unavailable', uncertain: false });
    for (const status of [408, 500, 503])
      expect(storeFailure(batchError, { status })).toMatchObject({ kind: 'unavailable', uncertain: true });
    for (const status of [400, 413]) expect(storeFailure(batchError, { status })).toMatchObject({ kind: 'invalid' });
    // A body that is not JSON makes the SDK throw a SyntaxError; the status still decides.
    expect(storeFailure(new SyntaxError('Unexpected token <'), { status: 503 })).toMatchObject({ kind: 'unavailable' });
  });

  it('makes a failure without an answer unavailable and uncertain when the request may have gone out', () => {
    expect(
      storeFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), { networkCode: 'ECONNRESET', sentWithoutAnswer: true }),
    ).toMatchObject({ kind: 'unavailable', uncertain: true, abandoned: false });
    expect(storeFailure(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toMatchObject({
      kind: 'unavailable',
      uncertain: true,
      abandoned: true,
    });
    // Aborted at the deadline during the SDK's wait after a 429: the 429 is the answer.
    expect(
      storeFailure(Object.assign(new Error('a'), { name: 'AbortError' }), { status: 429, retryAfterMs: 2500, sentWithoutAnswer: false }),
    ).toMatchObject({ kind: 'throttled', retryAfterMs: 2500 });
    const own = new StoreError('invalid', 'x');
    expect(storeFailure(own)).toBe(own);
  });
});
