import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_LOG_SCOPE, ENTRA_JWKS_URI, ENTRA_MULTI_TENANT_ISSUER, READ_SCOPES, WRITE_SCOPES } from '../../src/identity/index.js';
import { ARTIFACT_DIR } from '../../src/local/package.js';
import { loadSettings } from '../../src/settings.js';
import { DEFAULT_AUDIT_RETENTION_DAYS, MAX_AUDIT_RETENTION_DAYS } from '../../src/directory/audit.js';

// No Azure account or Bicep CLI is reachable here, so these tests read what the template consumes and
// states; what Azure does with it was checked by reading the official samples and docs only.
const read = (file: string) => readFileSync(file, 'utf8');
const azureYaml = read('azure.yaml');
const main = read('infra/main.bicep');
const resources = read('infra/resources.bicep');
const registration = read('infra/app-registration.bicep');
const bicep = [main, resources, registration].join('\n');

/** The Function App's app settings: name -> the Bicep expression of its value. */
const appSettings = new Map([...resources.matchAll(/\{ name: '([A-Za-z0-9_]+)', value: (.+) \}$/gm)].map((m) => [m[1]!, m[2]!]));

/** `environment().authentication.loginEndpoint` in Azure's public cloud. */
const PUBLIC_CLOUD_LOGIN = 'https://login.microsoftonline.com/';

/** Settings the service reads that Azure must not or need not set, and why. */
const NOT_IN_AZURE: Record<string, string> = {
  COSMOS_CONNECTION_STRING: 'keys are disabled; COSMOS_ENDPOINT with the managed identity instead',
  LOCAL_KEYS_DIR: 'local identity mode only',
  PORT: 'npm start only',
  HTTPS_PORT: 'npm start only',
  LOCAL_TLS_DIR: 'npm start only',
  HOST: 'npm start only',
  LOCAL_COSMOS_DIR: 'the embedded Cosmos server, npm start only',
  LOCAL_COSMOS_IN_MEMORY: 'the embedded Cosmos server, npm start only',
  FORWARDED_HOSTS: "only behind a reverse proxy of one's own; in Azure links name the platform's host",
  TRUSTED_HOSTS: "only for a custom domain; the app's own host name is the platform's WEBSITE_HOSTNAME",
  WEBSITE_HOSTNAME: 'set by the platform itself',
  REQUEST_DEADLINE_MS: 'its default (20 s) is chosen for Azure',
  AUTH_READ_ROLES: "its default is Entra's built-in roles that may read connector groups; a tenant with other roles sets it",
  AUTH_WRITE_ROLES: "its default is Entra's built-in roles that may change connector groups; a tenant with other roles sets it",
  AUTH_AUDIT_ROLES: "its default is Entra's built-in roles that may read audit logs; a tenant with other roles sets it",
};

describe('azure.yaml', () => {
  it('names the Bicep infra and one function service deployed from the package npm run package makes', () => {
    expect(azureYaml).toMatch(/^infra:\n {2}provider: bicep\n {2}path: infra\n {2}module: main$/m);
    expect(existsSync('infra/main.bicep')).toBe(true);
    expect(azureYaml).toMatch(/^services:\n {2}api:\n/m);
    expect(azureYaml).toMatch(/^ {4}project: \.$/m);
    expect(azureYaml).toMatch(/^ {4}host: function$/m);
    expect(azureYaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(azureYaml).toContain(`    dist: ${path.posix.join(ARTIFACT_DIR, 'app')}\n`);
    // azd finds the Function App by this tag.
    expect(resources).toContain("'azd-service-name': 'api'");
  });
});

describe('infra/', () => {
  it('deploys every module it names', () => {
    const modules = [...bicep.matchAll(/^module \w+ '([^']+)'/gm)].map((m) => m[1]!);
    expect(modules.sort()).toEqual(['app-registration.bicep', 'resources.bicep']);
    for (const file of modules) expect(existsSync(path.join('infra', file))).toBe(true);
    expect(read('infra/bicepconfig.json')).toContain('"microsoftGraphV1": "br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:');
    expect(registration).toMatch(/^extension microsoftGraphV1$/m);
  });

  it('loads the indexing policy file the code generates into the container partitioned on /tenantId', () => {
    expect(resources).toContain("indexingPolicy: loadJsonContent('indexing-policy.json')");
    expect(existsSync('infra/indexing-policy.json')).toBe(true);
    expect(resources).toContain("partitionKey: { paths: ['/tenantId'], kind: 'Hash', version: 2 }");
  });

  it('provisions the container with time to live on and no default, and passes the audit retention to the app', () => {
    expect(resources).toMatch(/^ {10}defaultTtl: -1$/m);
    expect(bicep).toContain(`param auditRetentionDays int = ${DEFAULT_AUDIT_RETENTION_DAYS}`);
    expect(bicep).toContain(`@maxValue(${MAX_AUDIT_RETENTION_DAYS})`);
    expect(resources).toContain("{ name: 'AUDIT_RETENTION_DAYS', value: string(auditRetentionDays) }");
  });

  it('runs a Flex Consumption (FC1) Linux Function App on Node 22 with a user-assigned identity, HTTPS only, TLS 1.2', () => {
    expect(resources).toContain("sku: { name: 'FC1', tier: 'FlexConsumption' }");
    expect(resources).toContain("kind: 'functionapp,linux'");
    // The Node Azure runs is the one CI's second run uses, and `engines` (the oldest Node CI runs) admits it.
    const major = /^~(\d+)\./.exec(
      (JSON.parse(read('.ci/node22/package.json')) as { dependencies: { node: string } }).dependencies.node,
    )?.[1];
    expect(resources).toContain(`runtime: { name: 'node', version: '${major}' }`);
    expect(major).toBe('22');
    const oldest = /^>=(\d+)(?:\.\d+)*$/.exec((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node)?.[1];
    expect(Number(oldest)).toBeLessThanOrEqual(Number(major));
    expect(resources).toContain("type: 'UserAssigned'");
    expect(resources).toContain('httpsOnly: true');
    expect(resources).toContain("minTlsVersion: '1.2'");
    expect(resources).toContain("authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id }");
  });

  it('keeps shared keys and local auth off: storage, Application Insights and Cosmos DB accept the identity only', () => {
    expect(resources).toContain('allowSharedKeyAccess: false');
    expect(resources).toContain("minimumTlsVersion: 'TLS1_2'");
    expect(resources).toContain('DisableLocalAuth: true');
    expect(resources).toContain('WorkspaceResourceId: logs.id');
    expect(resources).toContain('disableLocalAuth: true');
    expect(appSettings.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(appSettings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toContain('Authorization=AAD');
    // Cosmos DB Built-in Data Contributor, granted on the data plane.
    expect(resources).toMatch(/Microsoft\.DocumentDB\/databaseAccounts\/sqlRoleAssignments@/);
    expect(resources).toContain("var cosmosDbBuiltinDataContributor = '00000000-0000-0000-0000-000000000002'");
  });

  it('makes Cosmos DB serverless by default, provisioned autoscale by parameter', () => {
    expect(main).toContain("param cosmosCapacityMode string = 'Serverless'");
    expect(resources).toContain("capabilities: serverless ? [{ name: 'EnableServerless' }] : []");
    expect(resources).toContain('autoscaleSettings: { maxThroughput: cosmosMaxThroughput }');
  });

  it('registers the Entra app with exactly the delegated scopes (and application roles) the service checks; its client id is ENTRA_AUDIENCE', () => {
    const exposed = [...registration.matchAll(/^ {4}value: '([^']+)'$/gm)].map((m) => m[1]!);
    expect([...new Set(exposed)].sort()).toEqual([...new Set([...READ_SCOPES, ...WRITE_SCOPES, AUDIT_LOG_SCOPE])].sort());
    expect(registration).toContain('requestedAccessTokenVersion: 2');
    expect(main).toContain('entraAudience: appRegistration.outputs.appId');
    expect(appSettings.get('ENTRA_AUDIENCE')).toBe('entraAudience');
    // v2.0 tokens: the issuer the service accepts by default, on the cloud's own sign-in host.
    expect(appSettings.get('ENTRA_ISSUER')).toBe("'${environment().authentication.loginEndpoint}{tenantid}/v2.0'");
  });

  it('keeps PAGING_KEY in Key Vault, generated once by azd, read by reference with the identity', () => {
    expect(main).toMatch(/@secure\(\)\n.*\n@metadata\(\{ azd: \{ type: 'generate', config: \{ length: 48/);
    expect(appSettings.get('PAGING_KEY')).toMatch(
      /^'@Microsoft\.KeyVault\(SecretUri=\$\{vault\.properties\.vaultUri\}secrets\/paging-key\/\)'$/,
    );
    expect(resources).toContain('keyVaultReferenceIdentity: identity.id');
    expect(resources).toContain('enableRbacAuthorization: true');
  });

  it('refuses to start on a Key Vault reference the platform could not resolve, and says why', () => {
    // What the app sees on a first deployment whose Key Vault role has not propagated yet (docs/DEPLOY.md).
    const unresolved = { AUTH_MODE: 'entra', COSMOS_ENDPOINT: 'https://cosmos-appproxy-x.documents.azure.com:443/', ENTRA_AUDIENCE: 'x' };
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/paging-key/)';
    expect(() => loadSettings({ ...unresolved, PAGING_KEY: reference })).toThrow(
      'PAGING_KEY: is an unresolved Key Vault reference; check the app identity can read the vault',
    );
    expect(resources).toContain('softDeleteRetentionInDays: 7');
  });

  it('sets every setting the service reads, except the local-only ones, and the service starts with them', () => {
    const readme = read('README.md');
    const documented = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
    const schema = [...read('src/settings.ts').matchAll(/^ {4}([A-Z][A-Z0-9_]+): (?:z\b|hostList)/gm)].map((m) => m[1]!);
    expect(schema.length).toBeGreaterThan(5);
    for (const name of schema) expect(documented).toContain(name);
    const missing = documented.filter((name) => !appSettings.has(name) && !(name in NOT_IN_AZURE));
    expect(missing).toEqual([]);
    for (const name of Object.keys(NOT_IN_AZURE)) expect(appSettings.has(name)).toBe(false);
    expect(appSettings.get('AZURE_CLIENT_ID')).toBe('identity.properties.clientId');

    // Literals and string variables as they are; the computed values as Azure would resolve them.
    const vars = new Map([...resources.matchAll(/^var (\w+) = '([^'$]*)'$/gm)].map((m) => [m[1]!, m[2]!]));
    // environment() as the public cloud answers it (its loginEndpoint ends with a slash).
    const publicCloud = (value: string) => value.replaceAll('${environment().authentication.loginEndpoint}', PUBLIC_CLOUD_LOGIN);
    const literal = (value: string) => (/^'[^'$]*'$/.test(publicCloud(value)) ? publicCloud(value).slice(1, -1) : vars.get(value));
    const env = Object.fromEntries([...appSettings].map(([name, value]) => [name, literal(value) ?? `resolved-${name}`]));
    Object.assign(env, {
      COSMOS_ENDPOINT: 'https://cosmos-appproxy-x.documents.azure.com:443/',
      PAGING_KEY: 'g'.repeat(48),
      AUDIT_RETENTION_DAYS: '30',
    });
    const settings = loadSettings(env);
    expect(settings.identity).toMatchObject({
      mode: 'entra',
      audience: 'resolved-ENTRA_AUDIENCE',
      issuer: ENTRA_MULTI_TENANT_ISSUER,
      jwksUri: ENTRA_JWKS_URI,
    });
    expect(settings.cosmos).toEqual({ endpoint: env.COSMOS_ENDPOINT, database: 'appproxy', container: 'directory' });
  });
});

describe('README', () => {
  it('points only at files inside the repository, and they exist', () => {
    for (const file of ['README.md', 'docs/API.md']) {
      const text = read(file);
      expect(text).not.toMatch(/\.\.\//);
      for (const [, target] of text.matchAll(/\]\(((?!https?:)[^)#]+)\)/g))
        expect(existsSync(path.join(path.dirname(file), target!))).toBe(true);
    }
  });
});
