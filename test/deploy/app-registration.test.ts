import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_LOG_SCOPE, READ_SCOPES } from '../../src/identity/index.js';

// Read, not deployed: no Azure account or Microsoft Graph Bicep extension is reachable here. The property and
// its values are those of the extension's Microsoft.Graph/applications type and the app manifest reference.
const registration = readFileSync('infra/app-registration.bicep', 'utf8');
/** The body of the application resource, up to its closing brace at the start of a line. */
const application = /^resource api 'Microsoft\.Graph\/applications@v1\.0' = \{\n([\s\S]*?)^\}$/m.exec(registration)?.[1] ?? '';

describe('infra/app-registration.bicep', () => {
  it("asks Entra to put the signed-in user's directory roles (wids) in the API's access tokens", () => {
    expect(application).not.toBe('');
    // DirectoryRole emits wids and no security groups; the service refuses a token without wids.
    expect(application).toMatch(/^ {2}groupMembershipClaims: 'DirectoryRole'$/m);
    expect(application).toMatch(/^ {4}requestedAccessTokenVersion: 2$/m);
  });

  /** The `value`s of a Bicep array variable's objects. */
  const values = (variable: string) => {
    const body = new RegExp(`^var ${variable} = \\[\\n([\\s\\S]*?)^\\]$`, 'm').exec(registration)?.[1] ?? '';
    return [...body.matchAll(/^ {4}value: '([^']+)'$/gm)].map((m) => m[1]);
  };

  it("exposes every delegated scope the service checks, the audit log's included", () => {
    expect(values('scopes').sort()).toEqual([...READ_SCOPES, AUDIT_LOG_SCOPE].sort());
    expect(application).toMatch(/^ {4}oauth2PermissionScopes: \[\n {6}for \(s, i\) in scopes: \{/m);
  });

  it('exposes the two application permissions the audit log takes from app-only tokens, as application roles', () => {
    expect(values('appRoles')).toEqual([AUDIT_LOG_SCOPE, 'Directory.Read.All']);
    expect(application).toMatch(/^ {2}appRoles: \[\n {4}for r in appRoles: \{/m);
    expect(application).toMatch(/^ {6}allowedMemberTypes: \['Application'\]$/m);
    expect(application).toMatch(/^ {6}id: guid\(uniqueName, 'appRole', r\.value\)$/m);
  });
});
