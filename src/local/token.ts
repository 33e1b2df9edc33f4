/**
 * `npm run token -- --tenant <guid> --scope "<scopes>" --role <name or id>`: prints a local-mode token (only the
 * token and a newline on stdout). The key pair is made on first use in the keys folder the local service reads
 * (LOCAL_KEYS_DIR, default `.local/keys`; from the environment or local.settings.json, as `npm start` reads it).
 * Bad arguments: a message on stderr, exit code 2.
 */
import path from 'node:path';
import {
  APPLICATION_ADMINISTRATOR,
  DEFAULT_AUDIT_ROLES,
  DEFAULT_READ_ROLES,
  DEFAULT_WRITE_ROLES,
  LOCAL_DEFAULT_TENANT,
  localKeysDirFromEnv,
  mintLocalToken,
  NAMED_ROLES,
  roleTemplateId,
  type MintOptions,
} from '../identity/index.js';
import { isGuid } from '../lib/guid.js';
import { isEntryPoint } from './entry.js';
import { readLocalSettings } from './local-settings.js';

export interface TokenCliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** What the service lets each named role do with its default role settings (AUTH_READ_ROLES, AUTH_WRITE_ROLES, AUTH_AUDIT_ROLES). */
const byDefault = (id: string) => {
  const access = DEFAULT_WRITE_ROLES.includes(id) ? 'reads and writes' : DEFAULT_READ_ROLES.includes(id) ? 'reads only' : 'refused';
  return DEFAULT_AUDIT_ROLES.includes(id) ? `${access}; the audit log` : access;
};
const ROLE_LINES = NAMED_ROLES.map(({ name, id }) => `    ${name.padEnd(36)}${id}  ${byDefault(id)}`).join('\n');

export const USAGE = `Usage: npm run token -- [options]

Prints a bearer token for the local service (local identity mode) on stdout.

Options:
  --tenant <guid>          tid of the token (default ${LOCAL_DEFAULT_TENANT})
  --scope "<scopes>"       space-separated delegated scopes (default "Directory.ReadWrite.All")
  --role <name or id>      a directory role of the user (wids), by name or role template id; repeatable
                           (default Application Administrator). Every token also carries the User role.
  --no-role                a user with no administrator role (wids holds the User role only)
  --app-only               an app-only token: the scopes go to "roles", no "scp", no "wids"; it may read the
                           audit log only, with --scope "AuditLog.Read.All Directory.Read.All"
  --expires-in <seconds>   lifetime from now (default 3600; negative: already expired)
  --not-before <seconds>   nbf relative to now (default 0; positive: not yet valid)
  --audience <aud>         override aud (default api://appproxy-graph-local)
  --issuer <iss>           override iss (default https://login.microsoftonline.com/<tenant>/v2.0)
  --object-id <guid>       oid of the user
  --keys-dir <dir>         folder of the local key pair (default $LOCAL_KEYS_DIR or .local/keys)
  --help                   show this help

Role names (quote names with spaces, or write them with dashes: --role global-reader), their template ids,
and what the service's default role settings let them do:
${ROLE_LINES}
`;

class UsageError extends Error {}

const VALUE_OPTIONS = ['tenant', 'scope', 'expires-in', 'not-before', 'audience', 'issuer', 'object-id', 'keys-dir'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];
const FLAG_OPTIONS = ['app-only', 'no-role', 'help'] as const;
type FlagOption = (typeof FLAG_OPTIONS)[number];

interface ParsedArgs {
  values: Partial<Record<ValueOption, string>>;
  /** Every `--role`, in order. */
  roles: string[];
  flags: Set<FlagOption>;
}

/** `--name value` and `--name=value`; values may start with `-` (negative numbers); only `--role` may repeat. */
function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { values: {}, roles: [], flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (match === null) throw new UsageError(`Unexpected argument ${JSON.stringify(arg)}.`);
    const name = match[1] ?? '';
    const inline = match[2];
    if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value.`);
      parsed.flags.add(name as FlagOption);
      continue;
    }
    const repeated = name === 'role';
    if (!repeated && !(VALUE_OPTIONS as readonly string[]).includes(name)) throw new UsageError(`Unknown option --${name}.`);
    const option = name as ValueOption;
    if (!repeated && parsed.values[option] !== undefined) throw new UsageError(`--${name} is given twice.`);
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || /^--[a-z]/.test(value)) throw new UsageError(`--${name} needs a value.`);
      i++;
    }
    if (repeated) parsed.roles.push(value);
    else parsed.values[option] = value;
  }
  return parsed;
}

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[+-]?\d{1,10}$/.test(text.trim()))
    throw new UsageError(`--${name} must be a whole number of seconds, not ${JSON.stringify(text)}.`);
  return Number(text.trim());
}

function nonEmpty(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UsageError(`--${name} must not be empty.`);
  return text.trim();
}

function guid(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!isGuid(text.trim())) throw new UsageError(`--${name} must be a GUID, not ${JSON.stringify(text)}.`);
  return text.trim().toLowerCase();
}

/** The `wids` of the token: each `--role` resolved, none with `--no-role`, Application Administrator by default. */
function directoryRoles({ roles, flags }: ParsedArgs): string[] | undefined {
  if (flags.has('no-role') && roles.length > 0) throw new UsageError('--no-role and --role exclude each other.');
  if (flags.has('app-only') && (flags.has('no-role') || roles.length > 0)) {
    throw new UsageError('An app-only token carries no directory roles: --app-only takes neither --role nor --no-role.');
  }
  if (flags.has('app-only')) return undefined;
  if (flags.has('no-role')) return [];
  if (roles.length === 0) return [APPLICATION_ADMINISTRATOR];
  return roles.map((role) => {
    const id = roleTemplateId(role);
    if (id === undefined) {
      throw new UsageError(`--role must be a role name (see --help) or a role template id (a GUID), not ${JSON.stringify(role)}.`);
    }
    return id;
  });
}

/** Runs the CLI; returns the exit code (0, 1 on failure, 2 on bad arguments). */
export async function main(argv: readonly string[], io: TokenCliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let options: MintOptions;
  let keysDirArg: string | undefined;
  try {
    const parsed = parseArgs(argv);
    const { values, flags } = parsed;
    if (flags.has('help')) {
      io.stdout.write(USAGE);
      return 0;
    }
    const scope = nonEmpty('scope', values.scope);
    if (scope !== undefined && !/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(scope)) {
      throw new UsageError('--scope must be scope names separated by single spaces.');
    }
    options = {
      tenant: guid('tenant', values.tenant) ?? LOCAL_DEFAULT_TENANT,
      scope: scope ?? 'Directory.ReadWrite.All',
      appOnly: flags.has('app-only'),
      directoryRoles: directoryRoles(parsed),
      expiresIn: integer('expires-in', values['expires-in']),
      notBefore: integer('not-before', values['not-before']),
      audience: nonEmpty('audience', values.audience),
      issuer: nonEmpty('issuer', values.issuer),
      objectId: guid('object-id', values['object-id']),
    };
    keysDirArg = nonEmpty('keys-dir', values['keys-dir']);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`token: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  try {
    const cwd = io.cwd ?? process.cwd();
    const keysDir =
      keysDirArg !== undefined
        ? path.resolve(cwd, keysDirArg)
        : localKeysDirFromEnv(await readLocalSettings(io.env ?? process.env, cwd), cwd);
    io.stdout.write(`${await mintLocalToken(keysDir, options)}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
