import type { IndexingPolicy } from '@azure/cosmos';

/** The properties a caller may order by, per document type. */
const SORTABLE = {
  connectorGroup: ['id', 'name', 'connectorGroupType', 'isDefault', 'region'],
  connector: ['id', 'machineName', 'externalIp', 'status', 'version'],
};

/** Ordering by two properties is what composite indexes can serve; more is refused. */
export const MAX_ORDER_BY = 2;

/** Azure Cosmos DB's limits: composite indexes per container, and paths per composite index. */
export const MAX_COMPOSITE_INDEXES = 100;
export const MAX_COMPOSITE_PATHS = 8;

/**
 * The container's indexing policy. Cosmos DB serves `ORDER BY a, b` only from a composite index on (a, b)
 * whose directions match the query's or are all reversed, so (a asc, b asc) also serves (a desc, b desc)
 * and (a asc, b desc) also serves (a desc, b asc): two per ordered pair of properties, 4 x 5 x 2 = 40 per
 * document type, 80 in all (the limit is 100). `infra/` deploys the same policy (`npm run infra:policy`).
 */
export function containerIndexingPolicy(): IndexingPolicy {
  const compositeIndexes: NonNullable<IndexingPolicy['compositeIndexes']> = [];
  for (const props of Object.values(SORTABLE)) {
    for (const a of props) {
      for (const b of props) {
        if (a === b) continue;
        for (const second of ['ascending', 'descending'] as const) {
          compositeIndexes.push([{ path: `/${a}`, order: 'ascending' }, { path: `/${b}`, order: second }]);
        }
      }
    }
  }
  return { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], compositeIndexes };
}
