import type { IndexingPolicy } from '@azure/cosmos';

/** The properties a caller may order by, per document type. */
const SORTABLE = {
  connectorGroup: ['id', 'name', 'connectorGroupType', 'isDefault', 'region'],
  connector: ['id', 'machineName', 'externalIp', 'status', 'version'],
};

/** Ordering by two properties is what composite indexes can serve; more is refused. */
export const MAX_ORDER_BY = 2;

const DIRECTIONS = ['ascending', 'descending'] as const;

/**
 * The container's indexing policy: Cosmos DB serves `ORDER BY a, b` only from a composite index on (a, b)
 * (in either direction as a whole), so every ordered pair of sortable properties gets one for asc/asc and
 * one for asc/desc. Provision the same policy on the container in Azure.
 */
export function containerIndexingPolicy(): IndexingPolicy {
  const compositeIndexes: NonNullable<IndexingPolicy['compositeIndexes']> = [];
  for (const props of Object.values(SORTABLE)) {
    for (const a of props) {
      for (const b of props) {
        if (a === b) continue;
        for (const first of DIRECTIONS) {
          for (const second of DIRECTIONS) compositeIndexes.push([{ path: `/${a}`, order: first }, { path: `/${b}`, order: second }]);
        }
      }
    }
  }
  return { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], compositeIndexes };
}
