import { createDefaultHttpClient, type HttpClient } from '@azure/core-rest-pipeline';

/**
 * What Cosmos last answered during one store call, seen below the SDK. The SDK does not always say it in
 * the error it throws: `Items.batch` rethrows any failure as a plain `Error("Batch request error: …")`
 * without the status or headers, and a failure whose body is not JSON surfaces as a SyntaxError. Each
 * store call is observed (`ObservedCall`): its requests carry a header naming it, through the SDK's
 * documented `initialHeaders`, and the Cosmos client's HTTP client records every answer (or network
 * failure) into the call it names, removing the header before the request leaves.
 */
export interface Observation {
  /** The HTTP status of the last answer, if there was one. */
  status?: number;
  /** `x-ms-retry-after-ms` of that answer. */
  retryAfterMs?: number;

  /** The network error code of the last attempt that got no answer (ECONNRESET, …). */
  networkCode?: string;
  /** An attempt was sent whose outcome is unknown: it may have reached Cosmos (reset, timeout, abort). */
  sentWithoutAnswer?: boolean;
}

/** Names the store call a request belongs to, between the store and its HTTP client; never sent. */
const CALL_HEADER = 'x-appproxy-store-call';

/** The calls under way, by the value of their header. */
const calls = new Map<string, Observation>();
let sequence = 0;

/** One store call being observed: the headers its requests carry, what they were answered, and its end. */
export class ObservedCall {
  readonly observation: Observation = {};
  readonly headers: Record<string, string>;
  private readonly key = String(++sequence);

  constructor() {
    this.headers = { [CALL_HEADER]: this.key };
    calls.set(this.key, this.observation);
  }

  /** Once the call has settled: later answers to it (none should come) are not recorded. */
  end(): void {
    calls.delete(this.key);
  }
}

/** The default HTTP client of the SDK, recording each answer into the store call that is waiting for it. */
export function observingHttpClient(inner: HttpClient = createDefaultHttpClient()): HttpClient {
  return {
    async sendRequest(request) {
      // An attempt aborted before it is sent (the deadline fell during the SDK's wait) changes nothing: what
      // the call last heard (say, a 429) stays its answer.
      const key = request.headers.get(CALL_HEADER);
      if (key !== undefined) request.headers.delete(CALL_HEADER);
      const observation = key === undefined || request.abortSignal?.aborted ? undefined : calls.get(key);
      try {
        const response = await inner.sendRequest(request);
        if (observation) {
          const retryAfter = Number(response.headers.get('x-ms-retry-after-ms'));
          Object.assign(observation, {
            status: response.status,
            retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
            networkCode: undefined,
            sentWithoutAnswer: false,
          });
        }
        return response;
      } catch (error) {
        if (observation) {
          const code = (error as { code?: unknown }).code;
          Object.assign(observation, {
            status: undefined,
            networkCode: typeof code === 'string' ? code : (error as Error).name,
            sentWithoutAnswer: code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && code !== 'EAI_AGAIN',
          });
        }
        throw error;
      }
    },
  };
}
