import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { compose } from '../../src/app.js';
import {
  DEFAULT_AUDIT_ROLES,
  REPORTS_READER,
  SECURITY_READER,
  APPLICATION_ADMINISTRATOR,
  DEFAULT_READ_ROLES,
  DEFAULT_WRITE_ROLES,
  GLOBAL_ADMINISTRATOR,
  GLOBAL_READER,
  GLOBAL_SECURE_ACCESS_ADMINISTRATOR,
} from '../../src/identity/index.js';
import { loadSettings } from '../../src/settings.js';

const local = { AUTH_MODE: 'local', COSMOS_CONNECTION_STRING: 'AccountEndpoint=http://127.0.0.1:8081/;AccountKey=a2V5;' };
const entra = {
  COSMOS_ENDPOINT: 'https://contoso.documents.azure.com:443/',
  ENTRA_AUDIENCE: 'api://appproxy',
  PAGING_KEY: 'k'.repeat(32),
};

describe('settings', () => {
  it('reads local defaults', () => {
    const s = loadSettings(local);
    expect(s.identity).toEqual({
      mode: 'local',
      keysDir: '.local/keys',
      roles: { read: DEFAULT_READ_ROLES, write: DEFAULT_WRITE_ROLES, audit: DEFAULT_AUDIT_ROLES },
    });
    expect(s.cosmos).toEqual({ connectionString: local.COSMOS_CONNECTION_STRING, database: 'appproxy', container: 'directory' });
    expect(s.pagingKey.byteLength).toBe(32);
  });

  it('defaults to Entra ID mode with the multi-tenant issuer', () => {
    const s = loadSettings(entra);
    expect(s.identity).toEqual({
      mode: 'entra',
      audience: 'api://appproxy',
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      jwksUri: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
      roles: { read: DEFAULT_READ_ROLES, write: DEFAULT_WRITE_ROLES, audit: DEFAULT_AUDIT_ROLES },
    });
    expect(s.cosmos).toMatchObject({ endpoint: entra.COSMOS_ENDPOINT });
  });

  it.each([
    [{}, 'COSMOS_CONNECTION_STRING'],
    [{ ...local, COSMOS_CONNECTION_STRING: 'nonsense' }, 'COSMOS_CONNECTION_STRING'],
    [{ ...entra, COSMOS_ENDPOINT: 'not a url' }, 'COSMOS_ENDPOINT'],
    [{ ...entra, ENTRA_AUDIENCE: '' }, 'ENTRA_AUDIENCE'],
    [{ ...entra, PAGING_KEY: undefined }, 'PAGING_KEY'],
    [{ ...entra, PAGING_KEY: 'short' }, 'PAGING_KEY'],
    [{ ...entra, PAGING_KEY: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/paging-key/)' }, 'PAGING_KEY'],
    [{ ...entra, ENTRA_JWKS_URI: 'http://keys.example' }, 'ENTRA_JWKS_URI'],
    [{ ...local, AUTH_MODE: 'none' }, 'AUTH_MODE'],
    [{ ...local, FORWARDED_HOSTS: 'https://api.contoso.com' }, 'FORWARDED_HOSTS'],
    [{ ...local, FORWARDED_HOSTS: 'a b' }, 'FORWARDED_HOSTS'],
    [{ ...local, REQUEST_DEADLINE_MS: '10' }, 'REQUEST_DEADLINE_MS'],
    [{ ...local, REQUEST_DEADLINE_MS: 'soon' }, 'REQUEST_DEADLINE_MS'],
    [{ ...entra, AUTH_WRITE_ROLES: ' , ' }, 'AUTH_WRITE_ROLES: no role may write'],
    [{ ...local, AUTH_READ_ROLES: ',' }, 'AUTH_READ_ROLES: no role may read'],
    [{ ...local, AUTH_WRITE_ROLES: 'Application Admin' }, 'AUTH_WRITE_ROLES: "Application Admin" is neither'],
    [
      { ...local, AUTH_READ_ROLES: 'Global Reader' },
      'AUTH_READ_ROLES: every role that may write must also be allowed to read; add Application Administrator',
    ],
  ])('stops start-up naming the setting at fault (%#)', (env, name) => {
    expect(() => loadSettings(env)).toThrow(new RegExp(`Invalid settings:[\\s\\S]*${name}`));
  });

  it('reads the trusted proxy hosts (trimmed, lower-cased) and the request deadline (20 s by default)', () => {
    expect(loadSettings(local)).toMatchObject({ forwardedHosts: [], requestDeadlineMs: 20_000 });
    const s = loadSettings({ ...local, FORWARDED_HOSTS: ' API.contoso.com , gw.contoso.com:8443,', REQUEST_DEADLINE_MS: '5000' });
    expect(s).toMatchObject({ forwardedHosts: ['api.contoso.com', 'gw.contoso.com:8443'], requestDeadlineMs: 5000 });
  });

  it("trusts, for links, the app's own name and TRUSTED_HOSTS, and outside Azure the local names", () => {
    const local_ = [...['localhost', '127.0.0.1', '[::1]'], hostname().toLowerCase()];
    expect(loadSettings({ ...local, TRUSTED_HOSTS: ' Dev.Contoso.com:7071,' })).toMatchObject({
      trustedHosts: [...local_, 'dev.contoso.com:7071'],
    });
    expect(loadSettings(local).canonicalHost).toBeUndefined();
    // Core Tools (func start) sets WEBSITE_HOSTNAME to localhost:<port>: still a local run
    expect(loadSettings({ ...local, WEBSITE_HOSTNAME: 'localhost:7071' })).toMatchObject({
      trustedHosts: [...local_, 'localhost:7071'],
      canonicalHost: 'localhost:7071',
    });
    // in Azure (WEBSITE_SITE_NAME, WEBSITE_INSTANCE_ID): the local names are not the app's
    const azure = loadSettings({
      ...entra,
      WEBSITE_SITE_NAME: 'appproxy',
      WEBSITE_HOSTNAME: 'AppProxy.azurewebsites.net',
      TRUSTED_HOSTS: 'graph.contoso.com',
    });
    expect(azure).toMatchObject({
      trustedHosts: ['appproxy.azurewebsites.net', 'graph.contoso.com'],
      canonicalHost: 'appproxy.azurewebsites.net',
    });
    expect(() => loadSettings({ ...local, TRUSTED_HOSTS: 'https://graph.contoso.com' })).toThrow(/TRUSTED_HOSTS[.0]*: must be host names/);
    expect(() => loadSettings({ ...local, WEBSITE_HOSTNAME: 'a b' })).toThrow(/WEBSITE_HOSTNAME: must be a host name/);
  });

  it('reads the role lists: template ids or role names, comma-separated, resolved to lower-case ids', () => {
    const s = loadSettings({
      ...entra,
      AUTH_WRITE_ROLES: ` ${GLOBAL_ADMINISTRATOR.toUpperCase()} ,`,
      AUTH_READ_ROLES: `global-administrator, Global Secure Access Administrator,${GLOBAL_READER},GlobalReader`,
    });
    expect(s.identity.roles).toEqual({
      read: [GLOBAL_ADMINISTRATOR, GLOBAL_SECURE_ACCESS_ADMINISTRATOR, GLOBAL_READER],
      write: [GLOBAL_ADMINISTRATOR],
      audit: DEFAULT_AUDIT_ROLES,
    });
    expect(loadSettings({ ...entra, AUTH_AUDIT_ROLES: `Reports Reader, ${SECURITY_READER.toUpperCase()}` }).identity.roles?.audit).toEqual([
      REPORTS_READER,
      SECURITY_READER,
    ]);
    expect(() => loadSettings({ ...entra, AUTH_AUDIT_ROLES: 'Auditor' })).toThrow(/AUTH_AUDIT_ROLES/);
    // Empty values count as unset (local.settings.json carries them): the defaults.
    expect(loadSettings({ ...local, AUTH_WRITE_ROLES: '', AUTH_READ_ROLES: '' }).identity.roles).toEqual({
      read: [APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, GLOBAL_READER, GLOBAL_SECURE_ACCESS_ADMINISTRATOR],
      write: [APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR],
      audit: DEFAULT_AUDIT_ROLES,
    });
  });

  it('refuses local mode inside Azure', () => {
    expect(() => compose({ ...local, WEBSITE_INSTANCE_ID: 'abc' })).toThrow(/Azure/);
  });

  it('composes every function under both versions plus the fallback', () => {
    const names = compose(local).routes.functions.map((f) => f.name);
    expect(names).toContain('connectorGroups-create-beta');
    expect(names).toContain('connectorGroups-create-v1');
    expect(names.at(-1)).toBe('zzz-fallback');
  });
});
