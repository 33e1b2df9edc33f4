import type { Directory } from '../directory/directory.js';
import type { RouteTable } from '../graph/routing.js';

/** What endpoint handlers are built from; handler tests may hand in a fake directory. */
export interface Services {
  directory: Directory;
  /** Key that signs `$skiptoken`s, so a token cannot be forged or moved to another tenant or query. */
  pagingKey: Uint8Array;
  /** The finished route table, for `$batch` and the 404/405 fallback (bound after registration). */
  routes: () => RouteTable;
}
