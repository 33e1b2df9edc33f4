// The Entra app registration the API's tokens are issued for (Microsoft Graph Bicep extension).
extension microsoftGraphV1

@description('Immutable key of the app registration in the tenant; also the last segment of its Application ID URI.')
param uniqueName string

param displayName string

@description('Let the Azure CLI get tokens for the API without a consent prompt (az account get-access-token --resource ...).')
param preAuthorizeAzureCli bool

// The delegated scopes the service checks (src/identity/authorize.ts): reads accept the three Directory ones,
// writes the last two; the audit log needs AuditLog.Read.All beside a Directory one.
var scopes = [
  {
    value: 'Directory.Read.All'
    title: 'Read connectors and connector groups'
    description: 'Read the Application Proxy connectors and connector groups of the signed-in user\'s tenant.'
  }
  {
    value: 'Directory.ReadWrite.All'
    title: 'Read and write connectors and connector groups'
    description: 'Create, change and delete the Application Proxy connectors and connector groups of the signed-in user\'s tenant.'
  }
  {
    value: 'Directory.AccessAsUser.All'
    title: 'Access connectors and connector groups as the signed-in user'
    description: 'Read and write the Application Proxy connectors and connector groups with the signed-in user\'s access.'
  }
  {
    value: 'AuditLog.Read.All'
    title: 'Read the audit log'
    description: 'Read the audit log of Application Proxy changes in the signed-in user\'s tenant (with Directory.Read.All).'
  }
]
// The application permissions (roles of an app-only token) the audit log takes, the only route that takes any.
var appRoles = [
  {
    value: 'AuditLog.Read.All'
    title: 'Read the audit log'
    description: 'Read the audit log of Application Proxy changes in every tenant that grants it (with Directory.Read.All).'
  }
  {
    value: 'Directory.Read.All'
    title: 'Read the directory, for the audit log'
    description: 'With AuditLog.Read.All: read the audit log without a signed-in user.'
  }
]
// Stable ids: a scope keeps its id across deployments.
var scopeIds = [for s in scopes: guid(uniqueName, s.value)]
var azureCliAppId = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'

resource api 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  // Every tenant's users call the one deployment; the service keeps each tenant (tid) apart.
  signInAudience: 'AzureADMultipleOrgs'
  // api://<tenant id>/<name>: a form the identifier URI restrictions accept, known before the app id exists.
  identifierUris: ['api://${tenant().tenantId}/${uniqueName}']
  // Access tokens for this API carry the signed-in user's directory roles (wids, role template ids), which
  // the service requires (src/identity/roles.ts). Directory roles only: no security groups, so no group overage.
  groupMembershipClaims: 'DirectoryRole'
  api: {
    // v2.0 access tokens: iss https://login.microsoftonline.com/<tid>/v2.0, aud = the app (client) id.
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      for (s, i) in scopes: {
        id: scopeIds[i]
        value: s.value
        type: 'Admin'
        isEnabled: true
        adminConsentDisplayName: s.title
        adminConsentDescription: s.description
      }
    ]
    preAuthorizedApplications: preAuthorizeAzureCli ? [{ appId: azureCliAppId, delegatedPermissionIds: scopeIds }] : []
  }
  appRoles: [
    for r in appRoles: {
      id: guid(uniqueName, 'appRole', r.value)
      value: r.value
      allowedMemberTypes: ['Application']
      isEnabled: true
      displayName: r.title
      description: r.description
    }
  ]
}

// The service principal makes the API usable (and consentable) in the home tenant.
resource apiServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: api.appId
}

output appId string = api.appId
output identifierUri string = api.identifierUris[0]
