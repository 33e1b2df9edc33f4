/**
 * Microsoft Entra directory roles, as a delegated access token names them: the `wids` claim lists the role
 * template ids of the signed-in user's tenant-wide built-in roles (custom roles never appear in it). Graph
 * intersects a delegated permission with what the user's roles allow; this service does the same with two
 * lists, the roles that may read and the roles that may write (settings, `DirectoryRoleSettings`).
 *
 * The template ids and what each role may do with connectors and connector groups are those of Microsoft's
 * "Microsoft Entra built-in roles" reference (the `microsoft.directory/connectorGroups/*` and
 * `microsoft.directory/connectors/*` actions of each role).
 */
import { isGuid } from '../lib/guid.js';

/** Creates, changes and deletes connector groups, reads and creates connectors, manages application proxy. */
export const APPLICATION_ADMINISTRATOR = '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3';
/** Everything. */
export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
/** Reads everything a Global Administrator can, connector groups and connectors included; changes nothing. */
export const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
/** Reads connector groups and connectors (Private Access uses the same connectors); changes neither. */
export const GLOBAL_SECURE_ACCESS_ADMINISTRATOR = 'ac434307-12b9-4fa1-a708-88bf58caabc1';
/** Application Administrator without application proxy: no connector or connector group permission at all. */
export const CLOUD_APPLICATION_ADMINISTRATOR = '158c047a-c907-4556-b7ef-446551a6b5f7';
/** Entra Connect, provisioning, federation: no connector or connector group permission. */
export const HYBRID_IDENTITY_ADMINISTRATOR = '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2';
/** Reads usage reports and the audit and sign-in logs; no connector or connector group permission. */
export const REPORTS_READER = '4a5d8f65-41da-4de4-8968-e035b65339cf';
/** Reads security information and reports, the audit log included; no connector or connector group permission. */
export const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
/** Security Reader's reads and security operations, the audit log included; no connector or connector group permission. */
export const SECURITY_OPERATOR = '5f2222b1-57c3-48ba-8ad5-d4759f1fde6f';
/** Manages security features and reads the audit log; no connector or connector group permission. */
export const SECURITY_ADMINISTRATOR = '194ae4cb-b126-40b2-bd5b-6091b380977d';
/** The role every member of a tenant holds (not shown in the portal); it carries no administration. */
export const USER_ROLE = 'b79fbf4d-3ef9-4689-8143-76b194e85509';

/** The roles known by name (`npm run token --role`, the role settings), in the order `--help` lists them. */
export const NAMED_ROLES: readonly { readonly name: string; readonly id: string }[] = Object.freeze([
  { name: 'Application Administrator', id: APPLICATION_ADMINISTRATOR },
  { name: 'Global Administrator', id: GLOBAL_ADMINISTRATOR },
  { name: 'Global Reader', id: GLOBAL_READER },
  { name: 'Global Secure Access Administrator', id: GLOBAL_SECURE_ACCESS_ADMINISTRATOR },
  { name: 'Cloud Application Administrator', id: CLOUD_APPLICATION_ADMINISTRATOR },
  { name: 'Hybrid Identity Administrator', id: HYBRID_IDENTITY_ADMINISTRATOR },
  { name: 'Reports Reader', id: REPORTS_READER },
  { name: 'Security Reader', id: SECURITY_READER },
  { name: 'Security Operator', id: SECURITY_OPERATOR },
  { name: 'Security Administrator', id: SECURITY_ADMINISTRATOR },
  { name: 'User', id: USER_ROLE },
]);

/** Writes: the two roles whose permissions include creating, changing and deleting connector groups. */
export const DEFAULT_WRITE_ROLES: readonly string[] = Object.freeze([APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR]);
/** Reads: every role that may write, and the two that may only read connector groups and connectors. */
export const DEFAULT_READ_ROLES: readonly string[] = Object.freeze([
  ...DEFAULT_WRITE_ROLES,
  GLOBAL_READER,
  GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
]);

/**
 * The audit log: the roles whose permissions include `microsoft.directory/auditLogs/allProperties/read` in the
 * built-in roles reference (Cloud Application Administrator holds it without any connector permission).
 */
export const DEFAULT_AUDIT_ROLES: readonly string[] = Object.freeze([
  REPORTS_READER,
  SECURITY_READER,
  SECURITY_OPERATOR,
  SECURITY_ADMINISTRATOR,
  GLOBAL_READER,
  APPLICATION_ADMINISTRATOR,
  CLOUD_APPLICATION_ADMINISTRATOR,
  GLOBAL_ADMINISTRATOR,
]);

/** Who may read, who may write and who may read the audit log: role template ids (or names of NAMED_ROLES). */
export interface DirectoryRoleSettings {
  read: readonly string[];
  write: readonly string[];
  /** DEFAULT_AUDIT_ROLES when not given. */
  audit?: readonly string[];
}

const nameKey = (text: string) => text.toLowerCase().replace(/[^a-z]/g, '');
const BY_NAME = new Map(NAMED_ROLES.map((role) => [nameKey(role.name), role.id]));

/**
 * The template id `text` stands for: a GUID (any role, lower-cased) or the name of one of NAMED_ROLES, in any
 * case and with or without spaces or dashes (`Global Reader`, `global-reader`); undefined otherwise.
 */
export function roleTemplateId(text: string): string | undefined {
  const trimmed = text.trim();
  if (isGuid(trimmed)) return trimmed.toLowerCase();
  return BY_NAME.get(nameKey(trimmed));
}

/** The name of a known role, else its id. */
export const roleLabel = (id: string) => NAMED_ROLES.find((role) => role.id === id)?.name ?? id;

/** The `wids` of verified claims, lower-cased; undefined when the claim is absent or not a list of strings. */
export function directoryRolesOf(wids: unknown): readonly string[] | undefined {
  if (!Array.isArray(wids) || !wids.every((id) => typeof id === 'string')) return undefined;
  return wids.map((id: string) => id.toLowerCase());
}
