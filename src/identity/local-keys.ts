/**
 * Local mode: a key pair kept on the developer's disk, and the tokens it signs. The service checks these
 * tokens with the very same validation code as Entra ID tokens (`verify.ts`), only the key source
 * (a local JWKS instead of the issuer's remote one) and the expected audience differ.
 *
 * Nothing here may run in Azure: `assertLocalModeAllowed` refuses when the process runs in App Service or
 * Functions, and the authenticator calls it before it accepts local mode.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ENTRA_MULTI_TENANT_ISSUER, TENANT_PLACEHOLDER } from './entra.js';
import { APPLICATION_ADMINISTRATOR, USER_ROLE } from './roles.js';

/** The `aud` of local tokens, and the audience the local-mode authenticator expects. */
export const LOCAL_AUDIENCE = 'api://appproxy-graph-local';
/** Local tokens use Entra's multi-tenant v2 issuer form, so the tid/iss rule is exercised locally too. */
export const LOCAL_ISSUER_TEMPLATE = ENTRA_MULTI_TENANT_ISSUER;
/** The tenant of `npm run token` when no `--tenant` is given. */
export const LOCAL_DEFAULT_TENANT = '3f9a5c1e-6b2d-4e8f-a7c0-1d4b8e2f6a93';
/** The `oid` (user object id) of local tokens when none is given. */
export const LOCAL_DEFAULT_OBJECT_ID = 'b7e4d2a1-5c3f-4a9e-8d06-2f1c7b9e4a58';
/** The default folder of the local key pair, relative to the working directory (ignored by git). */
export const DEFAULT_LOCAL_KEYS_DIR = '.local/keys';
/** The file, inside the keys folder, that holds the key pair as JWKs. */
export const LOCAL_KEY_FILE = 'signing-key.json';
export const LOCAL_SIGNING_ALGORITHM = 'RS256';
/** Lifetime of a minted token when `expiresIn` is not given: one hour, as Entra's default. */
export const DEFAULT_LOCAL_TOKEN_LIFETIME_SECONDS = 3600;

const AZURE_MARKERS = ['WEBSITE_INSTANCE_ID', 'WEBSITE_SITE_NAME'] as const;

const azureMarker = (env: NodeJS.ProcessEnv) => AZURE_MARKERS.find((name) => (env[name] ?? '').trim() !== '');

/** Whether `env` says the process runs in Azure (App Service / Functions), not locally (Core Tools included). */
export const runsInAzure = (env: NodeJS.ProcessEnv): boolean => azureMarker(env) !== undefined;

/** Throws when `env` says the process runs in Azure (App Service / Functions): local mode is for local runs only. */
export function assertLocalModeAllowed(env: NodeJS.ProcessEnv): void {
  const marker = azureMarker(env);
  if (marker !== undefined) {
    throw new Error(
      `Local identity mode refused: ${marker} is set, so this process runs in Azure. Local mode signs and accepts ` +
        'tokens with a key kept on disk and is for local runs and tests only. Use Entra ID mode in Azure ' +
        '(AUTH_MODE=entra with ENTRA_AUDIENCE set).',
    );
  }
}

export interface LocalSigningKey {
  readonly keysDir: string;
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
}

interface KeyFile {
  format: 1;
  createdAt: string;
  kid: string;
  alg: typeof LOCAL_SIGNING_ALGORITHM;
  publicJwk: JWK;
  privateJwk: JWK;
}

const loaded = new Map<string, Promise<LocalSigningKey>>();

/**
 * The local key pair of `keysDir` (resolved against the working directory), made on first use. Cached per
 * folder; `fresh` re-reads the file (the authenticator does so when a token names a kid it does not know,
 * e.g. after the folder was deleted and `npm run token` made a new pair).
 */
export function loadLocalSigningKey(keysDir: string, options: { fresh?: boolean } = {}): Promise<LocalSigningKey> {
  const dir = path.resolve(keysDir);
  const cached = loaded.get(dir);
  if (cached !== undefined && options.fresh !== true) return cached;
  const pending = readOrCreateKey(dir);
  loaded.set(dir, pending);
  pending.catch(() => {
    if (loaded.get(dir) === pending) loaded.delete(dir);
  });
  return pending;
}

async function readOrCreateKey(dir: string): Promise<LocalSigningKey> {
  const file = path.join(dir, LOCAL_KEY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    await createKeyFile(dir, file);
    // Re-read: when several processes race, the first one to publish its file wins and all use that pair.
    text = await readFile(file, 'utf8');
  }
  return parseKeyFile(dir, file, text);
}

/**
 * Writes a new pair to a temporary file, then publishes it with link() (atomic, and fails when the file
 * already exists), so concurrent creators never see a half-written file and never replace each other's key.
 * Where hard links are not supported, falls back to rename().
 */
async function createKeyFile(dir: string, file: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, '.gitignore'), '*\n', { flag: 'wx' }).catch((error: unknown) => {
    if (errorCode(error) !== 'EEXIST') throw error;
  });
  const { privateKey, publicKey } = await generateKeyPair(LOCAL_SIGNING_ALGORITHM, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const content: KeyFile = {
    format: 1,
    createdAt: new Date().toISOString(),
    kid,
    alg: LOCAL_SIGNING_ALGORITHM,
    publicJwk: { ...publicJwk, kid, alg: LOCAL_SIGNING_ALGORITHM, use: 'sig' },
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: LOCAL_SIGNING_ALGORITHM },
  };
  const temp = path.join(dir, `.${LOCAL_KEY_FILE}.${process.pid}.${randomUUID()}.tmp`);
  await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return; // another process won the race; its key is the one
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    await rename(temp, file);
    return;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function parseKeyFile(dir: string, file: string, text: string): Promise<LocalSigningKey> {
  const broken = (why: string) =>
    new Error(`The local signing key ${file} is unusable (${why}). Delete the folder ${dir} to make a new key pair.`);
  let content: Partial<KeyFile>;
  try {
    content = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw broken('not JSON');
  }
  const { kid, publicJwk, privateJwk } = content;
  if (typeof kid !== 'string' || !isRsaJwk(publicJwk) || !isRsaJwk(privateJwk) || typeof privateJwk.d !== 'string') {
    throw broken('unexpected content');
  }
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK(privateJwk, LOCAL_SIGNING_ALGORITHM)) as CryptoKey;
  } catch {
    throw broken('the private key cannot be imported');
  }
  const { kty, n, e } = publicJwk;
  return { keysDir: dir, kid, privateKey, publicJwk: { kty, n, e, kid, alg: LOCAL_SIGNING_ALGORITHM, use: 'sig' } };
}

function isRsaJwk(value: unknown): value is JWK {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return jwk.kty === 'RSA' && typeof jwk.n === 'string' && typeof jwk.e === 'string';
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export interface MintOptions {
  /** `tid`, also substituted into the issuer template. Default LOCAL_DEFAULT_TENANT. */
  tenant?: string;
  /** Space-separated scopes: `scp`, or `roles` with `appOnly`. Default `Directory.ReadWrite.All`. */
  scope?: string;
  /** An app-only token: `roles` instead of `scp`, and no `wids`. */
  appOnly?: boolean;
  /**
   * The user's directory roles (template ids) in `wids`, besides the User role every member holds. Default
   * Application Administrator; `[]`: a user with no administrator role.
   */
  directoryRoles?: readonly string[];
  /** Seconds from now to `exp` (negative: already expired). Default 3600. */
  expiresIn?: number;
  /** Seconds from now to `nbf` (positive: not yet valid). Default 0. */
  notBefore?: number;
  /** `aud`. Default LOCAL_AUDIENCE. */
  audience?: string;
  /** `iss`. Default LOCAL_ISSUER_TEMPLATE with the tenant substituted. */
  issuer?: string;
  /** `oid` and `sub`. Default LOCAL_DEFAULT_OBJECT_ID. */
  objectId?: string;
  /** Merged over the claims above; a claim set to `undefined` is removed. */
  extraClaims?: Record<string, unknown>;
}

/** The claims a local token carries (exported for tests that forge tokens around them). */
export function localTokenClaims(options: MintOptions = {}, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  const tenant = options.tenant ?? LOCAL_DEFAULT_TENANT;
  const scopes = (options.scope ?? 'Directory.ReadWrite.All').split(/\s+/).filter((s) => s !== '');
  const expiresIn = seconds(options.expiresIn, DEFAULT_LOCAL_TOKEN_LIFETIME_SECONDS, 'expiresIn');
  const notBefore = seconds(options.notBefore, 0, 'notBefore');
  const objectId = options.objectId ?? LOCAL_DEFAULT_OBJECT_ID;
  const wids = [...new Set([...(options.directoryRoles ?? [APPLICATION_ADMINISTRATOR]), USER_ROLE])];
  const claims: Record<string, unknown> = {
    aud: options.audience ?? LOCAL_AUDIENCE,
    iss: options.issuer ?? LOCAL_ISSUER_TEMPLATE.replace(TENANT_PLACEHOLDER, () => tenant),
    iat: nowSeconds,
    nbf: nowSeconds + notBefore,
    exp: nowSeconds + expiresIn,
    tid: tenant,
    oid: objectId,
    sub: objectId,
    ver: '2.0',
    uti: randomUUID(),
    ...(options.appOnly === true ? { roles: scopes } : { scp: scopes.join(' '), name: 'Local Developer', wids }),
    ...options.extraClaims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return claims;
}

function seconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value)) throw new TypeError(`${name} must be a finite number of seconds`);
  return Math.trunc(value);
}

/** A token signed with the local key pair of `keysDir` (made on first use). */
export async function mintLocalToken(keysDir: string, options: MintOptions = {}): Promise<string> {
  const key = await loadLocalSigningKey(keysDir);
  return new SignJWT(localTokenClaims(options))
    .setProtectedHeader({ alg: LOCAL_SIGNING_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}
