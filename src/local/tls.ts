/**
 * A self-signed certificate for the local host's HTTPS listener (the v3 Graph client sends tokens only over
 * https). Made on first use with `selfsigned`, kept in an ignored folder (`.local/tls/` by default) and reused
 * while it is valid, so callers can trust it once: `NODE_EXTRA_CA_CERTS=.local/tls/cert.pem`.
 *
 * Several processes (test workers) may ask at the same moment: one takes a lock (an exclusive `mkdir`),
 * writes each file to a temporary name and renames it into place; the others wait and read the result.
 * Local runs and tests only.
 */
import { randomUUID, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';

export const DEFAULT_TLS_DIR = '.local/tls';

export interface LocalCertificate {
  /** PEM text of the certificate (also the CA to trust: it signs itself) and of its private key. */
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

const NAMES = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };
const VALID_DAYS = 365;
/** A certificate this close to expiry is replaced. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;
/** A lock older than this was left by a process that died while making the certificate. */
const STALE_LOCK_MS = 60_000;
const WAIT_MS = 50;
const MAX_WAIT_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pair in `dir` when it is complete, matching, for our names and not about to expire. */
async function readUsable(certPath: string, keyPath: string): Promise<{ cert: string; key: string } | undefined> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  } catch {
    return undefined;
  }
  try {
    const x509 = new X509Certificate(cert);
    if (Date.parse(x509.validTo) - Date.now() < RENEW_BEFORE_MS || Date.parse(x509.validFrom) > Date.now()) return undefined;
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    if (NAMES.dns.some((name) => !x509.checkHost(name)) || NAMES.ips.some((ip) => !x509.checkIP(ip))) return undefined;
  } catch {
    return undefined;
  }
  return { cert, key };
}

async function make(): Promise<{ cert: string; key: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + VALID_DAYS * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...NAMES.dns.map((value) => ({ type: 2 as const, value })), ...NAMES.ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Writes to a temporary name in the same folder, then renames, so a reader never sees half a file. */
async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, text, { mode });
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}

/** The local certificate in `dir` (relative to the working directory), made on first use. */
export async function ensureLocalCertificate(dir = process.env.LOCAL_TLS_DIR ?? DEFAULT_TLS_DIR): Promise<LocalCertificate> {
  const folder = path.resolve(dir);
  const certPath = path.join(folder, 'cert.pem');
  const keyPath = path.join(folder, 'key.pem');
  const lock = path.join(folder, '.lock');
  await mkdir(folder, { recursive: true });
  const deadline = Date.now() + MAX_WAIT_MS;
  for (;;) {
    const ready = await readUsable(certPath, keyPath);
    if (ready) return { ...ready, certPath, keyPath };
    try {
      await mkdir(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (since > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${lock} (remove it if no other process is making the certificate).`);
      await sleep(WAIT_MS);
      continue;
    }
    try {
      // Another process may have finished between our read and taking the lock.
      const made = (await readUsable(certPath, keyPath)) ?? (await make());
      await writeAtomically(keyPath, made.key, 0o600);
      await writeAtomically(certPath, made.cert, 0o644);
      return { ...made, certPath, keyPath };
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}
