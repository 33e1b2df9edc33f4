/** What callers see of a stored document: its properties as the wire shows them, without counters or tenant. */
import type { AuditDoc } from './audit.js';
import type { ConnectorDoc, GroupDoc } from './documents.js';

export interface ConnectorGroup {
  id: string;
  name: string;
  connectorGroupType: string;
  isDefault: boolean;
  region: string | null;
}

export interface Connector {
  id: string;
  machineName: string;
  externalIp: string;
  status: string;
  version: string;
}

export const groupView = (d: GroupDoc): ConnectorGroup => ({
  id: d.id,
  name: d.name,
  connectorGroupType: d.connectorGroupType,
  isDefault: d.isDefault,
  region: d.region,
});

export const connectorView = (d: ConnectorDoc): Connector => ({
  id: d.id,
  machineName: d.machineName,
  externalIp: d.externalIp,
  status: d.status,
  version: d.version,
});

/**
 * A record of the audit log as each version's metadata has it: beta's `directoryAudit` with `userAgent` and
 * the `auditUserIdentity` of its initiator (`homeTenantId`, `homeTenantName`); v1.0's without them.
 */
export function auditView(d: AuditDoc, version: 'beta' | 'v1.0') {
  const user = d.initiatedBy.user;
  const v1User = user && {
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    ipAddress: user.ipAddress,
  };
  return {
    id: d.id,
    category: d.category,
    correlationId: d.correlationId,
    result: d.result,
    resultReason: d.resultReason,
    activityDisplayName: d.activityDisplayName,
    activityDateTime: d.activityDateTime,
    loggedByService: d.loggedByService,
    operationType: d.operationType,
    ...(version === 'beta' ? { userAgent: d.userAgent } : {}),
    initiatedBy: { app: d.initiatedBy.app, user: version === 'beta' ? user : v1User },
    targetResources: d.targetResources,
    additionalDetails: d.additionalDetails,
  };
}
