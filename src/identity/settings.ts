/**
 * The identity settings' rules (`validateIdentitySettings`, meant to stop start-up on a misconfiguration),
 * and the local keys folder as the composition root (src/settings.ts) names it: LOCAL_KEYS_DIR, default
 * `.local/keys`, relative to the working directory. `npm run token` uses it so the CLI and the local service
 * agree on the key pair.
 */
import path from 'node:path';
import { ENTRA_JWKS_URI, ENTRA_MULTI_TENANT_ISSUER, TENANT_PLACEHOLDER } from './entra.js';
import { DEFAULT_LOCAL_KEYS_DIR } from './local-keys.js';
import {
  DEFAULT_AUDIT_ROLES,
  DEFAULT_READ_ROLES,
  DEFAULT_WRITE_ROLES,
  NAMED_ROLES,
  roleLabel,
  roleTemplateId,
  type DirectoryRoleSettings,
} from './roles.js';
import type { IdentitySettings } from './types.js';

export const LOCAL_KEYS_DIR_ENV = 'LOCAL_KEYS_DIR';

export function localKeysDirFromEnv(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const configured = env[LOCAL_KEYS_DIR_ENV]?.trim();
  return path.resolve(cwd, configured === undefined || configured === '' ? DEFAULT_LOCAL_KEYS_DIR : configured);
}

/** The identity setting a refusal is about, so start-up can name it. */
export type IdentitySetting = 'mode' | 'audience' | 'issuer' | 'jwksUri' | 'keysDir' | 'readRoles' | 'writeRoles' | 'auditRoles';

/** Settings after validation: the role lists are always there, as lower-case template ids. */
export type CheckedIdentitySettings = IdentitySettings & { roles: Required<DirectoryRoleSettings> };

export class IdentitySettingsError extends Error {
  constructor(
    readonly detail: string,
    readonly setting?: IdentitySetting,
  ) {
    super(`Invalid identity settings: ${detail}`);
    this.name = 'IdentitySettingsError';
  }
}

const PLACEHOLDERS = /\{tenantid\}/gi;

const invalid = (message: string, setting?: IdentitySetting) => new IdentitySettingsError(message, setting);

/**
 * Checks settings and throws an IdentitySettingsError naming the problem (meant to stop start-up). Returns the settings
 * normalized (trimmed, keysDir absolute, role names resolved to template ids, the default role lists when none given).
 */
export function validateIdentitySettings(settings: IdentitySettings): CheckedIdentitySettings {
  if (typeof settings !== 'object' || settings === null) throw invalid('no settings given.');
  const roles = validateRoles(settings.roles);
  if (settings.mode === 'local') {
    const keysDir = typeof settings.keysDir === 'string' ? settings.keysDir.trim() : '';
    if (keysDir === '') throw invalid('local mode needs keysDir, the folder of the local key pair.', 'keysDir');
    return { mode: 'local', keysDir: path.resolve(keysDir), roles };
  }
  if (settings.mode !== 'entra') {
    throw invalid(`mode must be "entra" or "local", not ${JSON.stringify((settings as { mode?: unknown }).mode)}.`, 'mode');
  }
  const audience = typeof settings.audience === 'string' ? settings.audience.trim() : '';
  if (audience === '' || /\s/.test(audience)) {
    throw invalid(
      "the audience must be the Application ID URI or the client id of this API's app registration " +
        `(the aud of the tokens it accepts), got ${JSON.stringify(settings.audience)}.`,
      'audience',
    );
  }
  const issuer = typeof settings.issuer === 'string' ? settings.issuer.trim() : '';
  const placeholders = issuer.match(PLACEHOLDERS)?.length ?? 0;
  const sample = issuer.replace(PLACEHOLDERS, '00000000-0000-0000-0000-000000000000');
  let issuerUrl: URL | undefined;
  try {
    issuerUrl = new URL(sample);
  } catch {
    issuerUrl = undefined;
  }
  if (issuerUrl === undefined || issuerUrl.protocol !== 'https:' || placeholders > 1 || /[{}]/.test(sample)) {
    throw invalid(
      `the issuer must be an https URL, either a multi-tenant template with one ${TENANT_PLACEHOLDER} ` +
        `(e.g. ${ENTRA_MULTI_TENANT_ISSUER}) or one tenant's fixed issuer, got ${JSON.stringify(settings.issuer)}.`,
      'issuer',
    );
  }
  if (placeholders === 0 && /\/(common|organizations|consumers)(\/|$)/i.test(issuer)) {
    throw invalid(
      `${JSON.stringify(issuer)} is never the issuer of a token; for a multi-tenant API use the template ` +
        `${ENTRA_MULTI_TENANT_ISSUER}.`,
      'issuer',
    );
  }
  const jwksUri = typeof settings.jwksUri === 'string' ? settings.jwksUri.trim() : '';
  let jwksUrl: URL | undefined;
  try {
    jwksUrl = new URL(jwksUri);
  } catch {
    jwksUrl = undefined;
  }
  const loopback = jwksUrl !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(jwksUrl.hostname);
  if (jwksUrl === undefined || !(jwksUrl.protocol === 'https:' || (jwksUrl.protocol === 'http:' && loopback))) {
    throw invalid(
      `jwksUri must be the https URL of the issuer's signing keys (e.g. ${ENTRA_JWKS_URI}), ` + `got ${JSON.stringify(settings.jwksUri)}.`,
      'jwksUri',
    );
  }
  return { mode: 'entra', audience, issuer, jwksUri, roles };
}

/** Both lists non-empty, each entry a template id or a known name, and every role that may write may read. */
function validateRoles(roles: DirectoryRoleSettings | undefined): Required<DirectoryRoleSettings> {
  if (roles === undefined) return { read: DEFAULT_READ_ROLES, write: DEFAULT_WRITE_ROLES, audit: DEFAULT_AUDIT_ROLES };
  const list = (given: readonly unknown[], setting: IdentitySetting, access: string): readonly string[] => {
    if (!Array.isArray(given)) throw invalid(`the roles that may ${access} must be a list.`, setting);
    const ids: string[] = [];
    for (const entry of given) {
      const id = typeof entry === 'string' ? roleTemplateId(entry) : undefined;
      if (id === undefined) {
        throw invalid(
          `${JSON.stringify(entry)} is neither a role template id (a GUID) nor one of the role names ` +
            `${NAMED_ROLES.map((role) => role.name).join(', ')}.`,
          setting,
        );
      }
      if (!ids.includes(id)) ids.push(id);
    }
    // An empty list must not silently mean "nobody" (or be mistaken for "anyone").
    if (ids.length === 0) throw invalid(`no role may ${access}: name at least one role template id.`, setting);
    return Object.freeze(ids);
  };
  const write = list(roles.write, 'writeRoles', 'write');
  const read = list(roles.read, 'readRoles', 'read');
  const audit = roles.audit === undefined ? DEFAULT_AUDIT_ROLES : list(roles.audit, 'auditRoles', 'read the audit log');
  const cannotRead = write.filter((id) => !read.includes(id));
  if (cannotRead.length > 0) {
    throw invalid(
      `every role that may write must also be allowed to read; add ${cannotRead.map((id) => `${roleLabel(id)} (${id})`).join(', ')} ` +
        'to the roles that may read.',
      'readRoles',
    );
  }
  return { read, write, audit };
}
