import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toGraphError, WWW_AUTHENTICATE_CHALLENGE } from '../../src/graph/endpoint.js';
import type { GraphError } from '../../src/graph/errors.js';
import {
  APPLICATION_ADMINISTRATOR,
  assertLocalModeAllowed,
  CLOCK_SKEW_SECONDS,
  CLOUD_APPLICATION_ADMINISTRATOR,
  GLOBAL_ADMINISTRATOR,
  GLOBAL_READER,
  GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
  HYBRID_IDENTITY_ADMINISTRATOR,
  USER_ROLE,
  createAuthenticator,
  ENTRA_JWKS_URI,
  ENTRA_MULTI_TENANT_ISSUER,
  IdentityError,
  IdentitySettingsError,
  loadLocalSigningKey,
  LOCAL_AUDIENCE,
  LOCAL_DEFAULT_TENANT,
  LOCAL_ISSUER_TEMPLATE,
  LOCAL_KEY_FILE,
  localTokenClaims,
  mintLocalToken,
  type Access,
  type Authenticator,
  type Caller,
  type IdentitySettings,
} from '../../src/identity/index.js';
import { main as tokenCli } from '../../src/local/token.js';
import {
  forbiddenCases,
  hmacWithPublicKeyToken,
  otherTenant,
  PERSONAL_ACCOUNT_TENANT,
  tamperedToken,
  TEST_IDENTITY_SETTINGS,
  TEST_KEYS_DIR,
  tokenFor,
  tokenSignedByAnotherKey,
  unauthenticatedCases,
  unsignedToken,
} from '../support/tokens.js';

const INVALID_TOKEN =
  /^Bearer realm="", authorization_uri="https:\/\/login\.microsoftonline\.com\/common\/oauth2\/authorize", error="invalid_token", error_description="[^"\\]*"$/;

/** Identity refuses with a code of its own (never Graph's words); the caller reads it as graph/ words it. */
async function refusal(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IdentityError) return toGraphError(error)!;
    throw error;
  }
  throw new Error('expected a refusal, the token was accepted');
}

/** 401 InvalidAuthenticationToken with the challenge; `presented`: error="invalid_token" is in it. */
async function expect401(promise: Promise<unknown>, message?: RegExp, presented = true): Promise<GraphError> {
  const error = await refusal(promise);
  expect(error.status).toBe(401);
  expect(error.code).toBe('InvalidAuthenticationToken');
  const challenge = error.headers['WWW-Authenticate'];
  if (presented) expect(challenge).toMatch(INVALID_TOKEN);
  else expect(challenge).toBe(WWW_AUTHENTICATE_CHALLENGE);
  if (message) expect(error.message).toMatch(message);
  return error;
}

async function expect403(promise: Promise<unknown>, message?: RegExp): Promise<GraphError> {
  const error = await refusal(promise);
  expect(error.status).toBe(403);
  expect(error.code).toBe('Authorization_RequestDenied');
  expect(error.headers['WWW-Authenticate']).toBeUndefined();
  if (message) expect(error.message).toMatch(message);
  return error;
}

const tenant = randomUUID();
let auth: Authenticator;
const as = async (token: string | Promise<string>, access: Access = 'write'): Promise<Caller> =>
  auth.authenticate(`Bearer ${await token}`, access);

beforeAll(() => {
  auth = createAuthenticator(TEST_IDENTITY_SETTINGS);
});

describe('local mode: valid tokens', () => {
  it('accepts a write token and returns the tenant, the user and the scopes', async () => {
    const caller = await as(tokenFor(tenant, 'Directory.ReadWrite.All User.Read'), 'write');
    expect(caller).toEqual({
      tenantId: tenant,
      objectId: expect.any(String),
      scopes: ['Directory.ReadWrite.All', 'User.Read'],
      displayName: 'Local Developer',
      homeTenantId: tenant,
    });
    expect(Object.isFrozen(caller.scopes)).toBe(true);
  });

  it('accepts each scope that allows the access', async () => {
    expect((await as(tokenFor(tenant, 'Directory.Read.All'), 'read')).tenantId).toBe(tenant);
    expect((await as(tokenFor(tenant, 'Directory.ReadWrite.All'), 'read')).tenantId).toBe(tenant);
    expect((await as(tokenFor(tenant, 'Directory.AccessAsUser.All'), 'read')).tenantId).toBe(tenant);
    expect((await as(tokenFor(tenant, 'Directory.AccessAsUser.All'), 'write')).tenantId).toBe(tenant);
    expect((await as(tokenFor(tenant, 'openid Directory.ReadWrite.All'), 'write')).scopes).toContain('Directory.ReadWrite.All');
  });

  it('passes objectId from oid and lower-cases the tenant', async () => {
    const objectId = randomUUID();
    const caller = await as(tokenFor(tenant.toUpperCase(), undefined, { objectId }));
    expect(caller.tenantId).toBe(tenant);
    expect(caller.objectId).toBe(objectId);
  });

  it('accepts "Bearer" in any case and surrounding spaces', async () => {
    const token = await tokenFor(tenant);
    expect((await auth.authenticate(`bearer ${token}`, 'write')).tenantId).toBe(tenant);
    expect((await auth.authenticate(`  BEARER   ${token}  `, 'write')).tenantId).toBe(tenant);
  });

  it(`tolerates ${CLOCK_SKEW_SECONDS} s of clock skew on exp and nbf`, async () => {
    expect(CLOCK_SKEW_SECONDS).toBe(60);
    expect((await as(tokenFor(tenant, undefined, { expiresIn: -30 }))).tenantId).toBe(tenant);
    expect((await as(tokenFor(tenant, undefined, { notBefore: 30 }))).tenantId).toBe(tenant);
  });

  it('treats a token with both scp and roles as delegated', async () => {
    const caller = await as(tokenFor(tenant, 'Directory.ReadWrite.All', { extraClaims: { roles: ['Something.All'] } }));
    expect(caller.scopes).toEqual(['Directory.ReadWrite.All']);
  });

  it('works with the shared test helpers (every 401 and 403 case)', async () => {
    for (const { name, authorization } of await unauthenticatedCases(tenant)) {
      const error = await refusal(auth.authenticate(authorization, 'read'));
      expect([name, error.status]).toEqual([name, 401]);
    }
    for (const access of ['read', 'write'] as const) {
      for (const { name, authorization } of await forbiddenCases(tenant, access)) {
        const error = await refusal(auth.authenticate(authorization, access));
        expect([name, access, error.status]).toEqual([name, access, 403]);
      }
    }
  });
});

describe('local mode: 401 InvalidAuthenticationToken', () => {
  it('missing header: the challenge without an error code', async () => {
    await expect401(auth.authenticate(undefined, 'read'), /empty/, false);
    await expect401(auth.authenticate(null, 'read'), /empty/, false);
    await expect401(auth.authenticate('', 'read'), /empty/, false);
    await expect401(auth.authenticate('Bearer', 'read'), /empty/, false);
    await expect401(auth.authenticate('Bearer   ', 'read'), /empty/, false);
  });

  it('not the Bearer scheme', async () => {
    const token = await tokenFor(tenant);
    await expect401(auth.authenticate('Basic dXNlcjpwYXNzd29yZA==', 'read'), /Bearer scheme/, false);
    await expect401(auth.authenticate(token, 'read'), /Bearer scheme/, false);
    await expect401(auth.authenticate(`Bearer: ${token}`, 'read'), /Bearer scheme/, false);
    await expect401(auth.authenticate(`Bearer${token}`, 'read'), /Bearer scheme/, false);
  });

  it('garbage', async () => {
    await expect401(auth.authenticate('Bearer not-a-jwt', 'read'), /malformed/);
    await expect401(auth.authenticate('Bearer a.b.c', 'read'), /malformed/);
    await expect401(auth.authenticate('Bearer two tokens', 'read'), /malformed/);
    await expect401(auth.authenticate('Bearer {"alg":"none"}', 'read'), /malformed/);
    await expect401(auth.authenticate(`Bearer ${'a'.repeat(20_000)}`, 'read'), /too large/);
    const [header, payload] = (await tokenFor(tenant)).split('.');
    await expect401(auth.authenticate(`Bearer ${header}.${payload}.`, 'read'), /signature/i);
  });

  it('signed by another key (same kid, unknown kid)', async () => {
    await expect401(as(tokenSignedByAnotherKey(tenant)), /Invalid signature/);
    await expect401(as(tokenSignedByAnotherKey(tenant, undefined, { sameKid: false })), /signing key is unknown/);
  });

  it('tampered claims', async () => {
    await expect401(as(tamperedToken(tenant, { tid: otherTenant(tenant) })), /Invalid signature/);
    await expect401(as(tamperedToken(tenant, { scp: 'Directory.ReadWrite.All' })), /Invalid signature/);
  });

  it('alg none', async () => {
    await expect401(as(unsignedToken(tenant)), /algorithm is not accepted/);
    const claims = localTokenClaims({ tenant });
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    await expect401(as(`${b64({ alg: 'None' })}.${b64(claims)}.`), /algorithm is not accepted/);
    await expect401(as(`${b64({ typ: 'JWT' })}.${b64(claims)}.`), /malformed/);
  });

  it('HMAC with the public key as secret (key confusion)', async () => {
    await expect401(as(hmacWithPublicKeyToken(tenant)), /algorithm is not accepted/);
    await expect401(as(hmacWithPublicKeyToken(tenant, undefined, { form: 'jwk' })), /algorithm is not accepted/);
  });

  it('algorithms outside RS256/RS384/RS512', async () => {
    for (const alg of ['ES256', 'PS256', 'EdDSA']) {
      const { privateKey } = await generateKeyPair(alg);
      const token = await new SignJWT(localTokenClaims({ tenant })).setProtectedHeader({ alg }).sign(privateKey);
      await expect401(as(token), /algorithm is not accepted/);
    }
  });

  it('expired, not yet valid, no exp', async () => {
    await expect401(as(tokenFor(tenant, undefined, { expiresIn: -(CLOCK_SKEW_SECONDS + 30) })), /expired/);
    await expect401(as(tokenFor(tenant, undefined, { expiresIn: -86_400 })), /expired/);
    await expect401(as(tokenFor(tenant, undefined, { notBefore: CLOCK_SKEW_SECONDS + 30 })), /not yet valid/);
    await expect401(as(tokenFor(tenant, undefined, { extraClaims: { exp: undefined } })), /exp claim is missing/);
    await expect401(as(tokenFor(tenant, undefined, { extraClaims: { exp: 'tomorrow' } })), /exp/);
  });

  it('wrong audience', async () => {
    await expect401(as(tokenFor(tenant, undefined, { audience: 'api://someone-else' })), /Invalid audience/);
    await expect401(as(tokenFor(tenant, undefined, { audience: '00000003-0000-0000-c000-000000000000' })), /Invalid audience/);
    await expect401(as(tokenFor(tenant, undefined, { extraClaims: { aud: undefined } })), /aud claim is missing/);
  });

  it('wrong issuer', async () => {
    await expect401(as(tokenFor(tenant, undefined, { issuer: 'https://evil.example.com/v2.0' })), /Invalid issuer/);
    await expect401(as(tokenFor(tenant, undefined, { issuer: `https://sts.windows.net/${tenant}/` })), /Invalid issuer/);
    await expect401(as(tokenFor(tenant, undefined, { issuer: `https://login.microsoftonline.com/${tenant}/v2.0/` })), /Invalid issuer/);
    await expect401(as(tokenFor(tenant, undefined, { issuer: LOCAL_ISSUER_TEMPLATE })), /Invalid issuer/);
    await expect401(as(tokenFor(tenant, undefined, { extraClaims: { iss: undefined } })), /iss claim is missing/);
  });

  it("an issuer whose tenant is not the token's tid", async () => {
    const issuer = `https://login.microsoftonline.com/${otherTenant(tenant)}/v2.0`;
    await expect401(as(tokenFor(tenant, undefined, { issuer })), /Invalid issuer/);
    // tid changed, iss left: the issuer names another tenant
    await expect401(
      as(
        tokenFor(tenant, undefined, {
          issuer: `https://login.microsoftonline.com/${tenant}/v2.0`,
          extraClaims: { tid: otherTenant(tenant) },
        }),
      ),
      /Invalid issuer/,
    );
  });

  it('missing or invalid tid', async () => {
    await expect401(as(tokenFor(tenant, undefined, { extraClaims: { tid: undefined } })), /tid/);
    await expect401(as(tokenFor('not-a-guid')), /tid/);
    await expect401(as(tokenFor('')), /tid/);
    await expect401(as(tokenFor(`${tenant}x`)), /tid/);
    await expect401(as(tokenFor(tenant, undefined, { extraClaims: { tid: 42 } })), /tid/);
    await expect401(as(tokenFor('{tenantid}')), /tid/);
  });
});

describe('refusals as codes', () => {
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (e: unknown) => (e instanceof IdentityError ? e.failure : e),
    );

  it("names what is wrong with the token or the caller, not Graph's words for it", async () => {
    expect(await failure(auth.authenticate('', 'read'))).toEqual({ kind: 'token', problem: 'empty' });
    expect(await failure(auth.authenticate('Basic abc', 'read'))).toEqual({ kind: 'token', problem: 'notBearer' });
    expect(await failure(as('x.y.z'))).toEqual({ kind: 'token', problem: 'malformed' });
    expect(await failure(as(tokenFor(tenant, 'Directory.Read.All'), 'write'))).toEqual({
      kind: 'scope',
      needed: ['Directory.ReadWrite.All', 'Directory.AccessAsUser.All'],
    });
    expect(await failure(as(tokenFor(tenant, 'Directory.ReadWrite.All', { appOnly: true })))).toEqual({
      kind: 'denied',
      denial: 'appOnly',
    });
  });
});

describe('local mode: 403 Authorization_RequestDenied', () => {
  it('app-only tokens (roles, no scp)', async () => {
    await expect403(as(tokenFor(tenant, 'Directory.ReadWrite.All', { appOnly: true }), 'read'), /Application permissions/);
    await expect403(as(tokenFor(tenant, 'Directory.ReadWrite.All', { appOnly: true }), 'write'), /Application permissions/);
    await expect403(as(tokenFor(tenant, 'Directory.ReadWrite.All', { extraClaims: { idtyp: 'app' } })), /Application permissions/);
    await expect403(as(tokenFor(tenant, 'Directory.ReadWrite.All', { extraClaims: { scp: undefined } })), /no delegated/);
  });

  it('personal Microsoft accounts', async () => {
    await expect403(as(tokenFor(PERSONAL_ACCOUNT_TENANT, 'Directory.ReadWrite.All'), 'read'), /Personal Microsoft accounts/);
    await expect403(as(tokenFor(PERSONAL_ACCOUNT_TENANT.toUpperCase(), 'Directory.ReadWrite.All'), 'read'), /Personal/);
  });

  it('too few scopes', async () => {
    await expect403(as(tokenFor(tenant, 'Directory.Read.All'), 'write'), /Directory.ReadWrite.All, Directory.AccessAsUser.All/);
    await expect403(as(tokenFor(tenant, 'User.Read Mail.Send'), 'write'), /Insufficient privileges/);
    await expect403(as(tokenFor(tenant, 'User.Read Mail.Send'), 'read'), /Directory.Read.All/);
    await expect403(as(tokenFor(tenant, 'Directory.ReadWrite'), 'read'), /Insufficient privileges/);
    await expect403(as(tokenFor(tenant, 'Directory.Read.All.Extra'), 'read'), /Insufficient privileges/);
    await expect403(as(tokenFor(tenant, ''), 'read'), /Insufficient privileges/);
  });
});

describe("local mode: the signed-in user's directory roles (wids)", () => {
  const withRoles = (directoryRoles: string[], scope = 'Directory.ReadWrite.All') => tokenFor(tenant, scope, { directoryRoles });

  it('Application Administrator and Global Administrator may read and write', async () => {
    for (const role of [APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR]) {
      for (const access of ['read', 'write'] as const) expect((await as(withRoles([role]), access)).tenantId).toBe(tenant);
    }
  });

  it('Global Reader and Global Secure Access Administrator may read, not write', async () => {
    for (const role of [GLOBAL_READER, GLOBAL_SECURE_ACCESS_ADMINISTRATOR]) {
      expect((await as(withRoles([role]), 'read')).tenantId).toBe(tenant);
      const error = await expect403(as(withRoles([role]), 'write'));
      expect(error.message).toBe('Insufficient privileges to complete the operation.');
    }
  });

  it('roles without Application Proxy permissions, and a user with none, may do nothing', async () => {
    for (const roles of [[CLOUD_APPLICATION_ADMINISTRATOR], [HYBRID_IDENTITY_ADMINISTRATOR], [USER_ROLE], []]) {
      for (const access of ['read', 'write'] as const) {
        const error = await expect403(as(withRoles(roles), access));
        expect([roles, access, error.message]).toEqual([roles, access, 'Insufficient privileges to complete the operation.']);
      }
    }
  });

  it('one qualifying role among several is enough, in any case', async () => {
    expect((await as(withRoles([CLOUD_APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR.toUpperCase()]), 'write')).tenantId).toBe(tenant);
  });

  it('no wids, or wids that is not a list of ids, is no role', async () => {
    for (const wids of [undefined, APPLICATION_ADMINISTRATOR, [APPLICATION_ADMINISTRATOR, 7], {}]) {
      await expect403(
        as(tokenFor(tenant, undefined, { extraClaims: { wids } }), 'read'),
        /Insufficient privileges to complete the operation\. The token carries no directory roles \(wids\)/,
      );
    }
  });

  it('needs the scope as well: a role does not make up for Directory.Read.All on a write', async () => {
    await expect403(as(withRoles([GLOBAL_ADMINISTRATOR], 'Directory.Read.All'), 'write'), /delegated permissions/);
  });

  it('takes the role lists of its settings', async () => {
    const custom = createAuthenticator({
      ...TEST_IDENTITY_SETTINGS,
      roles: { read: ['Global Reader', GLOBAL_ADMINISTRATOR], write: ['global-administrator'] },
    });
    expect((await custom.authenticate(`Bearer ${await withRoles([GLOBAL_ADMINISTRATOR])}`, 'write')).tenantId).toBe(tenant);
    expect((await custom.authenticate(`Bearer ${await withRoles([GLOBAL_READER])}`, 'read')).tenantId).toBe(tenant);
    await expect403(custom.authenticate(`Bearer ${await withRoles([APPLICATION_ADMINISTRATOR])}`, 'read'));
    await expect403(custom.authenticate(`Bearer ${await withRoles([APPLICATION_ADMINISTRATOR])}`, 'write'));
  });
});

describe('local key pair', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'identity-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is made once when many callers race for it, in an ignored folder, readable by its owner only', async () => {
    const keysDir = path.join(dir, 'race');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadLocalSigningKey(keysDir, { fresh: true })));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    const file = JSON.parse(await readFile(path.join(keysDir, LOCAL_KEY_FILE), 'utf8')) as { kid: string; publicJwk: JWK };
    expect(file.kid).toBe(keys[0]?.kid);
    expect(await readFile(path.join(keysDir, '.gitignore'), 'utf8')).toBe('*\n');
    if (process.platform !== 'win32') expect((await stat(path.join(keysDir, LOCAL_KEY_FILE))).mode & 0o077).toBe(0);
    expect(keys[0]?.publicJwk).toEqual({ kty: 'RSA', n: file.publicJwk.n, e: 'AQAB', kid: file.kid, alg: 'RS256', use: 'sig' });
  });

  it('mints tokens with the documented claims', async () => {
    const token = await mintLocalToken(path.join(dir, 'claims'));
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(claims).toMatchObject({
      aud: LOCAL_AUDIENCE,
      iss: `https://login.microsoftonline.com/${LOCAL_DEFAULT_TENANT}/v2.0`,
      tid: LOCAL_DEFAULT_TENANT,
      scp: 'Directory.ReadWrite.All',
      ver: '2.0',
      wids: [APPLICATION_ADMINISTRATOR, USER_ROLE],
    });
    expect(claims.roles).toBeUndefined();
    const noRole = decodeJwt(await mintLocalToken(path.join(dir, 'claims'), { directoryRoles: [] }));
    expect(noRole.wids).toEqual([USER_ROLE]);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect(claims.nbf).toBe(claims.iat);
    expect(LOCAL_AUDIENCE).toBe('api://appproxy-graph-local');
    expect(LOCAL_ISSUER_TEMPLATE).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
    const appOnly = decodeJwt(await mintLocalToken(path.join(dir, 'claims'), { appOnly: true, scope: 'A.B C.D' }));
    expect(appOnly.roles).toEqual(['A.B', 'C.D']);
    expect(appOnly.scp).toBeUndefined();
    expect(appOnly.wids).toBeUndefined();
  });

  it('is reloaded by the authenticator when the pair was made again', async () => {
    const keysDir = path.join(dir, 'remade');
    const local = createAuthenticator({ mode: 'local', keysDir });
    const t = randomUUID();
    expect((await local.authenticate(`Bearer ${await mintLocalToken(keysDir, { tenant: t })}`, 'write')).tenantId).toBe(t);
    await rm(keysDir, { recursive: true });
    const remade = await loadLocalSigningKey(keysDir, { fresh: true }); // what a new `npm run token` process does
    const token = await mintLocalToken(keysDir, { tenant: t });
    expect(decodeProtectedHeader(token).kid).toBe(remade.kid);
    expect((await local.authenticate(`Bearer ${token}`, 'write')).tenantId).toBe(t);
  });

  it('refuses a key file it cannot use with a clear message (503 for callers)', async () => {
    const keysDir = path.join(dir, 'broken');
    await loadLocalSigningKey(keysDir);
    await writeFile(path.join(keysDir, LOCAL_KEY_FILE), '{ nope');
    await expect(loadLocalSigningKey(keysDir, { fresh: true })).rejects.toThrow(/unusable \(not JSON\).*Delete the folder/);
    const local = createAuthenticator({ mode: 'local', keysDir });
    const error = await refusal(local.authenticate(`Bearer ${await tokenFor(tenant)}`, 'read'));
    expect(error.status).toBe(503);
  });

  it('shares the test key pair through TEST_KEYS_DIR', async () => {
    expect(TEST_KEYS_DIR).toBe(path.resolve('.local/test-keys'));
    const { kid } = await loadLocalSigningKey(TEST_KEYS_DIR);
    expect(decodeProtectedHeader(await tokenFor(tenant)).kid).toBe(kid);
  });
});

describe('settings', () => {
  const entra = (changes: Partial<Extract<IdentitySettings, { mode: 'entra' }>>): IdentitySettings => ({
    mode: 'entra',
    audience: 'api://contoso-appproxy',
    issuer: ENTRA_MULTI_TENANT_ISSUER,
    jwksUri: ENTRA_JWKS_URI,
    ...changes,
  });

  it('accepts the Entra defaults and a fixed single-tenant issuer without fetching anything', () => {
    expect(() => createAuthenticator(entra({}))).not.toThrow();
    expect(() => createAuthenticator(entra({ issuer: `https://login.microsoftonline.com/${tenant}/v2.0` }))).not.toThrow();
    expect(() => createAuthenticator(entra({ issuer: 'https://sts.windows.net/{tenantid}/' }))).not.toThrow();
    expect(() => createAuthenticator(entra({ jwksUri: 'http://127.0.0.1:1/keys' }))).not.toThrow();
  });

  it('stops start-up on a misconfiguration with a clear message', () => {
    expect(() => createAuthenticator(entra({ audience: '' }))).toThrow(/Invalid identity settings: the audience/);
    expect(() => createAuthenticator(entra({ audience: 'a b' }))).toThrow(/audience/);
    expect(() => createAuthenticator(entra({ issuer: '' }))).toThrow(/issuer must be an https URL/);
    expect(() => createAuthenticator(entra({ issuer: 'http://login.microsoftonline.com/{tenantid}/v2.0' }))).toThrow(/https/);
    expect(() => createAuthenticator(entra({ issuer: 'https://login.microsoftonline.com/{tenantId}/{tenantid}' }))).toThrow(
      /one \{tenantid\}/,
    );
    expect(() => createAuthenticator(entra({ issuer: 'https://login.microsoftonline.com/{tid}/v2.0' }))).toThrow(/issuer/);
    expect(() => createAuthenticator(entra({ issuer: 'https://login.microsoftonline.com/common/v2.0' }))).toThrow(/never the issuer/);
    expect(() => createAuthenticator(entra({ jwksUri: 'keys' }))).toThrow(/jwksUri/);
    expect(() => createAuthenticator(entra({ jwksUri: 'http://login.microsoftonline.com/common/discovery/v2.0/keys' }))).toThrow(/jwksUri/);
    expect(() => createAuthenticator({ mode: 'other' } as unknown as IdentitySettings)).toThrow(/mode must be "entra" or "local"/);
    expect(() => createAuthenticator({ mode: 'local', keysDir: ' ' })).toThrow(/keysDir/);
  });

  it('stops start-up on role lists that are empty, unknown, or let a writer not read', () => {
    const invalid = (roles: { read: string[]; write: string[] }) => {
      try {
        createAuthenticator(entra({ roles }));
      } catch (error) {
        return error instanceof IdentitySettingsError ? [error.setting, error.detail] : error;
      }
      return 'accepted';
    };
    expect(invalid({ read: [GLOBAL_READER], write: [] })).toEqual(['writeRoles', 'no role may write: name at least one role template id.']);
    expect(invalid({ read: [], write: [GLOBAL_ADMINISTRATOR] })).toEqual([
      'readRoles',
      'no role may read: name at least one role template id.',
    ]);
    expect(invalid({ read: ['Global Reader'], write: ['Global Admin'] })).toEqual([
      'writeRoles',
      expect.stringMatching(/^"Global Admin" is neither a role template id/),
    ]);
    expect(invalid({ read: [GLOBAL_READER], write: [GLOBAL_ADMINISTRATOR] })).toEqual([
      'readRoles',
      `every role that may write must also be allowed to read; add Global Administrator (${GLOBAL_ADMINISTRATOR}) to the roles that may read.`,
    ]);
    expect(invalid({ read: [randomUUID()], write: [] })).toEqual(['writeRoles', expect.any(String)]);
    const any = randomUUID();
    expect(invalid({ read: [any.toUpperCase(), GLOBAL_READER], write: [any] })).toBe('accepted');
  });

  it('refuses local mode in Azure', () => {
    expect(() => assertLocalModeAllowed({})).not.toThrow();
    expect(() => assertLocalModeAllowed({ WEBSITE_SITE_NAME: '' })).not.toThrow();
    expect(() => assertLocalModeAllowed({ WEBSITE_INSTANCE_ID: 'abc' })).toThrow(/WEBSITE_INSTANCE_ID is set.*runs in Azure/);
    expect(() => assertLocalModeAllowed({ WEBSITE_SITE_NAME: 'appproxy' })).toThrow(/WEBSITE_SITE_NAME/);
    expect(() => createAuthenticator(TEST_IDENTITY_SETTINGS, { env: { WEBSITE_SITE_NAME: 'appproxy' } })).toThrow(
      /Local identity mode refused/,
    );
  });
});

describe('Entra ID mode against a JWKS over HTTP', () => {
  const audience = 'api://contoso-appproxy';
  let server: Server;
  let jwksUri: string;
  let served: { keys: JWK[] } = { keys: [] };
  let fetches = 0;

  interface SigningKey {
    kid: string;
    privateKey: CryptoKey;
    jwk: JWK;
  }
  const makeKey = async (kid: string, alg = 'RS256'): Promise<SigningKey> => {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    // Entra's keys carry kid, use, x5t but no alg
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', x5t: kid } };
  };
  const sign = (key: SigningKey, t: string, claims: Record<string, unknown> = {}, alg = 'RS256') =>
    new SignJWT(localTokenClaims({ tenant: t, audience, extraClaims: claims }))
      .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);

  let keyA: SigningKey;
  let keyB: SigningKey;

  beforeAll(async () => {
    [keyA, keyB] = await Promise.all([makeKey('key-a'), makeKey('key-b')]);
    served = { keys: [keyA.jwk] };
    server = createServer((req, res) => {
      fetches++;
      if (req.url !== '/common/discovery/v2.0/keys') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/common/discovery/v2.0/keys`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches the JWKS lazily, caches it, and refetches it for an unknown kid (key rotation)', async () => {
    served = { keys: [keyA.jwk] };
    fetches = 0;
    const entra = createAuthenticator({ mode: 'entra', audience, issuer: ENTRA_MULTI_TENANT_ISSUER, jwksUri }, { jwksCooldownMs: 0 });
    expect(fetches).toBe(0);
    const t = randomUUID();
    expect(await entra.authenticate(`Bearer ${await sign(keyA, t)}`, 'write')).toMatchObject({ tenantId: t });
    expect(await entra.authenticate(`Bearer ${await sign(keyA, t)}`, 'read')).toMatchObject({ tenantId: t });
    expect(fetches).toBe(1);

    const rotated = await sign(keyB, t);
    served = { keys: [keyB.jwk] };
    expect(await entra.authenticate(`Bearer ${rotated}`, 'write')).toMatchObject({ tenantId: t });
    expect(fetches).toBe(2);
    // the old key is gone from the new set
    await expect401(entra.authenticate(`Bearer ${await sign(keyA, t)}`, 'write'), /signing key is unknown/);
  });

  it('applies the same rules as local mode', async () => {
    const [rs512, ps256] = await Promise.all([makeKey('key-rs512', 'RS512'), makeKey('key-ps256', 'PS256')]);
    served = { keys: [keyA.jwk, rs512.jwk, ps256.jwk] };
    const entra = createAuthenticator({ mode: 'entra', audience, issuer: ENTRA_MULTI_TENANT_ISSUER, jwksUri }, { jwksCooldownMs: 0 });
    const t = randomUUID();
    await expect401(entra.authenticate(`Bearer ${await tokenFor(t)}`, 'read'), /signing key is unknown/); // the local key is not trusted
    await expect401(entra.authenticate(`Bearer ${await sign(keyA, t, { aud: LOCAL_AUDIENCE })}`, 'read'), /Invalid audience/);
    await expect401(
      entra.authenticate(`Bearer ${await sign(keyA, t, { iss: `https://login.microsoftonline.com/${otherTenant(t)}/v2.0` })}`, 'read'),
      /Invalid issuer/,
    );
    await expect401(entra.authenticate(`Bearer ${await sign(keyA, t, { exp: Math.floor(Date.now() / 1000) - 3600 })}`, 'read'), /expired/);
    expect((await entra.authenticate(`Bearer ${await sign(rs512, t, {}, 'RS512')}`, 'read')).tenantId).toBe(t); // RS256 family
    await expect401(entra.authenticate(`Bearer ${await sign(ps256, t, {}, 'PS256')}`, 'read'), /algorithm is not accepted/);
    await expect403(entra.authenticate(`Bearer ${await sign(keyA, t, { scp: undefined, roles: ['Directory.ReadWrite.All'] })}`, 'read'));
    await expect403(entra.authenticate(`Bearer ${await sign(keyA, PERSONAL_ACCOUNT_TENANT)}`, 'read'));
  });

  it("decides by the signed-in user's directory roles in wids, as Entra emits them", async () => {
    served = { keys: [keyA.jwk] };
    const entra = createAuthenticator({ mode: 'entra', audience, issuer: ENTRA_MULTI_TENANT_ISSUER, jwksUri });
    const t = randomUUID();
    const asUser = async (wids: string[] | undefined, access: Access) =>
      entra.authenticate(`Bearer ${await sign(keyA, t, { wids })}`, access);
    for (const access of ['read', 'write'] as const) {
      expect((await asUser([APPLICATION_ADMINISTRATOR, USER_ROLE], access)).tenantId).toBe(t);
      expect((await asUser([GLOBAL_ADMINISTRATOR, USER_ROLE], access)).tenantId).toBe(t);
      await expect403(asUser([USER_ROLE], access), /^Insufficient privileges to complete the operation\.$/);
      await expect403(asUser([CLOUD_APPLICATION_ADMINISTRATOR, USER_ROLE], access), /^Insufficient privileges/);
      await expect403(asUser(undefined, access), /no directory roles \(wids\)/);
    }
    expect((await asUser([GLOBAL_READER, USER_ROLE], 'read')).tenantId).toBe(t);
    await expect403(asUser([GLOBAL_READER, USER_ROLE], 'write'), /^Insufficient privileges/);
  });

  it('accepts a fixed single-tenant issuer, only for its tenant', async () => {
    served = { keys: [keyA.jwk] };
    const t = randomUUID();
    const issuer = `https://login.microsoftonline.com/${t}/v2.0`;
    const entra = createAuthenticator({ mode: 'entra', audience, issuer, jwksUri });
    expect((await entra.authenticate(`Bearer ${await sign(keyA, t)}`, 'write')).tenantId).toBe(t);
    const other = otherTenant(t);
    await expect401(entra.authenticate(`Bearer ${await sign(keyA, other)}`, 'write'), /Invalid issuer/);
    await expect401(entra.authenticate(`Bearer ${await sign(keyA, other, { iss: issuer })}`, 'write'), /Invalid issuer/);
  });

  it('does not refetch for unknown kids within the cooldown (default 30 s)', async () => {
    served = { keys: [keyA.jwk] };
    fetches = 0;
    const entra = createAuthenticator({ mode: 'entra', audience, issuer: ENTRA_MULTI_TENANT_ISSUER, jwksUri });
    const t = randomUUID();
    await entra.authenticate(`Bearer ${await sign(keyA, t)}`, 'read');
    for (let i = 0; i < 5; i++) {
      await expect401(entra.authenticate(`Bearer ${await sign({ ...keyB, kid: `forged-${i}` }, t)}`, 'read'), /signing key is unknown/);
    }
    expect(fetches).toBe(1);
  });

  it('answers 503 with Retry-After when the JWKS cannot be fetched', async () => {
    const t = randomUUID();
    const token = `Bearer ${await sign(keyA, t)}`;
    const notFound = createAuthenticator({
      mode: 'entra',
      audience,
      issuer: ENTRA_MULTI_TENANT_ISSUER,
      jwksUri: jwksUri.replace('/keys', '/nothing'),
    });
    const error = await refusal(notFound.authenticate(token, 'read'));
    expect([error.status, error.code, error.headers['Retry-After']]).toEqual([503, 'serviceUnavailable', '1']);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = createAuthenticator({
      mode: 'entra',
      audience,
      issuer: ENTRA_MULTI_TENANT_ISSUER,
      jwksUri: `http://127.0.0.1:${port}/keys`,
    });
    expect((await refusal(unreachable.authenticate(token, 'read'))).status).toBe(503);
    // a request without a token is still a 401, whatever the JWKS
    await expect401(unreachable.authenticate(undefined, 'read'), /empty/, false);
  });
});

describe('Entra ID mode: JWKS fetches while the identity provider fails (one in flight, a cool-down after every attempt)', () => {
  const audience = 'api://contoso-appproxy';
  let key: { privateKey: CryptoKey; jwk: JWK };
  let server: Server;
  let base: string;
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  let fetches = 0;
  const hanging: import('node:http').ServerResponse[] = [];

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    key = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: 'key-live', use: 'sig' } };
    server = createServer((_req, res) => {
      fetches++;
      if (mode === 'hang') hanging.push(res);
      else if (mode === 'fail') res.writeHead(503, { 'retry-after': '1' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const sign = (kid: string, t: string) =>
    new SignJWT(localTokenClaims({ tenant: t, audience })).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key.privateKey);
  /** An authenticator over the test's endpoint, on a clock the test moves. */
  const entraAt = (clock: { now: number }, options: { jwksTimeoutMs?: number } = { jwksTimeoutMs: 300 }) =>
    createAuthenticator(
      { mode: 'entra', audience, issuer: ENTRA_MULTI_TENANT_ISSUER, jwksUri: `${base}/${randomUUID()}/keys` },
      { now: () => clock.now, ...options },
    );
  const statuses = async (auth: Authenticator, tokens: string[]) =>
    Promise.all(
      tokens.map(async (token) => {
        const error = await refusal(auth.authenticate(`Bearer ${token}`, 'read'));
        return `${error.status} ${error.headers['Retry-After'] ?? ''}`.trim();
      }),
    );

  it('a failing endpoint (503): twenty requests with unknown kids cost one fetch, then one per back-off step', async () => {
    mode = 'fail';
    fetches = 0;
    const clock = { now: Date.now() };
    const auth = entraAt(clock);
    const t = randomUUID();
    const forged = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(`forged-${i}`, t)));
    // ten at once, then ten one after another: one fetch, every answer Graph's 503 with Retry-After
    expect(await statuses(auth, forged.slice(0, 10))).toEqual(Array(10).fill('503 1'));
    for (const token of forged.slice(10)) expect(await statuses(auth, [token])).toEqual(['503 1']);
    expect(fetches).toBe(1);
    // after the back-off (1 s, then 2 s, 4 s, ... up to the 30 s cool-down) one more fetch, not one per request
    clock.now += 1_000;
    expect(await statuses(auth, forged.slice(0, 5))).toEqual(Array(5).fill('503 2'));
    expect(fetches).toBe(2);
    clock.now += 1_999;
    expect(await statuses(auth, forged.slice(0, 5))).toEqual(Array(5).fill('503 1'));
    expect(fetches).toBe(2);
    clock.now += 1;
    expect(await statuses(auth, forged.slice(0, 5))).toEqual(Array(5).fill('503 4'));
    expect(fetches).toBe(3);

    // the provider recovers: the next attempt after the back-off fetches the keys, and a real token passes
    mode = 'ok';
    clock.now += 4_000;
    expect((await auth.authenticate(`Bearer ${await sign('key-live', t)}`, 'read')).tenantId).toBe(t);
    expect(fetches).toBe(4);
  });

  it('a hanging endpoint: one fetch in flight for all requests, and a cool-down after its time-out', async () => {
    mode = 'hang';
    fetches = 0;
    const clock = { now: Date.now() };
    const auth = entraAt(clock, { jwksTimeoutMs: 300 });
    const t = randomUUID();
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => sign(`kid-${i}`, t)));
    expect(await statuses(auth, tokens)).toEqual(Array(10).fill('503 1'));
    expect(fetches).toBe(1);
    expect(await statuses(auth, tokens)).toEqual(Array(10).fill('503 1'));
    expect(fetches).toBe(1);
  });

  it('with keys at hand: an unknown kid refetches at most once per cool-down, and is a 401 from the keys at hand', async () => {
    mode = 'ok';
    fetches = 0;
    const clock = { now: Date.now() };
    const auth = entraAt(clock);
    const t = randomUUID();
    const good = `Bearer ${await sign('key-live', t)}`;
    expect((await auth.authenticate(good, 'read')).tenantId).toBe(t);
    expect(fetches).toBe(1);
    mode = 'fail';
    const forged = await Promise.all(Array.from({ length: 10 }, (_, i) => sign(`rotated-${i}`, t)));
    // within the cool-down of the successful fetch: 401s, no fetch
    expect(await statuses(auth, forged)).toEqual(Array(10).fill('401'));
    expect(fetches).toBe(1);
    // after it, one fetch (it fails): still 401s from the keys at hand, the real token still passes, then quiet again
    clock.now += 30_000;
    expect(await statuses(auth, forged)).toEqual(Array(10).fill('401'));
    expect(fetches).toBe(2);
    expect(await statuses(auth, forged)).toEqual(Array(10).fill('401'));
    expect((await auth.authenticate(`Bearer ${await sign('key-live', randomUUID())}`, 'read')).scopes).toBeDefined();
    expect(fetches).toBe(2);
    // the set past its age is refetched in the background: the keys at hand verify meanwhile (the endpoint
    // hangs, nobody waits for it) and after that fetch fails
    mode = 'hang';
    clock.now += 600_000;
    expect((await auth.authenticate(good, 'read')).tenantId).toBe(t);
    await vi.waitFor(() => expect(fetches).toBe(3));
    expect((await auth.authenticate(good, 'read')).tenantId).toBe(t);
    expect(fetches).toBe(3);
  });
});

describe('npm run token (src/local/token.ts main)', () => {
  const run = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await tokenCli(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
    });
    return { code, stdout, stderr };
  };

  it('prints only the token, which the service accepts', async () => {
    const t = randomUUID();
    const { code, stdout, stderr } = await run('--tenant', t, '--scope', 'Directory.Read.All User.Read', '--keys-dir', TEST_KEYS_DIR);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const caller = await auth.authenticate(`Bearer ${stdout.trim()}`, 'read');
    expect(caller).toMatchObject({ tenantId: t, scopes: ['Directory.Read.All', 'User.Read'] });
    await expect403(auth.authenticate(`Bearer ${stdout.trim()}`, 'write'));
  });

  it('defaults: the local tenant, Directory.ReadWrite.All, an Application Administrator, one hour', async () => {
    const { code, stdout } = await run('--keys-dir', TEST_KEYS_DIR);
    expect(code).toBe(0);
    const claims = decodeJwt(stdout.trim());
    expect(claims).toMatchObject({
      tid: LOCAL_DEFAULT_TENANT,
      scp: 'Directory.ReadWrite.All',
      aud: LOCAL_AUDIENCE,
      wids: [APPLICATION_ADMINISTRATOR, USER_ROLE],
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    expect((await auth.authenticate(`Bearer ${stdout.trim()}`, 'write')).tenantId).toBe(LOCAL_DEFAULT_TENANT);
  });

  it('--app-only, --expires-in (negative), --not-before, --audience, --issuer, --object-id', async () => {
    const t = randomUUID();
    const token = async (...argv: string[]) => `Bearer ${(await run('--tenant', t, '--keys-dir', TEST_KEYS_DIR, ...argv)).stdout.trim()}`;
    await expect403(auth.authenticate(await token('--app-only'), 'read'), /Application permissions/);
    await expect401(auth.authenticate(await token('--expires-in', '-120'), 'read'), /expired/);
    await expect401(auth.authenticate(await token('--expires-in=-120'), 'read'), /expired/);
    expect((await auth.authenticate(await token('--expires-in', '60'), 'read')).tenantId).toBe(t);
    await expect401(auth.authenticate(await token('--not-before', '600'), 'read'), /not yet valid/);
    await expect401(auth.authenticate(await token('--audience', 'api://other'), 'read'), /audience/);
    await expect401(auth.authenticate(await token('--issuer', 'https://evil.example.com/'), 'read'), /issuer/);
    const oid = randomUUID();
    expect((await auth.authenticate(await token('--object-id', oid), 'read')).objectId).toBe(oid);
  });

  it('--role (names or template ids, repeatable) and --no-role, which the service then decides on', async () => {
    const t = randomUUID();
    const mint = async (...argv: string[]) => {
      const { code, stdout, stderr } = await run('--tenant', t, '--keys-dir', TEST_KEYS_DIR, ...argv);
      expect([argv, code, stderr]).toEqual([argv, 0, '']);
      return stdout.trim();
    };
    const reader = await mint('--role', 'Global Reader');
    expect(decodeJwt(reader).wids).toEqual([GLOBAL_READER, USER_ROLE]);
    expect((await auth.authenticate(`Bearer ${reader}`, 'read')).tenantId).toBe(t);
    await expect403(auth.authenticate(`Bearer ${reader}`, 'write'), /^Insufficient privileges to complete the operation\.$/);

    const two = await mint('--role', 'cloud-application-administrator', `--role=${GLOBAL_ADMINISTRATOR.toUpperCase()}`);
    expect(decodeJwt(two).wids).toEqual([CLOUD_APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, USER_ROLE]);
    expect((await auth.authenticate(`Bearer ${two}`, 'write')).tenantId).toBe(t);

    const nobody = await mint('--no-role');
    expect(decodeJwt(nobody).wids).toEqual([USER_ROLE]);
    await expect403(auth.authenticate(`Bearer ${nobody}`, 'read'), /^Insufficient privileges/);
    await expect403(
      auth.authenticate(`Bearer ${await mint('--role', 'CloudApplicationAdministrator')}`, 'write'),
      /^Insufficient privileges/,
    );
    expect(decodeJwt(await mint('--app-only')).wids).toBeUndefined();
  });

  it('uses LOCAL_KEYS_DIR, relative to the working directory', async () => {
    let stdout = '';
    const code = await tokenCli([], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      env: { LOCAL_KEYS_DIR: path.relative(path.dirname(TEST_KEYS_DIR), TEST_KEYS_DIR) },
      cwd: path.dirname(TEST_KEYS_DIR),
    });
    expect(code).toBe(0);
    expect(decodeProtectedHeader(stdout.trim()).kid).toBe((await loadLocalSigningKey(TEST_KEYS_DIR)).kid);
  });

  it('bad arguments: a message on stderr, nothing on stdout, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--tenant', 'contoso'], /--tenant must be a GUID/],
      [['--tenant'], /--tenant needs a value/],
      [['--tenant', '--scope', 'x'], /--tenant needs a value/],
      [['--scope', ''], /--scope must not be empty/],
      [['--expires-in', 'soon'], /--expires-in must be a whole number/],
      [['--expires-in', '1.5'], /--expires-in must be a whole number/],
      [['--not-before', 'x'], /--not-before must be a whole number/],
      [['--object-id', 'me'], /--object-id must be a GUID/],
      [['--color'], /Unknown option --color/],
      [['--app-only=yes'], /--app-only takes no value/],
      [['tenant'], /Unexpected argument/],
      [['--tenant', randomUUID(), '--tenant', randomUUID()], /given twice/],
      [['--role'], /--role needs a value/],
      [['--role', 'Application Admin'], /--role must be a role name \(see --help\) or a role template id/],
      [['--role', 'Global Reader', '--no-role'], /--no-role and --role exclude each other/],
      [['--app-only', '--role', 'Global Reader'], /app-only token carries no directory roles/],
      [['--app-only', '--no-role'], /app-only token carries no directory roles/],
      [['--no-role=yes'], /--no-role takes no value/],
    ];
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = await run('--keys-dir', TEST_KEYS_DIR, ...argv);
      expect([argv, code, stdout]).toEqual([argv, 2, '']);
      expect(stderr).toMatch(message);
      expect(stderr).toMatch(/Usage: npm run token/);
    }
  });

  it('--help prints the usage, with the role names and what each may do by default', async () => {
    const { code, stdout, stderr } = await run('--help');
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/--tenant <guid>/);
    expect(stdout).toMatch(/--role <name or id>/);
    expect(stdout).toMatch(/--no-role/);
    expect(stdout).toContain(`Application Administrator           ${APPLICATION_ADMINISTRATOR}  reads and writes`);
    expect(stdout).toContain(`Global Reader                       ${GLOBAL_READER}  reads only`);
    expect(stdout).toContain(`Cloud Application Administrator     ${CLOUD_APPLICATION_ADMINISTRATOR}  refused; the audit log`);
    expect(stdout).toContain(`Global Reader                       ${GLOBAL_READER}  reads only; the audit log\n`);
    expect(stdout).toContain('Reports Reader                      4a5d8f65-41da-4de4-8968-e035b65339cf  refused; the audit log\n');
    expect(stdout).toMatch(/--app-only .*\n.*audit log only, with --scope "AuditLog\.Read\.All Directory\.Read\.All"/);
  });
});
