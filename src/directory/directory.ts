import { randomUUID } from 'node:crypto';
import { StoreError } from '../store/errors.js';
import type { Scope } from '../lib/deadline.js';
import type { Condition, Ordering, Page, PageRequest, Stored } from '../lib/query.js';
import {
  createOp,
  deleteOp,
  incrementOp,
  replaceOp,
  withoutSystem,
  type BatchOp,
  type DocumentStore,
  type QuerySpec,
} from '../store/store.js';
import {
  DEFAULT_AUDIT_RETENTION_DAYS,
  auditRecord,
  change,
  modified,
  target,
  type Activity,
  type AuditTarget,
  type KeyValue,
} from './audit.js';
import { busy, exists, notFound, preconditionFailed, refused } from './errors.js';
import { AUDIT_TYPE, type AuditDoc } from './audit.js';
import {
  GROUP_TYPE,
  assignmentId,
  auditOrder,
  auditShapes,
  requestedId,
  connectorShape,
  defaultGroupId,
  groupShape,
  membershipId,
  type AssignmentDoc,
  type ConnectorDoc,
  type GroupDoc,
  type MembershipDoc,
} from './documents.js';
import { type CreateConnectorInput, type CreateGroupInput, type UpdateConnectorInput, type UpdateGroupInput } from './wire.js';

/** The caller's If-Match, as a test of a stored etag; absent means unconditional. */
export type Precondition = ((etag: string) => boolean) | undefined;

/** What a collection asks for besides its page: a condition and an order. */
export interface ListQuery {
  filter?: Condition;
  orderBy?: readonly Ordering[];
}

/**
 * The rules of connectors, groups, membership and application assignment, as the endpoints use them.
 * Every method confines itself to its scope's tenant and ends by its deadline (lib/deadline.ts); failures
 * are DomainErrors (see errors.ts).
 */
export interface Directory {
  group(scope: Scope, id: string): Promise<Stored<GroupDoc>>;
  /** `clientRequestId`: the caller's own, when it sent one; a retry with it finds the group already made. */
  createGroup(scope: Scope, input: CreateGroupInput, clientRequestId?: string): Promise<Stored<GroupDoc>>;
  updateGroup(scope: Scope, id: string, input: UpdateGroupInput, precondition: Precondition): Promise<Stored<GroupDoc>>;
  deleteGroup(scope: Scope, id: string, precondition: Precondition): Promise<void>;
  listGroups(scope: Scope, query: ListQuery, page: PageRequest): Promise<Page<Stored<GroupDoc>>>;
  countGroups(scope: Scope, query?: ListQuery): Promise<number>;

  connector(scope: Scope, id: string): Promise<Stored<ConnectorDoc>>;
  createConnector(scope: Scope, input: CreateConnectorInput, clientRequestId?: string): Promise<Stored<ConnectorDoc>>;
  updateConnector(scope: Scope, id: string, input: UpdateConnectorInput, precondition: Precondition): Promise<Stored<ConnectorDoc>>;
  deleteConnector(scope: Scope, id: string, precondition: Precondition): Promise<void>;
  listConnectors(scope: Scope, query: ListQuery, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>>;
  countConnectors(scope: Scope, query?: ListQuery): Promise<number>;

  groupOfConnector(scope: Scope, connectorId: string): Promise<Stored<GroupDoc>>;
  moveConnector(scope: Scope, connectorId: string, targetGroupId: string, expectedGroupId?: string): Promise<Stored<GroupDoc>>;
  listMembers(scope: Scope, groupId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>>;
  countMembers(scope: Scope, groupId: string, query?: ListQuery): Promise<number>;
  /** Takes a connector out of a group, which returns it to Default. */
  removeMember(scope: Scope, groupId: string, connectorId: string): Promise<void>;
  /** A connector's groups (always one) as a collection that conditions and paging apply to. */
  listMemberOf(scope: Scope, connectorId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<GroupDoc>>>;
  countMemberOf(scope: Scope, connectorId: string, query?: ListQuery): Promise<number>;
  /** The members of several groups at once (for `$expand`), by group id. */
  membersOfGroups(scope: Scope, groupIds: readonly string[]): Promise<Map<string, Stored<ConnectorDoc>[]>>;
  /** The group of each of several connectors (for `$expand`), by connector id. */
  groupsOfConnectors(scope: Scope, connectorIds: readonly string[]): Promise<Map<string, Stored<GroupDoc>>>;

  groupIdOfApplication(scope: Scope, applicationId: string): Promise<string>;
  groupOfApplication(scope: Scope, applicationId: string): Promise<Stored<GroupDoc>>;
  assignApplication(scope: Scope, applicationId: string, groupId: string): Promise<void>;
  unassignApplication(scope: Scope, applicationId: string): Promise<void>;
  listApplications(scope: Scope, groupId: string, page: PageRequest): Promise<Page<Stored<AssignmentDoc>>>;
  countApplications(scope: Scope, groupId: string): Promise<number>;
  /** The application's assignment to this group; not found when it is assigned elsewhere or nowhere. */
  applicationOfGroup(scope: Scope, groupId: string, applicationId: string): Promise<Stored<AssignmentDoc>>;

  /** A record of the tenant's audit log. */
  auditRecord(scope: Scope, id: string): Promise<Stored<AuditDoc>>;
  /** The tenant's audit log, newest first unless `query.orderBy` says oldest first (`activityDateTime` asc). */
  listAuditRecords(scope: Scope, query: ListQuery, page: PageRequest): Promise<Page<Stored<AuditDoc>>>;
  countAuditRecords(scope: Scope, query?: ListQuery): Promise<number>;
}

/** Attempts of one change when concurrent writers keep invalidating its reads. */
const MAX_ATTEMPTS = 12;

/** The Default group's name when it is made; its id, not its name, makes it the default (docs/API.md, "Membership and assignment"). */
const DEFAULT_NAME = 'Default';

const isStoreError = (error: unknown, kind: StoreError['kind']) => error instanceof StoreError && error.kind === kind;

/** A change that met another writer's: its reads are stale, so it reads again and decides again (`retrying`). */
class Contended extends Error {
  constructor() {
    super('directory: contended');
    this.name = 'Contended';
  }
}

/**
 * A create that met an existing id: with an id derived from the request (`requestedId`), the object an
 * earlier attempt of this same request made (`replay` reads it); otherwise a clash with another object.
 */
async function creating<T>(id: string, create: () => Promise<T>, replay?: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (isStoreError(error, 'exists')) {
      if (replay) return replay();
      throw exists(id);
    }
    throw error;
  }
}

/** The new object's id: the caller's, else derived from its client-request-id, else random. */
function newId(tenantId: string, kind: 'connectorGroup' | 'connector', input: { id?: string }, clientRequestId?: string) {
  if (input.id !== undefined) return { id: input.id, derived: false };
  if (clientRequestId === undefined) return { id: randomUUID(), derived: false };
  return { id: requestedId(tenantId, kind, clientRequestId, input), derived: true };
}

/** With a caller's If-Match, losing a race means their etag is stale: 412, not a silent retry. */
async function conditional<T>(precondition: Precondition, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (precondition && isStoreError(error, 'changed')) throw preconditionFailed();
    throw error;
  }
}

export interface DirectoryOptions {
  /** How long audit records are kept (AUDIT_RETENTION_DAYS). */
  auditRetentionDays?: number;
}

/** The properties an audit record names when they change, by their names there. */
const GROUP_PROPERTIES = { name: 'Name', region: 'Region' } as const;
const CONNECTOR_PROPERTIES = { machineName: 'MachineName', externalIp: 'ExternalIp', status: 'Status', version: 'Version' } as const;

/**
 * The directory over the store. Every change is one transactional batch whose If-Match conditions cover
 * every document it read, and which writes the change's audit record (audit.ts) with it; when a concurrent
 * writer wins, the change re-reads and tries again, a bounded number of times.
 */
export class StoreDirectory implements Directory {
  /** Tenants whose Default group is known to exist; it can never be deleted, so this never goes stale. */
  private readonly defaults = new Set<string>();

  /** The records' time to live, in seconds. */
  private readonly auditTtl: number;

  constructor(
    private readonly store: DocumentStore,
    options: DirectoryOptions = {},
  ) {
    this.auditTtl = (options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS) * 86_400;
  }

  /** The record of a change, as the last operation of the change's batch: both are written or neither. */
  private record(scope: Scope, activity: Activity, targets: AuditTarget[], details?: KeyValue[]) {
    return createOp(auditRecord(scope, this.auditTtl, activity, targets, details));
  }

  private async retrying<T>(change: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await change();
      } catch (error) {
        // 'missing': a document read a moment ago is gone; the next attempt's reads say what that means.
        if (!(error instanceof Contended) && !isStoreError(error, 'changed') && !isStoreError(error, 'missing')) throw error;
        if (attempt >= MAX_ATTEMPTS) throw busy(1);
        // Jittered backoff so racing writers stop colliding in lock-step.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
      }
    }
  }

  // --- groups ---

  /** The tenant's Default group, created on first need. */
  private async defaultGroup(scope: Scope): Promise<Stored<GroupDoc>> {
    const id = defaultGroupId(scope.tenantId);
    const found = await this.store.read<GroupDoc>(scope, id);
    if (found) {
      this.defaults.add(scope.tenantId);
      return found;
    }
    try {
      const created = await this.store.create<GroupDoc>(scope, {
        id,
        tenantId: scope.tenantId,
        type: 'connectorGroup',
        name: DEFAULT_NAME,
        connectorGroupType: GROUP_TYPE,
        isDefault: true,
        region: null,
        memberCount: 0,
        applicationCount: 0,
      });
      this.defaults.add(scope.tenantId);
      return created;
    } catch (error) {
      if (isStoreError(error, 'exists')) return this.defaultGroup(scope);
      throw error;
    }
  }

  private async ensureDefault(scope: Scope): Promise<void> {
    if (!this.defaults.has(scope.tenantId)) await this.defaultGroup(scope);
  }

  async group(scope: Scope, id: string): Promise<Stored<GroupDoc>> {
    if (id === defaultGroupId(scope.tenantId)) return this.defaultGroup(scope);
    const found = await this.store.read<GroupDoc>(scope, id);
    if (!found || found.type !== 'connectorGroup') throw notFound('connectorGroup');
    return found;
  }

  async createGroup(scope: Scope, input: CreateGroupInput, clientRequestId?: string): Promise<Stored<GroupDoc>> {
    const { id, derived } = newId(scope.tenantId, 'connectorGroup', input, clientRequestId);
    if (id === defaultGroupId(scope.tenantId)) throw exists(id);
    const group: GroupDoc = {
      id,
      tenantId: scope.tenantId,
      type: 'connectorGroup',
      name: input.name,
      connectorGroupType: GROUP_TYPE,
      isDefault: false,
      region: input.region ?? null,
      memberCount: 0,
      applicationCount: 0,
    };
    return creating(
      id,
      async () => {
        const record = this.record(scope, 'addGroup', [
          target('ConnectorGroup', id, group.name, modified(GROUP_PROPERTIES, undefined, group)),
        ]);
        const [created] = await this.store.batch(scope, [createOp(group), record]);
        return created;
      },
      derived ? () => this.group(scope, id) : undefined,
    );
  }

  async updateGroup(scope: Scope, id: string, input: UpdateGroupInput, precondition: Precondition): Promise<Stored<GroupDoc>> {
    return this.retrying(async () => {
      const current = await this.group(scope, id);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      // Absent or unknownFutureValue (evolvable enums) keep the region; null clears it.
      const region = input.region === undefined || input.region === 'unknownFutureValue' ? current.region : input.region;
      // isDefault may be sent, but only with the value the service set (the schema has checked its type).
      if (input.isDefault !== undefined && input.isDefault !== current.isDefault) {
        throw refused(current.isDefault ? 'defaultStaysDefault' : 'onlyDefaultIsDefault');
      }
      if (region !== current.region && (current.memberCount > 0 || current.applicationCount > 0)) {
        throw refused('regionOfUsedGroup');
      }
      const next = { ...withoutSystem(current), name: input.name ?? current.name, region };
      const record = this.record(scope, 'updateGroup', [
        target('ConnectorGroup', id, next.name, modified(GROUP_PROPERTIES, current, next)),
      ]);
      const [updated] = await conditional(precondition, () => this.store.batch(scope, [replaceOp(next, current._etag), record]));
      return updated;
    });
  }

  async deleteGroup(scope: Scope, id: string, precondition: Precondition): Promise<void> {
    if (id === defaultGroupId(scope.tenantId)) {
      await this.ensureDefault(scope);
      throw refused('deleteDefault');
    }
    await this.retrying(async () => {
      const current = await this.group(scope, id);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      if (current.memberCount > 0 || current.applicationCount > 0) {
        throw refused('deleteUsedGroup');
      }
      // If-Match on the group: a member or application arriving meanwhile changes its counts and etag.
      const record = this.record(scope, 'deleteGroup', [target('ConnectorGroup', id, current.name)]);
      await conditional(precondition, () => this.store.batch(scope, [deleteOp(id, current._etag), record]));
    });
  }

  async listGroups(scope: Scope, query: ListQuery, page: PageRequest): Promise<Page<Stored<GroupDoc>>> {
    await this.ensureDefault(scope);
    return this.store.page<GroupDoc>(scope, { type: 'connectorGroup', shape: groupShape, ...query }, page);
  }

  async countGroups(scope: Scope, query: ListQuery = {}): Promise<number> {
    await this.ensureDefault(scope);
    return this.store.count(scope, { type: 'connectorGroup', shape: groupShape, filter: query.filter });
  }

  // --- connectors ---

  async connector(scope: Scope, id: string): Promise<Stored<ConnectorDoc>> {
    const found = await this.store.read<ConnectorDoc>(scope, id);
    if (!found || found.type !== 'connector') throw notFound('connector');
    return found;
  }

  /** A new connector joins the Default group, in the same batch that creates it. */
  async createConnector(scope: Scope, input: CreateConnectorInput, clientRequestId?: string): Promise<Stored<ConnectorDoc>> {
    const { id, derived } = newId(scope.tenantId, 'connector', input, clientRequestId);
    const connector: ConnectorDoc = {
      id,
      tenantId: scope.tenantId,
      type: 'connector',
      machineName: input.machineName,
      externalIp: input.externalIp,
      status: input.status ?? 'active',
      version: input.version ?? '',
    };
    const defaultId = defaultGroupId(scope.tenantId);
    return this.retrying(async () => {
      try {
        return await creating(
          id,
          async () => {
            const record = this.record(scope, 'registerConnector', [
              target('Connector', id, connector.machineName, modified(CONNECTOR_PROPERTIES, undefined, connector)),
              target('ConnectorGroup', defaultId, DEFAULT_NAME, [change('ConnectorId', undefined, id)]),
            ]);
            const [created] = await this.store.batch(scope, [
              createOp(connector),
              createOp(membership(scope.tenantId, id, defaultId)),
              incrementOp<GroupDoc>('connectorGroup', defaultId, { memberCount: 1 }),
              record,
            ]);
            return created;
          },
          derived ? () => this.connector(scope, id) : undefined,
        );
      } catch (error) {
        // The tenant's first connector: make its Default group, then try again.
        if (isStoreError(error, 'missing')) await this.defaultGroup(scope);
        throw error;
      }
    });
  }

  async updateConnector(scope: Scope, id: string, input: UpdateConnectorInput, precondition: Precondition): Promise<Stored<ConnectorDoc>> {
    return this.retrying(async () => {
      const current = await this.connector(scope, id);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      const { '@odata.type': _type, ...changes } = input;
      const next = { ...withoutSystem(current), ...changes };
      const record = this.record(scope, 'updateConnector', [
        target('Connector', id, next.machineName, modified(CONNECTOR_PROPERTIES, current, next)),
      ]);
      const [updated] = await conditional(precondition, () => this.store.batch(scope, [replaceOp(next, current._etag), record]));
      return updated;
    });
  }

  /**
   * The connector leaves its group in the same batch that deletes it. Its edge says where it is (a connector
   * and its edge are made and removed together); the connector itself is read only for a caller's If-Match.
   */
  async deleteConnector(scope: Scope, id: string, precondition: Precondition): Promise<void> {
    await this.retrying(async () => {
      const [edge, current] = await Promise.all([
        this.store.read<MembershipDoc>(scope, membershipId(id)),
        precondition ? this.connector(scope, id) : undefined,
      ]);
      if (!edge) throw notFound('connector');
      if (current && precondition && !precondition(current._etag)) throw preconditionFailed();
      const record = this.record(scope, 'deleteConnector', [
        target('Connector', id, current?.machineName ?? null, [change('ConnectorGroupId', edge.groupId, undefined)]),
        target('ConnectorGroup', edge.groupId, null, [change('ConnectorId', id, undefined)]),
      ]);
      await conditional(precondition, () =>
        this.store.batch(scope, [
          deleteOp(id, current?._etag),
          deleteOp(edge.id, edge._etag),
          incrementOp<GroupDoc>('connectorGroup', edge.groupId, { memberCount: -1 }),
          record,
        ]),
      );
    });
  }

  async listConnectors(scope: Scope, query: ListQuery, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>> {
    return this.store.page<ConnectorDoc>(scope, { type: 'connector', shape: connectorShape, ...query }, page);
  }

  async countConnectors(scope: Scope, query: ListQuery = {}): Promise<number> {
    return this.store.count(scope, { type: 'connector', shape: connectorShape, filter: query.filter });
  }

  // --- membership ---

  /** The group a connector is in (exactly one). */
  async groupOfConnector(scope: Scope, connectorId: string): Promise<Stored<GroupDoc>> {
    const edge = await this.store.read<MembershipDoc>(scope, membershipId(connectorId));
    if (!edge) throw notFound('connector');
    return this.group(scope, edge.groupId);
  }

  /**
   * Adding a connector to a group moves it there. `expectedGroupId` makes the move conditional on where
   * the connector is now (the move through an application's group): elsewhere, the connector is not found.
   */
  async moveConnector(scope: Scope, connectorId: string, targetGroupId: string, expectedGroupId?: string): Promise<Stored<GroupDoc>> {
    return this.move(scope, connectorId, targetGroupId, expectedGroupId, 'addToGroup');
  }

  /** A move, recorded as an addition to the target or as a removal from the group it leaves (for Default). */
  private async move(
    scope: Scope,
    connectorId: string,
    targetGroupId: string,
    expectedGroupId: string | undefined,
    activity: 'addToGroup' | 'removeFromGroup',
  ): Promise<Stored<GroupDoc>> {
    return this.retrying(async () => {
      const edge = await this.store.read<MembershipDoc>(scope, membershipId(connectorId));
      if (!edge || (expectedGroupId !== undefined && edge.groupId !== expectedGroupId)) throw notFound('connector');
      if (edge.groupId === targetGroupId) throw refused('alreadyMember');
      // The group named first is the one acted on: the one joined, or the one left.
      const group =
        activity === 'removeFromGroup'
          ? target('ConnectorGroup', edge.groupId, null, [change('ConnectorId', connectorId, undefined)])
          : target('ConnectorGroup', targetGroupId, null, [change('ConnectorId', undefined, connectorId)]);
      const record = this.record(scope, activity, [
        group,
        target('Connector', connectorId, null, [change('ConnectorGroupId', edge.groupId, targetGroupId)]),
      ]);
      // The counters change by increments, so the groups need not be read: the batch fails when the target
      // is gone or no group, and then a read of the target says which.
      const [, , moved] = await this.targeting(scope, targetGroupId, () =>
        this.store.batch(scope, [
          replaceOp({ ...withoutSystem(edge), groupId: targetGroupId }, edge._etag),
          incrementOp<GroupDoc>('connectorGroup', edge.groupId, { memberCount: -1 }),
          incrementOp<GroupDoc>('connectorGroup', targetGroupId, { memberCount: 1 }),
          record,
        ]),
      );
      return moved;
    });
  }

  /**
   * A batch that increments a group the caller named: when it fails as missing or changed, a read of the
   * group tells a target that does not exist (404) from a race (retried by the caller's `retrying`).
   */
  private async targeting<T>(scope: Scope, groupId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isStoreError(error, 'missing') || isStoreError(error, 'changed')) await this.group(scope, groupId);
      throw error;
    }
  }

  /** Members are read through their edges: the edges of the group, then those connectors in one query. */
  private async memberSpec(scope: Scope, groupId: string, query: ListQuery): Promise<QuerySpec> {
    await this.group(scope, groupId);
    const edges = await this.store.all<MembershipDoc>(scope, {
      type: 'connectorMembership',
      filter: { kind: 'eq', property: 'groupId', value: groupId },
    });
    return { type: 'connector', shape: connectorShape, ids: edges.map((e) => e.connectorId), ...query };
  }

  async listMembers(scope: Scope, groupId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>> {
    return this.store.page<ConnectorDoc>(scope, await this.memberSpec(scope, groupId, query), page);
  }

  async countMembers(scope: Scope, groupId: string, query: ListQuery = {}): Promise<number> {
    // Unfiltered, the group's own count answers: batches keep it equal to its edges.
    if (!query.filter) return (await this.group(scope, groupId)).memberCount;
    return this.store.count(scope, await this.memberSpec(scope, groupId, { filter: query.filter }));
  }

  async removeMember(scope: Scope, groupId: string, connectorId: string): Promise<void> {
    const defaultId = defaultGroupId(scope.tenantId);
    if (groupId !== defaultId) {
      // A move to Default, on condition that the connector is in this group now: one batch, as every move.
      await this.move(scope, connectorId, defaultId, groupId, 'removeFromGroup');
      return;
    }
    const edge = await this.store.read<MembershipDoc>(scope, membershipId(connectorId));
    if (!edge || edge.groupId !== defaultId) throw notFound('connector');
    throw refused('connectorStaysInDefault');
  }

  private async memberOfSpec(scope: Scope, connectorId: string, query: ListQuery): Promise<QuerySpec> {
    const edge = await this.store.read<MembershipDoc>(scope, membershipId(connectorId));
    if (!edge) throw notFound('connector');
    return { type: 'connectorGroup', shape: groupShape, ids: [edge.groupId], ...query };
  }

  async listMemberOf(scope: Scope, connectorId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<GroupDoc>>> {
    return this.store.page<GroupDoc>(scope, await this.memberOfSpec(scope, connectorId, query), page);
  }

  async countMemberOf(scope: Scope, connectorId: string, query: ListQuery = {}): Promise<number> {
    // Unfiltered, the edge answers: a connector is in exactly one group.
    if (!query.filter) {
      await this.memberOfSpec(scope, connectorId, {});
      return 1;
    }
    return this.store.count(scope, await this.memberOfSpec(scope, connectorId, { filter: query.filter }));
  }

  /** Two queries whatever the number of groups: their edges, then those connectors. */
  async membersOfGroups(scope: Scope, groupIds: readonly string[]): Promise<Map<string, Stored<ConnectorDoc>[]>> {
    const byGroup = new Map<string, Stored<ConnectorDoc>[]>(groupIds.map((id) => [id, []]));
    if (!groupIds.length) return byGroup;
    const edges = await this.store.all<MembershipDoc>(scope, {
      type: 'connectorMembership',
      filter: { kind: 'in', property: 'groupId', values: [...groupIds] },
    });
    if (!edges.length) return byGroup;
    const groupOf = new Map(edges.map((e) => [e.connectorId, e.groupId]));
    const connectors = await this.store.all<ConnectorDoc>(scope, { type: 'connector', ids: [...groupOf.keys()] });
    // In the order the members collection lists them, so a nextLink with $skip continues where this stops.
    for (const c of connectors) {
      const groupId = groupOf.get(c.id);
      if (groupId !== undefined) byGroup.get(groupId)?.push(c);
    }
    return byGroup;
  }

  /** Two queries whatever the number of connectors: their edges, then those groups. */
  async groupsOfConnectors(scope: Scope, connectorIds: readonly string[]): Promise<Map<string, Stored<GroupDoc>>> {
    const byConnector = new Map<string, Stored<GroupDoc>>();
    if (!connectorIds.length) return byConnector;
    const edges = await this.store.all<MembershipDoc>(scope, { type: 'connectorMembership', ids: connectorIds.map(membershipId) });
    const groups = await this.store.all<GroupDoc>(scope, { type: 'connectorGroup', ids: [...new Set(edges.map((e) => e.groupId))] });
    const byId = new Map(groups.map((g) => [g.id, g]));
    for (const e of edges) {
      const group = byId.get(e.groupId);
      if (group) byConnector.set(e.connectorId, group);
    }
    return byConnector;
  }

  // --- application assignment ---

  /** The id of the application's group: its assignment, or Default when it has none. */
  async groupIdOfApplication(scope: Scope, applicationId: string): Promise<string> {
    const edge = await this.store.read<AssignmentDoc>(scope, assignmentId(applicationId));
    return edge?.groupId ?? defaultGroupId(scope.tenantId);
  }

  async groupOfApplication(scope: Scope, applicationId: string): Promise<Stored<GroupDoc>> {
    return this.group(scope, await this.groupIdOfApplication(scope, applicationId));
  }

  /** Assigns the application to a group; assigning it to Default removes its assignment. */
  async assignApplication(scope: Scope, applicationId: string, groupId: string): Promise<void> {
    const defaultId = defaultGroupId(scope.tenantId);
    await this.retrying(async () => {
      const edge = await this.store.read<AssignmentDoc>(scope, assignmentId(applicationId));
      if ((edge?.groupId ?? defaultId) === groupId) {
        // Already there; Default is made on first need, any other group exists while it has applications.
        if (groupId === defaultId) await this.ensureDefault(scope);
        return;
      }
      const toDefault = groupId === defaultId;
      const ops: BatchOp[] = [];
      if (edge) {
        ops.push(incrementOp<GroupDoc>('connectorGroup', edge.groupId, { applicationCount: -1 }));
        ops.push(toDefault ? deleteOp(edge.id, edge._etag) : replaceOp({ ...withoutSystem(edge), groupId }, edge._etag));
      } else {
        ops.push(createOp(assignment(scope.tenantId, applicationId, groupId)));
      }
      if (!toDefault) ops.push(incrementOp<GroupDoc>('connectorGroup', groupId, { applicationCount: 1 }));
      ops.push(this.record(scope, 'assignApplication', applicationTargets(applicationId, edge?.groupId ?? defaultId, groupId)));
      try {
        await this.targeting(scope, groupId, () => this.store.batch(scope, ops));
      } catch (error) {
        // Another request created the assignment first: re-read and decide again.
        if (isStoreError(error, 'exists')) throw new Contended();
        throw error;
      }
    });
  }

  /** Returns the application to Default; refused when it is already there. */
  async unassignApplication(scope: Scope, applicationId: string): Promise<void> {
    await this.retrying(async () => {
      const edge = await this.store.read<AssignmentDoc>(scope, assignmentId(applicationId));
      if (!edge) throw refused('applicationStaysInDefault');
      const defaultId = defaultGroupId(scope.tenantId);
      await this.store.batch(scope, [
        deleteOp(edge.id, edge._etag),
        incrementOp<GroupDoc>('connectorGroup', edge.groupId, { applicationCount: -1 }),
        this.record(scope, 'unassignApplication', applicationTargets(applicationId, edge.groupId, defaultId)),
      ]);
    });
  }

  private async applicationSpec(scope: Scope, groupId: string): Promise<QuerySpec> {
    await this.group(scope, groupId);
    return { type: 'applicationAssignment', filter: { kind: 'eq', property: 'groupId', value: groupId } };
  }

  async listApplications(scope: Scope, groupId: string, page: PageRequest): Promise<Page<Stored<AssignmentDoc>>> {
    return this.store.page<AssignmentDoc>(scope, await this.applicationSpec(scope, groupId), page);
  }

  async countApplications(scope: Scope, groupId: string): Promise<number> {
    return this.store.count(scope, await this.applicationSpec(scope, groupId));
  }

  async applicationOfGroup(scope: Scope, groupId: string, applicationId: string): Promise<Stored<AssignmentDoc>> {
    const [, edge] = await Promise.all([this.group(scope, groupId), this.store.read<AssignmentDoc>(scope, assignmentId(applicationId))]);
    if (!edge || edge.groupId !== groupId) throw notFound('application');
    return edge;
  }

  // --- the audit log ---

  async auditRecord(scope: Scope, id: string): Promise<Stored<AuditDoc>> {
    const found = await this.store.read<AuditDoc>(scope, id);
    if (!found || found.type !== AUDIT_TYPE) throw notFound('directoryAudit');
    return found;
  }

  async listAuditRecords(scope: Scope, query: ListQuery, page: PageRequest): Promise<Page<Stored<AuditDoc>>> {
    const newestFirst = query.orderBy?.[0]?.descending ?? true;
    return this.store.page<AuditDoc>(
      scope,
      { type: AUDIT_TYPE, shape: AUDIT_FILTER_SHAPE, filter: query.filter, orderBy: auditOrder(newestFirst) },
      page,
    );
  }

  async countAuditRecords(scope: Scope, query: ListQuery = {}): Promise<number> {
    return this.store.count(scope, { type: AUDIT_TYPE, shape: AUDIT_FILTER_SHAPE, filter: query.filter });
  }
}

/** What the store needs of a record's shape, which versions share: which filtered properties may be null. */
const AUDIT_FILTER_SHAPE = auditShapes.beta;

function membership(tenantId: string, connectorId: string, groupId: string): MembershipDoc {
  return { id: membershipId(connectorId), tenantId, type: 'connectorMembership', connectorId, groupId };
}

function assignment(tenantId: string, applicationId: string, groupId: string): AssignmentDoc {
  return { id: assignmentId(applicationId), tenantId, type: 'applicationAssignment', applicationId, groupId };
}

/** An application moved from one group to another: the application, and the group it now uses. */
function applicationTargets(applicationId: string, fromGroupId: string, toGroupId: string): AuditTarget[] {
  return [
    target('Application', applicationId, null, [change('ConnectorGroupId', fromGroupId, toGroupId)]),
    target('ConnectorGroup', toGroupId, null, [change('ApplicationId', undefined, applicationId)]),
  ];
}
