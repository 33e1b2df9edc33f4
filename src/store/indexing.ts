import type { IndexingPolicy } from '@azure/cosmos';

/** Azure Cosmos DB's limits: composite indexes per container, and paths per composite index. */
export const MAX_COMPOSITE_INDEXES = 100;
export const MAX_COMPOSITE_PATHS = 8;

export type CompositeIndex = NonNullable<IndexingPolicy['compositeIndexes']>[number];

/**
 * The container's indexing policy. Cosmos DB serves `ORDER BY a, b` only from a composite index on (a, b)
 * whose directions match the query's or are all reversed, so (a asc, b asc) also serves (a desc, b desc)
 * and (a asc, b desc) also serves (a desc, b asc): two per ordered pair of orderable properties of each
 * document type (4 x 5 x 2 = 40 for 5 properties), then `fixed`, each index as given. `infra/` deploys the
 * same policy (`npm run infra:policy`).
 */
export function indexingPolicyFor(orderable: readonly (readonly string[])[], fixed: readonly CompositeIndex[] = []): IndexingPolicy {
  const compositeIndexes: CompositeIndex[] = [];
  for (const props of orderable) {
    for (const a of props) {
      for (const b of props) {
        if (a === b) continue;
        for (const second of ['ascending', 'descending'] as const) {
          compositeIndexes.push([
            { path: `/${a}`, order: 'ascending' },
            { path: `/${b}`, order: second },
          ]);
        }
      }
    }
  }
  compositeIndexes.push(...fixed);
  return { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], compositeIndexes };
}
