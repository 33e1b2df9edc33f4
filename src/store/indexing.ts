import type { IndexingPolicy } from '@azure/cosmos';

const DIRECTIONS = ['ascending', 'descending'] as const;

/**
 * The container's indexing policy: Cosmos DB serves `ORDER BY a, b` only from a composite index on (a, b)
 * (in either direction as a whole), so every ordered pair of orderable properties of each document type
 * gets one composite index for each direction pair. Provision the same policy on the container in Azure.
 */
export function indexingPolicyFor(orderable: readonly (readonly string[])[]): IndexingPolicy {
  const compositeIndexes: NonNullable<IndexingPolicy['compositeIndexes']> = [];
  for (const props of orderable) {
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
