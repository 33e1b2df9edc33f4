/**
 * The audit record of a change: one `directoryAudit` document, in Graph's beta shape as stored, written in
 * the same transactional batch as the change it records (docs/API.md, "Audit log"). The names are Entra's
 * where its activity reference publishes them and the project's own, in the same style, where it does not
 * (docs/API.md, "Where this service deliberately differs from Microsoft Graph's published metadata").
 */
import { randomUUID } from 'node:crypto';
import type { Scope } from '../lib/deadline.js';
import type { Doc } from './documents.js';

export const AUDIT_TYPE = 'directoryAudit';
const LOGGED_BY_SERVICE = 'Application Proxy';
/** Records expire after this many days unless the setting says otherwise (Entra's P1/P2 retention). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 30;
/** Cosmos takes a time to live of at most 2^31 - 1 seconds: 24,855 whole days. */
export const MAX_AUDIT_RETENTION_DAYS = 24_855;

/** A changed property: its old and new values are JSON text inside a string (`"\"eur\""`), null when absent. */
export interface ModifiedProperty {
  displayName: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface AuditTarget {
  id: string;
  /** Null where the change did not read the object (no round trip is spent on the record). */
  displayName: string | null;
  type: TargetType;
  userPrincipalName: null;
  groupType: null;
  modifiedProperties: ModifiedProperty[];
}

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

/** Who started the activity: a user or an application, the other side null. */
export interface AuditInitiator {
  user: AuditUser | null;
  app: AuditApp | null;
}

export interface AuditDoc extends Doc {
  type: typeof AUDIT_TYPE;
  /** Seconds until Cosmos DB expires the record (the retention). */
  ttl: number;
  category: string;
  correlationId: string;
  result: 'success';
  resultReason: '';
  activityDisplayName: string;
  /** ISO 8601 in UTC with milliseconds, so the text's order is the time's. */
  activityDateTime: string;
  loggedByService: typeof LOGGED_BY_SERVICE;
  operationType: string;
  initiatedBy: AuditInitiator;
  targetResources: AuditTarget[];
  additionalDetails: KeyValue[];
  userAgent: string | null;
}

export type TargetType = 'ConnectorGroup' | 'Connector' | 'Application';

/** Each change the directory records: Entra's activity name and category, and the operation type. */
const ACTIVITIES = {
  addGroup: ['Add connector Group', 'ResourceManagement', 'Add'],
  updateGroup: ['Update Connector Group', 'ResourceManagement', 'Update'],
  deleteGroup: ['Delete Connector Group', 'ResourceManagement', 'Delete'],
  registerConnector: ['Register connector', 'ResourceManagement', 'Add'],
  updateConnector: ['Update connector', 'ResourceManagement', 'Update'],
  deleteConnector: ['Delete connector', 'ResourceManagement', 'Delete'],
  addToGroup: ['Add a Connector to Connector Group', 'ResourceManagement', 'Assign'],
  removeFromGroup: ['Remove a Connector from Connector Group', 'ResourceManagement', 'Unassign'],
  assignApplication: ['Update application', 'ApplicationManagement', 'Assign'],
  unassignApplication: ['Update application', 'ApplicationManagement', 'Unassign'],
} as const satisfies Record<string, readonly [string, string, string]>;

export type Activity = keyof typeof ACTIVITIES;

/** A record's id: a GUID, as Graph's v1.0 reference describes it. */
export const auditId = (): string => randomUUID();

/** A value as Graph writes it in a modified property: JSON text, null when there is none. */
const asJson = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/** The properties of `names` whose values differ between `before` (absent for a new object) and `after`. */
export function modified<T extends object>(
  names: Readonly<Partial<Record<keyof T & string, string>>>,
  before: T | undefined,
  after: T,
): ModifiedProperty[] {
  const changes: ModifiedProperty[] = [];
  for (const [property, displayName] of Object.entries(names) as [keyof T & string, string][]) {
    const oldValue = before === undefined ? null : asJson(before[property]);
    const newValue = asJson(after[property]);
    if (oldValue !== newValue) changes.push({ displayName, oldValue, newValue });
  }
  // As Graph does on an update: a pseudo-property naming the properties it changed.
  if (before !== undefined && changes.length > 0) {
    changes.push({
      displayName: 'Included Updated Properties',
      oldValue: null,
      newValue: asJson(changes.map((c) => c.displayName).join(', ')),
    });
  }
  return changes;
}

/** One property whose old and new values are given. */
export const change = (displayName: string, oldValue: unknown, newValue: unknown): ModifiedProperty => ({
  displayName,
  oldValue: asJson(oldValue),
  newValue: asJson(newValue),
});

export const target = (
  type: TargetType,
  id: string,
  displayName: string | null,
  modifiedProperties: ModifiedProperty[] = [],
): AuditTarget => ({
  id,
  displayName,
  type,
  userPrincipalName: null,
  groupType: null,
  modifiedProperties,
});

function initiator(scope: Scope): AuditInitiator {
  const actor = scope.actor;
  const user = actor?.user;
  const app = actor?.app;
  return {
    user: user ? { ...user, homeTenantName: null } : null,
    // A delegated call is the user's: the app acting for them is named only when no user signed in.
    app: !user && app ? { appId: app.appId, displayName: app.displayName, servicePrincipalId: null, servicePrincipalName: null } : null,
  };
}

/** The record of `activity` on `targets`, made now (the change's time: it is written in the change's batch). */
export function auditRecord(scope: Scope, ttl: number, activity: Activity, targets: AuditTarget[], details: KeyValue[] = []): AuditDoc {
  const [activityDisplayName, category, operationType] = ACTIVITIES[activity];
  return {
    id: auditId(),
    tenantId: scope.tenantId,
    type: AUDIT_TYPE,
    ttl,
    category,
    correlationId: scope.actor?.correlationId ?? randomUUID(),
    result: 'success',
    resultReason: '',
    activityDisplayName,
    activityDateTime: new Date().toISOString(),
    loggedByService: LOGGED_BY_SERVICE,
    operationType,
    initiatedBy: initiator(scope),
    targetResources: targets,
    additionalDetails: details,
    userAgent: scope.actor?.userAgent ?? null,
  };
}
