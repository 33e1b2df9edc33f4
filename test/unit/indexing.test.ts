import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditOrder, auditShapes, connectorShape, containerIndexingPolicy, groupShape } from '../../src/directory/documents.js';
import { MAX_COMPOSITE_INDEXES, MAX_COMPOSITE_PATHS } from '../../src/store/indexing.js';

type Order = 'ascending' | 'descending';
const policy = containerIndexingPolicy();
const composites = policy.compositeIndexes ?? [];

/** Azure's rule: a composite index serves an ORDER BY with the same paths in the same order and either the
 * same directions or all of them reversed. */
function served(orderBy: [string, Order][]): boolean {
  const flip = (o: Order): Order => (o === 'ascending' ? 'descending' : 'ascending');
  return composites.some((index) =>
    [false, true].some(
      (reversed) =>
        index.length === orderBy.length &&
        index.every(
          (p, i) => p.path === `/${orderBy[i]![0]}` && (p.order ?? 'ascending') === (reversed ? flip(orderBy[i]![1]) : orderBy[i]![1]),
        ),
    ),
  );
}

describe('container indexing policy', () => {
  it("fits Azure Cosmos DB's limits: at most 100 composite indexes, at most 8 paths each", () => {
    expect(composites.length).toBeGreaterThan(0);
    expect(composites.length).toBeLessThanOrEqual(MAX_COMPOSITE_INDEXES);
    for (const index of composites) {
      expect(index.length).toBeGreaterThanOrEqual(2);
      expect(index.length).toBeLessThanOrEqual(MAX_COMPOSITE_PATHS);
    }
  });

  it('has no composite index that another one already serves (no duplicates, no exact reverses)', () => {
    const keys = composites.map((index) => index.map((p) => `${p.path} ${p.order ?? 'ascending'}`).join(','));
    const reversedKeys = composites.map((index) =>
      index.map((p) => `${p.path} ${(p.order ?? 'ascending') === 'ascending' ? 'descending' : 'ascending'}`).join(','),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => reversedKeys.includes(k))).toEqual([]);
  });

  for (const [kind, shape] of [
    ['connectorGroup', groupShape],
    ['connector', connectorShape],
  ] as const) {
    it(`serves every two-property $orderby on ${kind}s, in all four direction pairs`, () => {
      const props = Object.keys(shape.properties);
      const missing: string[] = [];
      for (const a of props) {
        for (const b of props) {
          if (a === b) continue;
          for (const da of ['ascending', 'descending'] as const) {
            for (const db of ['ascending', 'descending'] as const) {
              if (
                !served([
                  [a, da],
                  [b, db],
                ])
              )
                missing.push(`${a} ${da}, ${b} ${db}`);
            }
          }
        }
      }
      expect(missing).toEqual([]);
    });
  }

  it("serves the audit log's order both ways, and that order is the only one its shapes allow", () => {
    for (const newestFirst of [true, false]) {
      const order = auditOrder(newestFirst).map((o): [string, Order] => [o.property, o.descending ? 'descending' : 'ascending']);
      expect(order.map(([path]) => path)).toEqual(['tenantId', 'type', 'activityDateTime']);
      expect(served(order)).toBe(true);
    }
    for (const shape of Object.values(auditShapes)) expect(shape.orderable).toEqual(['activityDateTime']);
  });

  it('is the policy infra/ deploys (run `npm run infra:policy` after changing it)', () => {
    const deployed: unknown = JSON.parse(readFileSync('infra/indexing-policy.json', 'utf8'));
    expect(deployed).toEqual(policy);
  });
});
