import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

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
});
