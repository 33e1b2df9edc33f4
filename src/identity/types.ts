import type { DirectoryRoleSettings } from './roles.js';

/**
 * What a request does: reads accept `Directory.Read.All` too, writes need a read-write scope; and the
 * signed-in user needs a directory role of the read list, or of the write list (roles.ts). `auditRead`
 * reads the audit log: `AuditLog.Read.All` and `Directory.Read.All`, delegated (with a role of the audit
 * list) or as an application's own permissions; the only access an app-only token has.
 */
export type Access = 'read' | 'write' | 'auditRead';

/** The authenticated caller: a user of tenant `tenantId` with delegated `scopes`. */
export interface Caller {
  /** The token's `tid`, lower-case. Every read and write is confined to it. */
  tenantId: string;
  /** The token's `oid` (the signed-in user), when present. */
  objectId?: string;
  /** The delegated scopes of the token (`scp`). */
  scopes: readonly string[];
  /** The token's `upn`, else its `preferred_username`. */
  userPrincipalName?: string;
  /** The token's `name`. */
  displayName?: string;
  /** The signed-in user's home tenant: the tenant in the token's `idp` for a guest, else `tenantId`. */
  homeTenantId?: string;
  /** The calling application: the token's `azp` (v2.0) or `appid` (v1.0). */
  appId?: string;
  /** The calling application's name, where the token has it (`app_displayname`). */
  appDisplayName?: string;
}

export interface Authenticator {
  /**
   * Checks the `Authorization` header value for `access`. Throws an IdentityError (errors.ts): the token's
   * problem when it is missing or invalid, a denial when a valid token may not do this, `keysUnavailable`
   * when the issuer's signing keys cannot be fetched (graph/endpoint.ts words each: 401, 403, 503).
   */
  authenticate(authorization: string | null | undefined, access: Access): Promise<Caller>;
}

export type IdentitySettings =
  /**
   * `audience`: the expected `aud` (the API's Application ID URI or client id).
   * `issuer`: either a template with `{tenantid}` (multi-tenant, e.g. `https://login.microsoftonline.com/{tenantid}/v2.0`;
   * the token's `iss` must equal it with the token's `tid` substituted) or a fixed issuer (single tenant).
   * `jwksUri`: the issuer's JWKS, e.g. `https://login.microsoftonline.com/common/discovery/v2.0/keys`.
   */
  (
    | { mode: 'entra'; audience: string; issuer: string; jwksUri: string }
    /** `keysDir`: the folder of the local key pair (made on first use). */
    | { mode: 'local'; keysDir: string }
  ) & {
    /** The directory roles that may read and write; default DEFAULT_READ_ROLES and DEFAULT_WRITE_ROLES (roles.ts). */
    roles?: DirectoryRoleSettings;
  };
