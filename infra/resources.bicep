// Everything in the resource group: identity, storage, monitoring, Cosmos DB, Key Vault, the Function App.
param location string
param tags object
@description('uniqueString() of the subscription, environment and region: 13 characters, lower case.')
@minLength(13)
@maxLength(13)
param resourceToken string
param cosmosCapacityMode string
param cosmosMaxThroughput int
param auditRetentionDays int
@description('The expected aud of access tokens: the app registration\'s client id (v2.0 tokens carry it).')
param entraAudience string
@secure()
param pagingKey string

var functionAppName = 'func-appproxy-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var cosmosDatabaseName = 'appproxy'
var cosmosContainerName = 'directory'
var serverless = cosmosCapacityMode == 'Serverless'

// Built-in role definition ids.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var cosmosDbBuiltinDataContributor = '00000000-0000-0000-0000-000000000002'

// The one identity the app uses for storage, monitoring, Cosmos DB and Key Vault.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-appproxy-${resourceToken}'
  location: location
  tags: tags
}

// Host storage and the deployment package container, reached with the identity only (no shared keys).
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
  resource blobs 'blobServices' = {
    name: 'default'
    resource deployment 'containers' = {
      name: deploymentContainerName
    }
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-appproxy-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

// Local auth off: telemetry is accepted only from the identity (Monitoring Metrics Publisher below).
resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-appproxy-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: 'cosmos-appproxy-${resourceToken}'
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    // Keys are off: the app signs in with its identity through the data-plane role below.
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
    capabilities: serverless ? [{ name: 'EnableServerless' }] : []
  }
  resource database 'sqlDatabases' = {
    name: cosmosDatabaseName
    properties: { resource: { id: cosmosDatabaseName } }
    resource container 'containers' = {
      name: cosmosContainerName
      properties: {
        resource: {
          id: cosmosContainerName
          partitionKey: { paths: ['/tenantId'], kind: 'Hash', version: 2 }
          // Generated from the code (npm run infra:policy); a test keeps the two equal.
          indexingPolicy: loadJsonContent('indexing-policy.json')
          // Time to live on, without a default: only audit records expire, by their own ttl.
          defaultTtl: -1
        }
        options: serverless ? {} : { autoscaleSettings: { maxThroughput: cosmosMaxThroughput } }
      }
    }
  }
}

// Data-plane RBAC: Azure roles such as Contributor do not reach documents.
resource cosmosDataRole 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, identity.id, cosmosDbBuiltinDataContributor)
  properties: {
    principalId: identity.properties.principalId
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDbBuiltinDataContributor}'
    scope: cosmos.id
  }
}

// PAGING_KEY lives here; the app reads it through a Key Vault reference with its identity.
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
  resource pagingKeySecret 'secrets' = {
    name: 'paging-key'
    properties: { value: pagingKey }
  }
}

resource storageRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, storageBlobDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, identity.id, monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-appproxy-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 100, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // The Functions host: storage and telemetry through the identity.
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
        // Routes start at /beta and /v1.0; the host's own page at / is not part of the API.
        { name: 'AzureWebJobsDisableHomepage', value: 'true' }
        // DefaultAzureCredential picks the user-assigned identity by its client id.
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        // The service's settings (src/settings.ts).
        { name: 'AUTH_MODE', value: 'entra' }
        { name: 'COSMOS_ENDPOINT', value: cosmos.properties.documentEndpoint }
        { name: 'COSMOS_DATABASE', value: cosmosDatabaseName }
        { name: 'COSMOS_CONTAINER', value: cosmosContainerName }
        { name: 'ENTRA_AUDIENCE', value: entraAudience }
        // The cloud's sign-in endpoint (https://login.microsoftonline.com/ in the public cloud).
        { name: 'ENTRA_ISSUER', value: '${environment().authentication.loginEndpoint}{tenantid}/v2.0' }
        { name: 'ENTRA_JWKS_URI', value: '${environment().authentication.loginEndpoint}common/discovery/v2.0/keys' }
        { name: 'PAGING_KEY', value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/paging-key/)' }
        { name: 'AUDIT_RETENTION_DAYS', value: string(auditRetentionDays) }
      ]
    }
  }
  // The app starts reading storage, Key Vault and Cosmos DB at once: grant the roles first.
  dependsOn: [storageRole, insightsRole, vaultRole, cosmosDataRole, cosmos::database::container, vault::pagingKeySecret, storage::blobs::deployment]
}

output functionAppName string = functionApp.name
output baseUrl string = 'https://${functionApp.properties.defaultHostName}'
output cosmosEndpoint string = cosmos.properties.documentEndpoint
