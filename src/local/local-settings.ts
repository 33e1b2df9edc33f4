/**
 * The settings every local command reads (`npm start`, `npm run token`): the environment, then the "Values" of
 * local.settings.json in the working directory (as `func start` reads them). One reader, so the commands agree
 * on every setting: a LOCAL_KEYS_DIR set in the file is the folder `npm start` checks tokens with and the
 * folder `npm run token` signs them with.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const LOCAL_SETTINGS_FILE = 'local.settings.json';

/** The file cannot be used; the message says how to fix it. */
export class LocalSettingsError extends Error {}

export const errorCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;
export const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function fileValues(cwd: string): Promise<Record<string, string>> {
  const file = LOCAL_SETTINGS_FILE;
  let text: string;
  try {
    text = await readFile(path.join(cwd, file), 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return {};
    throw new LocalSettingsError(
      `Cannot read ${file} (${errorCode(error) ?? reason(error)}): make it readable, or remove it to use the defaults.`,
    );
  }
  let values: unknown;
  try {
    values = (JSON.parse(text) as { Values?: unknown } | null)?.Values ?? {};
  } catch (error) {
    throw new LocalSettingsError(`${file} is not valid JSON (${reason(error)}): fix it, or copy local.settings.sample.json over it.`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new LocalSettingsError(`${file}: "Values" must be an object of settings, like local.settings.sample.json's.`);
  }
  const wrong = Object.entries(values).find(([, value]) => typeof value !== 'string');
  if (wrong) throw new LocalSettingsError(`${file}: the value of ${wrong[0]} must be a string (write "${String(wrong[1])}" in quotes).`);
  return values as Record<string, string>;
}

/** The environment over local.settings.json's values; throws LocalSettingsError for a file it cannot use. */
export async function readLocalSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<NodeJS.ProcessEnv> {
  return { ...(await fileValues(cwd)), ...env };
}
