/**
 * The local keys folder as the composition root (src/settings.ts) names it: LOCAL_KEYS_DIR, default
 * `.local/keys`, relative to the working directory. `npm run token` uses it so the CLI and the local service
 * agree on the key pair.
 */
import path from 'node:path';
import { DEFAULT_LOCAL_KEYS_DIR } from './local-keys.js';

export const LOCAL_KEYS_DIR_ENV = 'LOCAL_KEYS_DIR';

export function localKeysDirFromEnv(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const configured = env[LOCAL_KEYS_DIR_ENV]?.trim();
  return path.resolve(cwd, configured === undefined || configured === '' ? DEFAULT_LOCAL_KEYS_DIR : configured);
}
