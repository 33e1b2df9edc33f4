/** Entra ID's published endpoints: the defaults of the Entra settings, and the issuer form local tokens copy. */
export const TENANT_PLACEHOLDER = '{tenantid}';
export const ENTRA_MULTI_TENANT_ISSUER = `https://login.microsoftonline.com/${TENANT_PLACEHOLDER}/v2.0`;
export const ENTRA_JWKS_URI = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';
