import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  DEFAULT_LOCAL_KEYS_DIR,
  DEFAULT_READ_ROLES,
  DEFAULT_WRITE_ROLES,
  ENTRA_JWKS_URI,
  ENTRA_MULTI_TENANT_ISSUER,
  IdentitySettingsError,
  runsInAzure,
  validateIdentitySettings,
  type IdentitySetting,
  type IdentitySettings,
} from './identity/index.js';
import { DEFAULT_AUDIT_RETENTION_DAYS, MAX_AUDIT_RETENTION_DAYS } from './directory/audit.js';
import { LOCAL_HOSTS } from './graph/http.js';
import type { CosmosSettings } from './store/client.js';

export interface Settings {
  cosmos: CosmosSettings;
  identity: IdentitySettings;
  pagingKey: Uint8Array;
  /** Public host names of trusted proxies whose X-Forwarded-Host is taken for links (graph/http.ts). */
  forwardedHosts: string[];
  /**
   * Host names whose Host header links may use (graph/http.ts): WEBSITE_HOSTNAME (the app's own name, set by
   * the platform) and TRUSTED_HOSTS; outside Azure also the loopback names and the machine's name.
   */
  trustedHosts: string[];
  /** The host links use when the Host header is not trusted: WEBSITE_HOSTNAME when set. */
  canonicalHost?: string;
  /** How long one request may spend on the store, retries included, before it answers 503. */
  requestDeadlineMs: number;
  /** Days an audit record is kept before Cosmos DB's time to live removes it. */
  auditRetentionDays: number;
}

/** The setting behind each identity setting; the identity module owns their rules. */
const IDENTITY_SETTING_NAMES: Record<IdentitySetting, string> = {
  mode: 'AUTH_MODE',
  audience: 'ENTRA_AUDIENCE',
  issuer: 'ENTRA_ISSUER',
  jwksUri: 'ENTRA_JWKS_URI',
  keysDir: 'LOCAL_KEYS_DIR',
  readRoles: 'AUTH_READ_ROLES',
  writeRoles: 'AUTH_WRITE_ROLES',
  auditRoles: 'AUTH_AUDIT_ROLES',
};

/** A comma-separated list of role template ids or names; the identity module decides what each names. */
const roleList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean),
  )
  .optional();

const hostList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9_.-]+(:\d{1,5})?$/, 'must be host names (host or host:port), comma-separated')))
  .default([]);

const schema = z
  .object({
    AUTH_MODE: z.enum(['entra', 'local']).default('entra'),
    AUTH_READ_ROLES: roleList,
    AUTH_WRITE_ROLES: roleList,
    AUTH_AUDIT_ROLES: roleList,
    COSMOS_CONNECTION_STRING: z
      .string()
      .regex(/AccountEndpoint=https?:\/\/[^;]+;/i, 'must contain AccountEndpoint=<url>;')
      .optional(),
    COSMOS_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    COSMOS_DATABASE: z.string().min(1).default('appproxy'),
    COSMOS_CONTAINER: z.string().min(1).default('directory'),
    ENTRA_AUDIENCE: z.string().min(1).optional(),
    ENTRA_ISSUER: z.string().default(ENTRA_MULTI_TENANT_ISSUER),
    ENTRA_JWKS_URI: z.string().default(ENTRA_JWKS_URI),
    LOCAL_KEYS_DIR: z.string().min(1).default(DEFAULT_LOCAL_KEYS_DIR),
    PAGING_KEY: z
      .string()
      .min(32, 'must be at least 32 characters')
      // An app setting whose Key Vault reference did not resolve arrives as its own text: never a key.
      .refine(
        (v) => !v.startsWith('@Microsoft.KeyVault('),
        'is an unresolved Key Vault reference; check the app identity can read the vault',
      )
      .optional(),
    FORWARDED_HOSTS: hostList,
    TRUSTED_HOSTS: hostList,
    // Set by the platform in Azure (the app's default name) and by Core Tools locally (localhost:<port>).
    WEBSITE_HOSTNAME: z
      .string()
      .regex(/^[a-z0-9_.-]+(:\d{1,5})?$/i, 'must be a host name (host or host:port)')
      .transform((v) => v.toLowerCase())
      .optional(),
    // Default 20 s: far below the 230 s an HTTP-triggered function may take in Azure, and below the
    // 100 s most HTTP clients (the Graph SDKs' included) wait, so the caller hears 503 rather than a timeout.
    REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(200_000).default(20_000),
    // Entra keeps audit logs 30 days on P1 and P2; Cosmos takes a time to live up to 2^31 - 1 seconds.
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(MAX_AUDIT_RETENTION_DAYS).default(DEFAULT_AUDIT_RETENTION_DAYS),
  })
  .superRefine((env, ctx) => {
    if (!env.COSMOS_CONNECTION_STRING && !env.COSMOS_ENDPOINT) {
      ctx.addIssue({ code: 'custom', path: ['COSMOS_CONNECTION_STRING'], message: 'set COSMOS_CONNECTION_STRING or COSMOS_ENDPOINT' });
    }
    if (env.AUTH_MODE === 'entra') {
      if (!env.ENTRA_AUDIENCE) ctx.addIssue({ code: 'custom', path: ['ENTRA_AUDIENCE'], message: 'required when AUTH_MODE is entra' });
      if (!env.PAGING_KEY) ctx.addIssue({ code: 'custom', path: ['PAGING_KEY'], message: 'required when AUTH_MODE is entra' });
    }
  });

/**
 * Reads every setting once. A missing or malformed one stops start-up with its name in the message.
 * Empty values count as unset, as `local.settings.json` often carries them.
 */
/** A setting the schema's superRefine requires in this case: set, though its type cannot say so. */
function refined(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`Invalid settings:\n  ${name}: required`);
  return value;
}

export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid settings:\n${lines.join('\n')}`);
  }
  const s = parsed.data;
  const roles = {
    read: s.AUTH_READ_ROLES ?? DEFAULT_READ_ROLES,
    write: s.AUTH_WRITE_ROLES ?? DEFAULT_WRITE_ROLES,
    ...(s.AUTH_AUDIT_ROLES ? { audit: s.AUTH_AUDIT_ROLES } : {}),
  };
  let identity: IdentitySettings =
    s.AUTH_MODE === 'local'
      ? { mode: 'local', keysDir: s.LOCAL_KEYS_DIR, roles }
      : { mode: 'entra', audience: refined(s.ENTRA_AUDIENCE, 'ENTRA_AUDIENCE'), issuer: s.ENTRA_ISSUER, jwksUri: s.ENTRA_JWKS_URI, roles };
  try {
    // Kept with role names resolved to template ids, so the settings say exactly which roles.
    identity = { ...identity, roles: validateIdentitySettings(identity).roles };
  } catch (error) {
    if (!(error instanceof IdentitySettingsError)) throw error;
    const name = error.setting ? IDENTITY_SETTING_NAMES[error.setting] : 'AUTH_MODE';
    throw new Error(`Invalid settings:\n  ${name}: ${error.detail}`);
  }
  const names = { database: s.COSMOS_DATABASE, container: s.COSMOS_CONTAINER };
  return {
    cosmos: s.COSMOS_CONNECTION_STRING
      ? { connectionString: s.COSMOS_CONNECTION_STRING, ...names }
      : { endpoint: refined(s.COSMOS_ENDPOINT, 'COSMOS_ENDPOINT'), ...names },
    identity,
    // Local runs may sign skiptokens with a per-process key: they need not outlive the process.
    pagingKey: s.PAGING_KEY ? Buffer.from(s.PAGING_KEY, 'utf8') : randomBytes(32),
    forwardedHosts: s.FORWARDED_HOSTS,
    trustedHosts: [
      ...(runsInAzure(env) ? [] : [...LOCAL_HOSTS, hostname().toLowerCase()]),
      ...(s.WEBSITE_HOSTNAME ? [s.WEBSITE_HOSTNAME] : []),
      ...s.TRUSTED_HOSTS,
    ],
    ...(s.WEBSITE_HOSTNAME ? { canonicalHost: s.WEBSITE_HOSTNAME } : {}),
    requestDeadlineMs: s.REQUEST_DEADLINE_MS,
    auditRetentionDays: s.AUDIT_RETENTION_DAYS,
  };
}
