import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  APP_REGISTRATION_STAND_IN,
  checkInfra,
  parseDiagnostics,
  restoreBicep,
  type ArmResource,
  type ArmTemplate,
  type InfraCheck,
} from '../../src/local/infra-check.js';
import { requireTool } from '../support/tools.js';

/**
 * What Flex Consumption does not support, from Microsoft's "App settings reference for Azure Functions",
 * section "Flex Consumption plan deprecations" (learn.microsoft.com/azure/azure-functions/functions-app-settings
 * #flex-consumption-plan-deprecations), as read on 2026-12-02. Site properties are named there as
 * `properties.<name>`, whether they sit on the site or in its siteConfig; both places are checked.
 */
const FLEX_UNSUPPORTED_APP_SETTINGS = [
  'ENABLE_ORYX_BUILD',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_DNS_SERVER',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION',
  'WEBSITE_VNET_ROUTE_ALL',
];
const FLEX_UNSUPPORTED_SITE_PROPERTIES = [
  'alwaysOn',
  'containerSize',
  'dnsConfiguration',
  'ftpsState',
  'isReserved',
  'IsXenon',
  'javaVersion',
  'LinuxFxVersion',
  'netFrameworkVersion',
  'powerShellVersion',
  'functionAppScaleLimit',
  'preWarmedInstanceCount',
  'use32BitWorkerProcess',
  'vnetBackupRestoreEnabled',
  'vnetContentShareEnabled',
  'vnetImagePullEnabled',
  'vnetRouteAllEnabled',
  'windowsFxVersion',
];

/**
 * The regions that offer Flex Consumption: the `@allowed` list of `location` in Microsoft's Functions
 * quickstart template, Azure-Samples/functions-quickstart-typescript-azd, infra/main.bicep at commit
 * 96a0b435bee7e4257cc520e2917ee8f6b19fc7a3 (2025-05-07). Microsoft's docs keep no fixed list; they name
 * `az functionapp list-flexconsumption-locations` for the current one.
 */
const FLEX_REGIONS = [
  'australiaeast',
  'australiasoutheast',
  'brazilsouth',
  'canadacentral',
  'centralindia',
  'centralus',
  'eastasia',
  'eastus',
  'eastus2',
  'eastus2euap',
  'francecentral',
  'germanywestcentral',
  'italynorth',
  'japaneast',
  'koreacentral',
  'northcentralus',
  'northeurope',
  'norwayeast',
  'southafricanorth',
  'southcentralus',
  'southeastasia',
  'southindia',
  'spaincentral',
  'swedencentral',
  'uaenorth',
  'uksouth',
  'ukwest',
  'westcentralus',
  'westeurope',
  'westus',
  'westus2',
  'westus3',
];

/**
 * Built-in role definition ids, from Microsoft's "Azure built-in roles" page
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles) and, for the Cosmos DB data-plane role,
 * "Azure Cosmos DB for NoSQL data plane role-based access control" (its built-in role definitions).
 */
const BUILT_IN_ROLES: Record<string, string> = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Cosmos DB Built-in Data Contributor': '00000000-0000-0000-0000-000000000002',
};

/** `storageBlobDataOwner` for 'Storage Blob Data Owner', `cosmosDbBuiltinDataContributor` for 'Cosmos DB Built-in Data Contributor': how the template names a role's variable. */
const variableName = (role: string) =>
  role
    .replace(/[^A-Za-z ]/g, '')
    .split(' ')
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('');

/** The outputs azd and the README's commands read from the environment after `azd provision`. */
const OUTPUTS = [
  'AZURE_LOCATION',
  'AZURE_TENANT_ID',
  'AZURE_RESOURCE_GROUP',
  'AZURE_FUNCTION_APP_NAME',
  'API_BASE_URL',
  'COSMOS_ENDPOINT',
  'ENTRA_AUDIENCE',
  'ENTRA_APP_ID_URI',
];

const NEEDED = 'the Bicep CLI (from NuGet) builds and lints infra/';

describe('infra/ through the Bicep CLI', () => {
  if (!requireTool('dotnet', NEEDED)) return;

  let check: InfraCheck;
  let main: ArmTemplate;
  let resources: ArmTemplate;
  let site: ArmResource;

  beforeAll(async () => {
    check = await checkInfra();
    main = check.templates['infra/main.bicep']!;
    // main.bicep's modules are nested deployments; resources.bicep's own build is the same template.
    resources = check.templates['infra/resources.bicep']!;
    site = resources.resources.find((r) => r.type === 'Microsoft.Web/sites')!;
  }, 180_000);

  it('builds and lints every Bicep file with the repository bicepconfig.json: no error, no warning', () => {
    expect(check.bicepVersion).toBe('0.49.2');
    expect(Object.keys(check.templates).sort()).toEqual([APP_REGISTRATION_STAND_IN, 'infra/main.bicep', 'infra/resources.bicep'].sort());
    expect(check.diagnostics).toEqual([]);
  });

  it('lints the real app registration as far as the CLI can without the Graph extension: only the extension is missing', () => {
    // The extension is not restored, so its resource types are unknown: nothing else may be reported.
    expect(check.registrationDiagnostics.map((d) => d.code)).toContain('BCP190');
    expect(check.unexplained).toEqual([]);
  });

  it('compiles main.bicep against a stand-in that declares exactly the parameters and outputs of the real module', () => {
    expect(check.registration.parameters.map((p) => p.name)).toContain('uniqueName');
    expect(check.registration.outputs.map((o) => o.name)).toContain('appId');
    expect(check.standIn).toEqual(check.registration);
  });

  it('fails on a warning: the linter reports a hard-coded sign-in URL, and the check reads it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bicep-warning-'));
    try {
      const file = path.join(dir, 'warning.bicep');
      writeFileSync(file, "output issuer string = 'https://login.microsoftonline.com/common/v2.0'\n");
      // The CLI exits 0 on warnings and writes them to stderr.
      const lint = spawnSync(restoreBicep(), ['lint', file], { encoding: 'utf8' });
      const output = `${lint.stdout}${lint.stderr}`;
      expect(parseDiagnostics(output).map((d) => [d.level, d.code])).toEqual([['Warning', 'no-hardcoded-env-urls']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sets no app setting and no site property that Flex Consumption does not support', () => {
    const props = site.properties as { siteConfig: Record<string, unknown> & { appSettings: { name: string }[] } };
    const settings = props.siteConfig.appSettings.map((s) => s.name);
    expect(settings.length).toBeGreaterThan(10);
    expect(settings.filter((name) => FLEX_UNSUPPORTED_APP_SETTINGS.some((u) => u.toLowerCase() === name.toLowerCase()))).toEqual([]);
    const siteProperties = [...Object.keys(props), ...Object.keys(props.siteConfig)].map((k) => k.toLowerCase());
    expect(FLEX_UNSUPPORTED_SITE_PROPERTIES.filter((p) => siteProperties.includes(p.toLowerCase()))).toEqual([]);
    // What replaces them: the runtime, scale and deployment storage in functionAppConfig.
    expect(props).toMatchObject({
      functionAppConfig: { runtime: { name: 'node', version: '22' }, deployment: { storage: { type: 'blobContainer' } } },
    });
  });

  it('lets location be only a region that offers Flex Consumption', () => {
    expect(main.parameters?.location?.allowedValues).toEqual(FLEX_REGIONS);
  });

  it('grants each role by the id of the built-in role its variable names', () => {
    const assignments = resources.resources.filter((r) => /roleAssignments$/i.test(r.type));
    expect(assignments).toHaveLength(Object.keys(BUILT_IN_ROLES).length);
    const granted = assignments.map((r) => {
      const variable = /variables\('(\w+)'\)/.exec(String((r.properties as { roleDefinitionId: string }).roleDefinitionId))?.[1];
      return [variable, resources.variables?.[variable!]];
    });
    const expected = Object.entries(BUILT_IN_ROLES).map(([role, id]) => [variableName(role), id]);
    expect(granted.sort()).toEqual(expected.sort());
  });

  it('gives azd its outputs, and tags the resource group and the Function App as azd finds them', () => {
    expect(Object.keys(main.outputs ?? {}).sort()).toEqual([...OUTPUTS].sort());
    // azd deploys into AZURE_RESOURCE_GROUP: the group the template creates, tagged with the environment.
    const rg = main.resources.find((r) => r.type === 'Microsoft.Resources/resourceGroups')!;
    expect(main.outputs?.AZURE_RESOURCE_GROUP?.value).toBe(rg.name);
    expect(rg.tags).toBe("[variables('tags')]");
    expect(main.variables?.tags).toEqual({ 'azd-env-name': "[parameters('environmentName')]" });
    // and finds the Function App of the service `api` (azure.yaml) by its azd-service-name tag.
    expect(site.tags).toBe("[union(parameters('tags'), createObject('azd-service-name', 'api'))]");
  });

  it('creates the Function App only after the secret and every role its identity needs', () => {
    const dependsOn = site.dependsOn ?? [];
    for (const role of Object.keys(BUILT_IN_ROLES))
      expect(dependsOn.some((d) => d.includes(`variables('${variableName(role)}')`))).toBe(true);
    expect(dependsOn.some((d) => d.includes("'Microsoft.KeyVault/vaults/secrets'") && d.includes("'paging-key'"))).toBe(true);
  });
});
