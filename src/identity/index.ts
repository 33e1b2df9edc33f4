/** Identity: bearer tokens (Entra ID or local), delegated scopes, the user's directory roles, the caller's tenant. */
export type { Access, Authenticator, Caller, IdentitySettings } from './types.js';
export { ENTRA_JWKS_URI, ENTRA_MULTI_TENANT_ISSUER } from './entra.js';
export { createAuthenticator } from './authenticator.js';
export { PERSONAL_ACCOUNT_TENANT, READ_SCOPES, WRITE_SCOPES } from './authorize.js';
export { IdentityError, type Denial, type IdentityFailure, type TokenProblem } from './errors.js';
export { ACCEPTED_ALGORITHMS, CLOCK_SKEW_SECONDS } from './verify.js';
export {
  APPLICATION_ADMINISTRATOR,
  CLOUD_APPLICATION_ADMINISTRATOR,
  DEFAULT_READ_ROLES,
  DEFAULT_WRITE_ROLES,
  GLOBAL_ADMINISTRATOR,
  GLOBAL_READER,
  GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
  HYBRID_IDENTITY_ADMINISTRATOR,
  NAMED_ROLES,
  roleTemplateId,
  USER_ROLE,
  type DirectoryRoleSettings,
} from './roles.js';
export {
  assertLocalModeAllowed,
  DEFAULT_LOCAL_KEYS_DIR,
  LOCAL_AUDIENCE,
  LOCAL_DEFAULT_TENANT,
  LOCAL_ISSUER_TEMPLATE,
  LOCAL_KEY_FILE,
  loadLocalSigningKey,
  localTokenClaims,
  mintLocalToken,
  runsInAzure,
  type MintOptions,
} from './local-keys.js';
export { IdentitySettingsError, localKeysDirFromEnv, validateIdentitySettings, type IdentitySetting } from './settings.js';
export { VerifiedTokenCache } from './token-cache.js';
