/**
 * What a verified token may do: delegated tokens (`scp` present; `roles` without `scp`, or `idtyp: app`,
 * is app-only), app-only ones for the audit log alone, no personal Microsoft accounts, the scopes (or
 * application permissions) the access needs, and, as Graph intersects a delegated permission with the
 * signed-in user's rights, a directory role (`wids`) that may do it. A refusal is a 403 Authorization_RequestDenied.
 */
import type { JWTPayload } from 'jose';
import { GraphError } from '../graph/errors.js';
import { DEFAULT_AUDIT_ROLES, directoryRolesOf, type DirectoryRoleSettings } from './roles.js';
import type { Access, Caller } from './types.js';

/** The tenant of personal Microsoft accounts (MSA); refused. */
export const PERSONAL_ACCOUNT_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

export const WRITE_SCOPES: readonly string[] = Object.freeze(['Directory.ReadWrite.All', 'Directory.AccessAsUser.All']);
export const READ_SCOPES: readonly string[] = Object.freeze(['Directory.Read.All', ...WRITE_SCOPES]);

/** The audit log needs this and a directory read permission (delegated: READ_SCOPES; application: APP_DIRECTORY_ROLES). */
export const AUDIT_LOG_SCOPE = 'AuditLog.Read.All';
/** The application permissions that read the directory (Directory.AccessAsUser.All is delegated only). */
const APP_DIRECTORY_ROLES: readonly string[] = ['Directory.Read.All', 'Directory.ReadWrite.All'];

/** Graph's words when the caller may not do this. */
export const INSUFFICIENT_PRIVILEGES = 'Insufficient privileges to complete the operation.';

const forbidden = (message: string) => new GraphError(403, message);

/**
 * Delegated, not a personal account, holding a scope that allows `access`, and signed in with a role of
 * `permitted` for `access`. Throws GraphError 403.
 */
export function authorize(claims: JWTPayload, access: Access, permitted: DirectoryRoleSettings): Caller {
  const tid = String(claims.tid).toLowerCase();
  const { scp, roles, idtyp, oid } = claims;
  if (tid === PERSONAL_ACCOUNT_TENANT) {
    throw forbidden('Personal Microsoft accounts are not supported. Sign in with a work or school account.');
  }
  if (access === 'auditRead' && (typeof scp !== 'string' || idtyp === 'app') && roles !== undefined) {
    return applicationAuditReader(tid, roles);
  }
  if (typeof scp !== 'string' || idtyp === 'app') {
    throw forbidden(
      roles !== undefined || idtyp === 'app'
        ? 'Application permissions are not supported. Use a delegated (user) token.'
        : 'The token carries no delegated permissions (scp).',
    );
  }
  if (access !== 'read' && access !== 'write' && access !== 'auditRead') throw new TypeError(`Unknown access ${String(access)}`);
  const scopes = Object.freeze(scp.split(' ').filter((s) => s !== ''));
  const needed = access === 'write' ? WRITE_SCOPES : READ_SCOPES;
  if (access === 'auditRead' && !(scopes.includes(AUDIT_LOG_SCOPE) && scopes.some((s) => needed.includes(s)))) {
    throw forbidden(`${INSUFFICIENT_PRIVILEGES} This operation needs the delegated permissions ${AUDIT_LOG_SCOPE} and Directory.Read.All.`);
  }
  if (!scopes.some((s) => needed.includes(s))) {
    throw forbidden(`${INSUFFICIENT_PRIVILEGES} This operation needs one of the delegated permissions ${needed.join(', ')}.`);
  }
  const held = directoryRolesOf(claims.wids);
  // No `wids` is no role: an app registration that does not emit roles must not open everything.
  if (held === undefined) throw forbidden(`${INSUFFICIENT_PRIVILEGES} The token carries no directory roles (wids).`);
  const allowed = access === 'write' ? permitted.write : access === 'auditRead' ? (permitted.audit ?? DEFAULT_AUDIT_ROLES) : permitted.read;
  if (!held.some((id) => allowed.includes(id))) throw forbidden(INSUFFICIENT_PRIVILEGES);
  const caller: Caller = { tenantId: tid, scopes };
  if (typeof oid === 'string' && oid !== '') caller.objectId = oid;
  return caller;
}

/** An application's own token on the audit log: its application permissions (`roles`) must hold both. */
function applicationAuditReader(tenantId: string, roles: unknown): Caller {
  const held = Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
  if (!held.includes(AUDIT_LOG_SCOPE) || !held.some((r) => APP_DIRECTORY_ROLES.includes(r))) {
    throw forbidden(`${INSUFFICIENT_PRIVILEGES} This operation needs the application permissions ${AUDIT_LOG_SCOPE} and Directory.Read.All.`);
  }
  return { tenantId, scopes: [] };
}
