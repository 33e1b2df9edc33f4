/**
 * The emulation of the Azure Functions host: what Kestrel, ASP.NET Core and the WebJobs router do with a
 * request before a function sees it (docs/ARCHITECTURE.md, "One route table, two hosts"). The rest of the
 * service imports this layer only through this entry, and this layer imports nothing of Graph's
 * (eslint.config.js).
 */
export { decodePath, pathToUri } from './aspnet.js';
export {
  asHttpResponse,
  carriedDeadline,
  invoke,
  invokeItem,
  plainResponse,
  UnbuildableRequest,
  type FunctionContext,
  type FunctionHandler,
  type FunctionRequest,
  type HttpResponse,
  type InvokeResult,
  type PlainResponse,
  type ServedFunction,
} from './invoke.js';
export { requestLogLine } from './request-log.js';
export { RouteTable, assertPrecedence, byFunctionName, pathSegments, validateFunctions, type FunctionDef } from './routing.js';
