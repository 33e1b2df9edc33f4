/**
 * Tokens for tests: valid local-mode tokens (`tokenFor`) signed with a key pair shared by the whole test run
 * (made once, safely, even when several vitest workers start together), and forged ones for the refusals.
 *
 * The service under test must use `TEST_IDENTITY_SETTINGS` (local mode over TEST_KEYS_DIR).
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey } from 'jose';
import {
  CLOUD_APPLICATION_ADMINISTRATOR,
  GLOBAL_READER,
  GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
  HYBRID_IDENTITY_ADMINISTRATOR,
  loadLocalSigningKey,
  LOCAL_DEFAULT_TENANT,
  localTokenClaims,
  type Access,
  type IdentitySettings,
  type MintOptions,
  mintLocalToken,
  PERSONAL_ACCOUNT_TENANT,
} from '../../src/identity/index.js';

export const TEST_KEYS_DIR = path.resolve(process.cwd(), '.local/test-keys');
export const TEST_IDENTITY_SETTINGS: IdentitySettings = { mode: 'local', keysDir: TEST_KEYS_DIR };
export const TEST_TENANT = LOCAL_DEFAULT_TENANT;
export { PERSONAL_ACCOUNT_TENANT };

/** A valid local token for `tenant` with the delegated `scope` (space-separated), by default an Application Administrator's. */
export function tokenFor(tenant: string, scope = 'Directory.ReadWrite.All', options: MintOptions = {}): Promise<string> {
  return mintLocalToken(TEST_KEYS_DIR, { ...options, tenant, scope });
}

/** `Bearer <token>` for `tenant`. */
export async function bearerFor(tenant: string, scope = 'Directory.ReadWrite.All', options: MintOptions = {}): Promise<string> {
  return `Bearer ${await tokenFor(tenant, scope, options)}`;
}

const b64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');
const encodePart = (value: unknown) => b64url(JSON.stringify(value));
const claimsFor = (tenant: string, scope: string, options: MintOptions) => localTokenClaims({ ...options, tenant, scope });

let otherKey: Promise<CryptoKey> | undefined;

/** Signed (RS256) by a key that is not the test key pair; `sameKid` (default) reuses the real kid. */
export async function tokenSignedByAnotherKey(
  tenant: string,
  scope = 'Directory.ReadWrite.All',
  options: MintOptions & { sameKid?: boolean } = {},
): Promise<string> {
  otherKey ??= generateKeyPair('RS256').then((pair) => pair.privateKey);
  const { kid } = await loadLocalSigningKey(TEST_KEYS_DIR);
  return new SignJWT(claimsFor(tenant, scope, options))
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.sameKid === false ? 'not-a-known-key' : kid })
    .sign(await otherKey);
}

/** An unsecured JWT (`alg: none`, empty signature) with otherwise valid claims. */
export async function unsignedToken(tenant: string, scope = 'Directory.ReadWrite.All', options: MintOptions = {}): Promise<string> {
  const { kid } = await loadLocalSigningKey(TEST_KEYS_DIR);
  return `${encodePart({ alg: 'none', typ: 'JWT', kid })}.${encodePart(claimsFor(tenant, scope, options))}.`;
}

/**
 * The key-confusion attack: HS256 whose HMAC secret is the service's public key (`form` 'pem': the SPKI
 * PEM text, 'jwk': the public JWK's JSON).
 */
export async function hmacWithPublicKeyToken(
  tenant: string,
  scope = 'Directory.ReadWrite.All',
  options: MintOptions & { form?: 'pem' | 'jwk' } = {},
): Promise<string> {
  const key = await loadLocalSigningKey(TEST_KEYS_DIR);
  const secret =
    options.form === 'jwk'
      ? JSON.stringify(key.publicJwk)
      : await exportSPKI((await importJWK(key.publicJwk, 'RS256', { extractable: true })) as CryptoKey);
  const input = `${encodePart({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${encodePart(claimsFor(tenant, scope, options))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A valid token whose claims were then changed (here: `changes` merged), keeping the original signature. */
export async function tamperedToken(tenant: string, changes: Record<string, unknown>, scope = 'Directory.Read.All'): Promise<string> {
  const [header, payload, signature] = (await tokenFor(tenant, scope)).split('.');
  const claims = { ...(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as object), ...changes };
  return `${header}.${encodePart(claims)}.${signature}`;
}

export interface AuthCase {
  name: string;
  /** The Authorization header value; undefined: no header. */
  authorization: string | undefined;
}

/** Every way to be refused with 401 InvalidAuthenticationToken, for `tenant` (to run over each endpoint). */
export async function unauthenticatedCases(tenant: string): Promise<AuthCase[]> {
  const bearer = (token: string) => `Bearer ${token}`;
  return [
    { name: 'no Authorization header', authorization: undefined },
    { name: 'not the Bearer scheme', authorization: `Basic ${Buffer.from('user:password').toString('base64')}` },
    { name: 'garbage token', authorization: 'Bearer not-a-jwt' },
    { name: 'signed by another key', authorization: bearer(await tokenSignedByAnotherKey(tenant)) },
    { name: 'signed by an unknown kid', authorization: bearer(await tokenSignedByAnotherKey(tenant, undefined, { sameKid: false })) },
    { name: 'alg none', authorization: bearer(await unsignedToken(tenant)) },
    { name: 'HS256 with the public key (PEM)', authorization: bearer(await hmacWithPublicKeyToken(tenant)) },
    { name: 'HS256 with the public key (JWK)', authorization: bearer(await hmacWithPublicKeyToken(tenant, undefined, { form: 'jwk' })) },
    { name: 'tampered tenant', authorization: bearer(await tamperedToken(tenant, { tid: otherTenant(tenant) })) },
    { name: 'expired', authorization: bearer(await tokenFor(tenant, undefined, { expiresIn: -3600 })) },
    { name: 'not yet valid', authorization: bearer(await tokenFor(tenant, undefined, { notBefore: 3600 })) },
    { name: 'wrong audience', authorization: bearer(await tokenFor(tenant, undefined, { audience: 'api://someone-else' })) },
    { name: 'wrong issuer', authorization: bearer(await tokenFor(tenant, undefined, { issuer: 'https://evil.example.com/v2.0' })) },
    {
      name: 'issuer of another tenant',
      authorization: bearer(await tokenFor(tenant, undefined, { issuer: `https://login.microsoftonline.com/${otherTenant(tenant)}/v2.0` })),
    },
    { name: 'no tid', authorization: bearer(await tokenFor(tenant, undefined, { extraClaims: { tid: undefined } })) },
  ];
}

/**
 * Valid tokens refused with 403 Authorization_RequestDenied for `access`: by the kind of token, by its scopes,
 * and by the signed-in user's directory roles (every token here has `Directory.ReadWrite.All` unless named).
 */
export async function forbiddenCases(tenant: string, access: Access): Promise<AuthCase[]> {
  const bearer = (token: string) => `Bearer ${token}`;
  const cases: AuthCase[] = [
    { name: 'app-only token', authorization: bearer(await tokenFor(tenant, 'Directory.ReadWrite.All', { appOnly: true })) },
    { name: 'personal Microsoft account', authorization: bearer(await tokenFor(PERSONAL_ACCOUNT_TENANT)) },
    { name: 'unrelated scope', authorization: bearer(await tokenFor(tenant, 'User.Read Mail.Send')) },
    { name: 'a user with no directory role', authorization: bearer(await tokenFor(tenant, undefined, { directoryRoles: [] })) },
    { name: 'a token without wids', authorization: bearer(await tokenFor(tenant, undefined, { extraClaims: { wids: undefined } })) },
    {
      name: 'Cloud Application Administrator',
      authorization: bearer(await tokenFor(tenant, undefined, { directoryRoles: [CLOUD_APPLICATION_ADMINISTRATOR] })),
    },
    {
      name: 'Hybrid Identity Administrator',
      authorization: bearer(await tokenFor(tenant, undefined, { directoryRoles: [HYBRID_IDENTITY_ADMINISTRATOR] })),
    },
  ];
  if (access === 'auditRead') {
    // The audit log's own permissions, held by whom may not read it: only the kind of token or the role refuses.
    const audit = 'AuditLog.Read.All Directory.Read.All';
    return [
      {
        name: 'app-only token without AuditLog.Read.All',
        authorization: bearer(await tokenFor(tenant, 'Directory.ReadWrite.All', { appOnly: true })),
      },
      {
        name: 'app-only token without Directory.Read.All',
        authorization: bearer(await tokenFor(tenant, 'AuditLog.Read.All', { appOnly: true })),
      },
      { name: 'personal Microsoft account', authorization: bearer(await tokenFor(PERSONAL_ACCOUNT_TENANT, audit)) },
      { name: 'without AuditLog.Read.All', authorization: bearer(await tokenFor(tenant)) },
      { name: 'a user with no directory role', authorization: bearer(await tokenFor(tenant, audit, { directoryRoles: [] })) },
      { name: 'a token without wids', authorization: bearer(await tokenFor(tenant, audit, { extraClaims: { wids: undefined } })) },
      {
        name: 'Hybrid Identity Administrator',
        authorization: bearer(await tokenFor(tenant, audit, { directoryRoles: [HYBRID_IDENTITY_ADMINISTRATOR] })),
      },
      {
        name: 'Global Secure Access Administrator',
        authorization: bearer(await tokenFor(tenant, audit, { directoryRoles: [GLOBAL_SECURE_ACCESS_ADMINISTRATOR] })),
      },
    ];
  }
  if (access === 'write') {
    cases.push({ name: 'read-only scope on a write', authorization: bearer(await tokenFor(tenant, 'Directory.Read.All')) });
    cases.push({
      name: 'Global Reader on a write',
      authorization: bearer(await tokenFor(tenant, undefined, { directoryRoles: [GLOBAL_READER] })),
    });
  }
  return cases;
}

/** A GUID different from `tenant` (for cross-tenant cases). */
export function otherTenant(tenant: string): string {
  const last = tenant.slice(-1).toLowerCase();
  return `${tenant.slice(0, -1)}${last === '0' ? '1' : '0'}`;
}
