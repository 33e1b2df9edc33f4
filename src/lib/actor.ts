/**
 * Who made a request and from where, as the edge learnt it from the token and the request: what the audit
 * record of a change names as its initiator (docs/API.md, "Audit log"). A value is null when the token or
 * the request did not carry it.
 */
export interface Actor {
  /** The signed-in user of a delegated token; null for an application's own token. */
  user: {
    id: string | null;
    displayName: string | null;
    userPrincipalName: string | null;
    /** The caller's address as the Functions host saw it. */
    ipAddress: string | null;
    homeTenantId: string | null;
  } | null;
  /** The application that called: the token's client. */
  app: { appId: string | null; displayName: string | null } | null;
  /** The request's client-request-id when it sent a valid one, else its request-id. */
  correlationId: string;
  userAgent: string | null;
}
