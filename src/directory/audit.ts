/** A record of the audit log as it is stored: Graph's beta `directoryAudit`, in its tenant's partition. */
import type { Doc } from './documents.js';

export const AUDIT_TYPE = 'directoryAudit';

export interface AuditUser {
  id: string | null;
  displayName: string | null;
  userPrincipalName: string | null;
  ipAddress: string | null;
  homeTenantId: string | null;
  homeTenantName: string | null;
}

export interface AuditApp {
  appId: string | null;
  displayName: string | null;
  servicePrincipalId: string | null;
  servicePrincipalName: string | null;
}

export interface AuditInitiator {
  user: AuditUser | null;
  app: AuditApp | null;
}

export interface ModifiedProperty {
  displayName: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface AuditTarget {
  id: string;
  displayName: string | null;
  type: string;
  userPrincipalName: null;
  groupType: null;
  modifiedProperties: ModifiedProperty[];
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface AuditDoc extends Doc {
  type: typeof AUDIT_TYPE;
  ttl: number;
  writeId?: string;
  category: string;
  correlationId: string;
  result: 'success';
  resultReason: '';
  activityDisplayName: string;
  /** ISO-8601 UTC with milliseconds: text order is time order. */
  activityDateTime: string;
  loggedByService: 'Application Proxy';
  operationType: string;
  initiatedBy: AuditInitiator;
  targetResources: AuditTarget[];
  additionalDetails: KeyValue[];
  userAgent: string | null;
}
