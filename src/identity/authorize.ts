/**
 * What a verified token may do: delegated tokens only (`scp` present; `roles` without `scp`, or `idtyp: app`,
 * is app-only), no personal Microsoft accounts, the scopes the access needs, and, as Graph intersects a
 * delegated permission with the signed-in user's rights, a directory role (`wids`) that may do it. A refusal
 * is a denial (errors.ts), which Graph answers with 403 Authorization_RequestDenied.
 */
import type { JWTPayload } from 'jose';
import { denied, scopeMissing } from './errors.js';
import { directoryRolesOf, type DirectoryRoleSettings } from './roles.js';
import type { Access, Caller } from './types.js';

/** The tenant of personal Microsoft accounts (MSA); refused. */
export const PERSONAL_ACCOUNT_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

export const WRITE_SCOPES: readonly string[] = Object.freeze(['Directory.ReadWrite.All', 'Directory.AccessAsUser.All']);
export const READ_SCOPES: readonly string[] = Object.freeze(['Directory.Read.All', ...WRITE_SCOPES]);

/**
 * Delegated, not a personal account, holding a scope that allows `access`, and signed in with a role of
 * `permitted` for `access`. Throws an IdentityError.
 */
export function authorize(claims: JWTPayload, access: Access, permitted: DirectoryRoleSettings): Caller {
  const tid = String(claims.tid).toLowerCase();
  const { scp, roles, idtyp, oid } = claims;
  if (tid === PERSONAL_ACCOUNT_TENANT) throw denied('personalAccount');
  if (typeof scp !== 'string' || idtyp === 'app') throw denied(roles !== undefined || idtyp === 'app' ? 'appOnly' : 'noDelegatedPermissions');
  if (access !== 'read' && access !== 'write') throw new TypeError(`Unknown access ${String(access)}`);
  const scopes = Object.freeze(scp.split(' ').filter((s) => s !== ''));
  const needed = access === 'write' ? WRITE_SCOPES : READ_SCOPES;
  if (!scopes.some((s) => needed.includes(s))) throw scopeMissing(needed);
  const held = directoryRolesOf(claims.wids);
  // No `wids` is no role: an app registration that does not emit roles must not open everything.
  if (held === undefined) throw denied('noDirectoryRoles');
  const allowed = access === 'write' ? permitted.write : permitted.read;
  if (!held.some((id) => allowed.includes(id))) throw denied('roleNotPermitted');
  const caller: Caller = { tenantId: tid, scopes, ...who(claims, tid) };
  if (typeof oid === 'string' && oid !== '') caller.objectId = oid;
  return caller;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A guest's `idp` names its home tenant's issuer (`https://sts.windows.net/{tenant}/`). */
const HOME_ISSUER = /^https:\/\/sts\.windows\.net\/([0-9a-f-]{36})\/?$/i;

/** Who the token names, for the audit record of what the caller changes (docs/API.md, "Audit log"). */
function who(claims: JWTPayload, tid: string): Partial<Caller> {
  const idp = text(claims.idp);
  return {
    userPrincipalName: text(claims.upn) ?? text(claims.preferred_username),
    displayName: text(claims.name),
    homeTenantId: idp === undefined ? tid : HOME_ISSUER.exec(idp)?.[1]?.toLowerCase(),
    appId: text(claims.azp) ?? text(claims.appid),
    appDisplayName: text(claims.app_displayname),
  };
}
