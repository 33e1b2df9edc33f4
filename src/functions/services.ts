import type { Directory } from '../directory/directory.js';
import { defineEndpoint } from '../graph/endpoint.js';
import type { ServedFunction, RouteTable } from '../host/index.js';
import type { OperationDoc } from '../graph/openapi.js';

/** What endpoint handlers are built from; handler tests may hand in a fake directory. */
export interface Services {
  directory: Directory;
  /** Key that signs `$skiptoken`s, so a token cannot be forged or moved to another tenant or query. */
  pagingKey: Uint8Array;
  /** The finished route table, for `$batch`, `/openapi.json` and the 404/405 fallback (bound after registration). */
  routes: () => RouteTable<RegisteredFunction>;
}

/** A function as registered: the host's view of it, and its endpoint's description for `/openapi.json`. */
export interface RegisteredFunction extends ServedFunction {
  doc: OperationDoc;
}

/** Declares one of this service's endpoints (graph/endpoint.ts says what a declaration holds). */
export const endpoint = defineEndpoint<Services>();
