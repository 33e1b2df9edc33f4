import { randomUUID } from 'node:crypto';
import { StoreError } from '../store/errors.js';
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
import { busy, exists, notFound, preconditionFailed, refused } from './errors.js';
import { GROUP_TYPE, assignmentId, requestedId, connectorShape, defaultGroupId, groupShape, membershipId, type AssignmentDoc, type ConnectorDoc, type GroupDoc, type MembershipDoc } from './documents.js';
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
 * Every method confines itself to `tenantId`; failures are DomainErrors (see errors.ts).
 */
export interface Directory {
  group(tenantId: string, id: string): Promise<Stored<GroupDoc>>;
  /** `clientRequestId`: the caller's own, when it sent one; a retry with it finds the group already made. */
  createGroup(tenantId: string, input: CreateGroupInput, clientRequestId?: string): Promise<Stored<GroupDoc>>;
  updateGroup(tenantId: string, id: string, input: UpdateGroupInput, precondition: Precondition): Promise<Stored<GroupDoc>>;
  deleteGroup(tenantId: string, id: string, precondition: Precondition): Promise<void>;
  listGroups(tenantId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<GroupDoc>>>;
  countGroups(tenantId: string, query?: ListQuery): Promise<number>;

  connector(tenantId: string, id: string): Promise<Stored<ConnectorDoc>>;
  createConnector(tenantId: string, input: CreateConnectorInput, clientRequestId?: string): Promise<Stored<ConnectorDoc>>;
  updateConnector(tenantId: string, id: string, input: UpdateConnectorInput, precondition: Precondition): Promise<Stored<ConnectorDoc>>;
  deleteConnector(tenantId: string, id: string, precondition: Precondition): Promise<void>;
  listConnectors(tenantId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>>;
  countConnectors(tenantId: string, query?: ListQuery): Promise<number>;

  groupOfConnector(tenantId: string, connectorId: string): Promise<Stored<GroupDoc>>;
  moveConnector(tenantId: string, connectorId: string, targetGroupId: string, expectedGroupId?: string): Promise<Stored<GroupDoc>>;
  listMembers(tenantId: string, groupId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>>;
  countMembers(tenantId: string, groupId: string, query?: ListQuery): Promise<number>;
  /** Takes a connector out of a group, which returns it to Default. */
  removeMember(tenantId: string, groupId: string, connectorId: string): Promise<void>;
  /** A connector's groups (always one) as a collection that conditions and paging apply to. */
  listMemberOf(tenantId: string, connectorId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<GroupDoc>>>;
  countMemberOf(tenantId: string, connectorId: string, query?: ListQuery): Promise<number>;
  /** The members of several groups at once (for `$expand`), by group id. */
  membersOfGroups(tenantId: string, groupIds: readonly string[]): Promise<Map<string, Stored<ConnectorDoc>[]>>;
  /** The group of each of several connectors (for `$expand`), by connector id. */
  groupsOfConnectors(tenantId: string, connectorIds: readonly string[]): Promise<Map<string, Stored<GroupDoc>>>;

  groupIdOfApplication(tenantId: string, applicationId: string): Promise<string>;
  groupOfApplication(tenantId: string, applicationId: string): Promise<Stored<GroupDoc>>;
  assignApplication(tenantId: string, applicationId: string, groupId: string): Promise<void>;
  unassignApplication(tenantId: string, applicationId: string): Promise<void>;
  listApplications(tenantId: string, groupId: string, page: PageRequest): Promise<Page<Stored<AssignmentDoc>>>;
  countApplications(tenantId: string, groupId: string): Promise<number>;
  /** The application's assignment to this group; not found when it is assigned elsewhere or nowhere. */
  applicationOfGroup(tenantId: string, groupId: string, applicationId: string): Promise<Stored<AssignmentDoc>>;
}

/** Attempts of one change when concurrent writers keep invalidating its reads. */
const MAX_ATTEMPTS = 12;

/** "Default" names the tenant's Default group only; no other group may take it (compared as Graph compares names). */
const DEFAULT_NAME = 'Default';

const isStoreError = (error: unknown, kind: StoreError['kind']) => error instanceof StoreError && error.kind === kind;

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

/**
 * The directory over the store. Every change that touches several documents is one transactional batch
 * whose If-Match conditions cover every document it read; when a concurrent writer wins, the change
 * re-reads and tries again, a bounded number of times.
 */
export class StoreDirectory implements Directory {
  /** Tenants whose Default group is known to exist; it can never be deleted, so this never goes stale. */
  private readonly defaults = new Set<string>();

  constructor(private readonly store: DocumentStore) {}

  private async retrying<T>(change: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await change();
      } catch (error) {
        // 'missing': a document read a moment ago is gone; the next attempt's reads say what that means.
        if (!isStoreError(error, 'changed') && !isStoreError(error, 'missing')) throw error;
        if (attempt >= MAX_ATTEMPTS) throw busy(1);
        // Jittered backoff so racing writers stop colliding in lock-step.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
      }
    }
  }

  // --- groups ---

  /** The tenant's Default group, created on first need. */
  private async defaultGroup(tenantId: string): Promise<Stored<GroupDoc>> {
    const id = defaultGroupId(tenantId);
    const found = await this.store.read<GroupDoc>(tenantId, id);
    if (found) {
      this.defaults.add(tenantId);
      return found;
    }
    try {
      const created = await this.store.create<GroupDoc>({
        id,
        tenantId,
        type: 'connectorGroup',
        name: DEFAULT_NAME,
        connectorGroupType: GROUP_TYPE,
        isDefault: true,
        region: null,
        memberCount: 0,
        applicationCount: 0,
      });
      this.defaults.add(tenantId);
      return created;
    } catch (error) {
      if (isStoreError(error, 'exists')) return this.defaultGroup(tenantId);
      throw error;
    }
  }

  private async ensureDefault(tenantId: string): Promise<void> {
    if (!this.defaults.has(tenantId)) await this.defaultGroup(tenantId);
  }

  async group(tenantId: string, id: string): Promise<Stored<GroupDoc>> {
    if (id === defaultGroupId(tenantId)) return this.defaultGroup(tenantId);
    const found = await this.store.read<GroupDoc>(tenantId, id);
    if (!found || found.type !== 'connectorGroup') throw notFound('connectorGroup');
    return found;
  }

  async createGroup(tenantId: string, input: CreateGroupInput, clientRequestId?: string): Promise<Stored<GroupDoc>> {
    const { id, derived } = newId(tenantId, 'connectorGroup', input, clientRequestId);
    if (id === defaultGroupId(tenantId)) throw exists(id);
    return creating(id, () =>
      this.store.create<GroupDoc>({
        id,
        tenantId,
        type: 'connectorGroup',
        name: input.name,
        connectorGroupType: GROUP_TYPE,
        isDefault: false,
        region: input.region ?? null,
        memberCount: 0,
        applicationCount: 0,
      }),
      derived ? () => this.group(tenantId, id) : undefined,
    );
  }

  async updateGroup(tenantId: string, id: string, input: UpdateGroupInput, precondition: Precondition): Promise<Stored<GroupDoc>> {
    return this.retrying(async () => {
      const current = await this.group(tenantId, id);
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
      return conditional(precondition, () =>
        this.store.replace<GroupDoc>({ ...withoutSystem(current), name: input.name ?? current.name, region }, current._etag),
      );
    });
  }

  async deleteGroup(tenantId: string, id: string, precondition: Precondition): Promise<void> {
    if (id === defaultGroupId(tenantId)) {
      await this.ensureDefault(tenantId);
      throw refused('deleteDefault');
    }
    await this.retrying(async () => {
      const current = await this.group(tenantId, id);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      if (current.memberCount > 0 || current.applicationCount > 0) {
        throw refused('deleteUsedGroup');
      }
      // If-Match on the group: a member or application arriving meanwhile changes its counts and etag.
      await conditional(precondition, () => this.store.delete(tenantId, id, current._etag));
    });
  }

  async listGroups(tenantId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<GroupDoc>>> {
    await this.ensureDefault(tenantId);
    return this.store.page<GroupDoc>(tenantId, { type: 'connectorGroup', shape: groupShape, ...query }, page);
  }

  async countGroups(tenantId: string, query: ListQuery = {}): Promise<number> {
    await this.ensureDefault(tenantId);
    return this.store.count(tenantId, { type: 'connectorGroup', shape: groupShape, filter: query.filter });
  }

  // --- connectors ---

  async connector(tenantId: string, id: string): Promise<Stored<ConnectorDoc>> {
    const found = await this.store.read<ConnectorDoc>(tenantId, id);
    if (!found || found.type !== 'connector') throw notFound('connector');
    return found;
  }

  /** A new connector joins the Default group, in the same batch that creates it. */
  async createConnector(tenantId: string, input: CreateConnectorInput, clientRequestId?: string): Promise<Stored<ConnectorDoc>> {
    const { id, derived } = newId(tenantId, 'connector', input, clientRequestId);
    const connector: ConnectorDoc = {
      id,
      tenantId,
      type: 'connector',
      machineName: input.machineName,
      externalIp: input.externalIp,
      status: input.status ?? 'active',
      version: input.version ?? '',
    };
    const defaultId = defaultGroupId(tenantId);
    return this.retrying(async () => {
      try {
        const [created] = await creating(
          id,
          () =>
            this.store.batch(tenantId, [
              createOp(connector),
              createOp(membership(tenantId, id, defaultId)),
              incrementOp('connectorGroup', defaultId, { memberCount: 1 }),
            ]),
          derived ? async () => [await this.connector(tenantId, id)] : undefined,
        );
        return created as Stored<ConnectorDoc>;
      } catch (error) {
        // The tenant's first connector: make its Default group, then try again.
        if (isStoreError(error, 'missing')) await this.defaultGroup(tenantId);
        throw error;
      }
    });
  }

  async updateConnector(tenantId: string, id: string, input: UpdateConnectorInput, precondition: Precondition): Promise<Stored<ConnectorDoc>> {
    return this.retrying(async () => {
      const current = await this.connector(tenantId, id);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      const { '@odata.type': _type, ...changes } = input;
      return conditional(precondition, () =>
        this.store.replace<ConnectorDoc>({ ...withoutSystem(current), ...changes }, current._etag),
      );
    });
  }

  /**
   * The connector leaves its group in the same batch that deletes it. Its edge says where it is (a connector
   * and its edge are made and removed together); the connector itself is read only for a caller's If-Match.
   */
  async deleteConnector(tenantId: string, id: string, precondition: Precondition): Promise<void> {
    await this.retrying(async () => {
      const [edge, current] = await Promise.all([
        this.store.read<MembershipDoc>(tenantId, membershipId(id)),
        precondition ? this.connector(tenantId, id) : undefined,
      ]);
      if (!edge) throw notFound('connector');
      if (current && precondition && !precondition(current._etag)) throw preconditionFailed();
      await conditional(precondition, () =>
        this.store.batch(tenantId, [
          deleteOp(id, current?._etag),
          deleteOp(edge.id, edge._etag),
          incrementOp('connectorGroup', edge.groupId, { memberCount: -1 }),
        ]),
      );
    });
  }

  async listConnectors(tenantId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>> {
    return this.store.page<ConnectorDoc>(tenantId, { type: 'connector', shape: connectorShape, ...query }, page);
  }

  async countConnectors(tenantId: string, query: ListQuery = {}): Promise<number> {
    return this.store.count(tenantId, { type: 'connector', shape: connectorShape, filter: query.filter });
  }

  // --- membership ---

  /** The group a connector is in (exactly one). */
  async groupOfConnector(tenantId: string, connectorId: string): Promise<Stored<GroupDoc>> {
    const edge = await this.store.read<MembershipDoc>(tenantId, membershipId(connectorId));
    if (!edge) throw notFound('connector');
    return this.group(tenantId, edge.groupId);
  }

  /**
   * Adding a connector to a group moves it there. `expectedGroupId` makes the move conditional on where
   * the connector is now (the move through an application's group): elsewhere, the connector is not found.
   */
  async moveConnector(tenantId: string, connectorId: string, targetGroupId: string, expectedGroupId?: string): Promise<Stored<GroupDoc>> {
    return this.retrying(async () => {
      const edge = await this.store.read<MembershipDoc>(tenantId, membershipId(connectorId));
      if (!edge || (expectedGroupId !== undefined && edge.groupId !== expectedGroupId)) throw notFound('connector');
      if (edge.groupId === targetGroupId) throw refused('alreadyMember');
      // The counters change by increments, so the groups need not be read: the batch fails when the target
      // is gone or no group, and then a read of the target says which.
      const results = await this.targeting(tenantId, targetGroupId, () =>
        this.store.batch(tenantId, [
          replaceOp({ ...withoutSystem(edge), groupId: targetGroupId }, edge._etag),
          incrementOp('connectorGroup', edge.groupId, { memberCount: -1 }),
          incrementOp('connectorGroup', targetGroupId, { memberCount: 1 }),
        ]),
      );
      return results[2] as Stored<GroupDoc>;
    });
  }

  /**
   * A batch that increments a group the caller named: when it fails as missing or changed, a read of the
   * group tells a target that does not exist (404) from a race (retried by the caller's `retrying`).
   */
  private async targeting<T>(tenantId: string, groupId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isStoreError(error, 'missing') || isStoreError(error, 'changed')) await this.group(tenantId, groupId);
      throw error;
    }
  }

  /** Members are read through their edges: the edges of the group, then those connectors in one query. */
  private async memberSpec(tenantId: string, groupId: string, query: ListQuery): Promise<QuerySpec> {
    await this.group(tenantId, groupId);
    const edges = await this.store.all<MembershipDoc>(tenantId, {
      type: 'connectorMembership',
      filter: { kind: 'eq', property: 'groupId', value: groupId },
    });
    return { type: 'connector', shape: connectorShape, ids: edges.map((e) => e.connectorId), ...query };
  }

  async listMembers(tenantId: string, groupId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>> {
    return this.store.page<ConnectorDoc>(tenantId, await this.memberSpec(tenantId, groupId, query), page);
  }

  async countMembers(tenantId: string, groupId: string, query: ListQuery = {}): Promise<number> {
    // Unfiltered, the group's own count answers: batches keep it equal to its edges.
    if (!query.filter) return (await this.group(tenantId, groupId)).memberCount;
    return this.store.count(tenantId, await this.memberSpec(tenantId, groupId, { filter: query.filter }));
  }

  async removeMember(tenantId: string, groupId: string, connectorId: string): Promise<void> {
    const defaultId = defaultGroupId(tenantId);
    if (groupId !== defaultId) {
      // A move to Default, on condition that the connector is in this group now: one batch, as every move.
      await this.moveConnector(tenantId, connectorId, defaultId, groupId);
      return;
    }
    const edge = await this.store.read<MembershipDoc>(tenantId, membershipId(connectorId));
    if (!edge || edge.groupId !== defaultId) throw notFound('connector');
    throw refused('connectorStaysInDefault');
  }

  private async memberOfSpec(tenantId: string, connectorId: string, query: ListQuery): Promise<QuerySpec> {
    const edge = await this.store.read<MembershipDoc>(tenantId, membershipId(connectorId));
    if (!edge) throw notFound('connector');
    return { type: 'connectorGroup', shape: groupShape, ids: [edge.groupId], ...query };
  }

  async listMemberOf(tenantId: string, connectorId: string, query: ListQuery, page: PageRequest): Promise<Page<Stored<GroupDoc>>> {
    return this.store.page<GroupDoc>(tenantId, await this.memberOfSpec(tenantId, connectorId, query), page);
  }

  async countMemberOf(tenantId: string, connectorId: string, query: ListQuery = {}): Promise<number> {
    // Unfiltered, the edge answers: a connector is in exactly one group.
    if (!query.filter) {
      await this.memberOfSpec(tenantId, connectorId, {});
      return 1;
    }
    return this.store.count(tenantId, await this.memberOfSpec(tenantId, connectorId, { filter: query.filter }));
  }

  /** Two queries whatever the number of groups: their edges, then those connectors. */
  async membersOfGroups(tenantId: string, groupIds: readonly string[]): Promise<Map<string, Stored<ConnectorDoc>[]>> {
    const byGroup = new Map<string, Stored<ConnectorDoc>[]>(groupIds.map((id) => [id, []]));
    if (!groupIds.length) return byGroup;
    const edges = await this.store.all<MembershipDoc>(tenantId, {
      type: 'connectorMembership',
      filter: { kind: 'in', property: 'groupId', values: [...groupIds] },
    });
    if (!edges.length) return byGroup;
    const groupOf = new Map(edges.map((e) => [e.connectorId, e.groupId]));
    const connectors = await this.store.all<ConnectorDoc>(tenantId, { type: 'connector', ids: [...groupOf.keys()] });
    // In the order the members collection lists them, so a nextLink with $skip continues where this stops.
    for (const c of connectors) byGroup.get(groupOf.get(c.id)!)?.push(c);
    return byGroup;
  }

  /** Two queries whatever the number of connectors: their edges, then those groups. */
  async groupsOfConnectors(tenantId: string, connectorIds: readonly string[]): Promise<Map<string, Stored<GroupDoc>>> {
    const byConnector = new Map<string, Stored<GroupDoc>>();
    if (!connectorIds.length) return byConnector;
    const edges = await this.store.all<MembershipDoc>(tenantId, { type: 'connectorMembership', ids: connectorIds.map(membershipId) });
    const groups = await this.store.all<GroupDoc>(tenantId, { type: 'connectorGroup', ids: [...new Set(edges.map((e) => e.groupId))] });
    const byId = new Map(groups.map((g) => [g.id, g]));
    for (const e of edges) {
      const group = byId.get(e.groupId);
      if (group) byConnector.set(e.connectorId, group);
    }
    return byConnector;
  }

  // --- application assignment ---

  /** The id of the application's group: its assignment, or Default when it has none. */
  async groupIdOfApplication(tenantId: string, applicationId: string): Promise<string> {
    const edge = await this.store.read<AssignmentDoc>(tenantId, assignmentId(applicationId));
    return edge?.groupId ?? defaultGroupId(tenantId);
  }

  async groupOfApplication(tenantId: string, applicationId: string): Promise<Stored<GroupDoc>> {
    return this.group(tenantId, await this.groupIdOfApplication(tenantId, applicationId));
  }

  /** Assigns the application to a group; assigning it to Default removes its assignment. */
  async assignApplication(tenantId: string, applicationId: string, groupId: string): Promise<void> {
    const defaultId = defaultGroupId(tenantId);
    await this.retrying(async () => {
      const edge = await this.store.read<AssignmentDoc>(tenantId, assignmentId(applicationId));
      if ((edge?.groupId ?? defaultId) === groupId) {
        // Already there; Default is made on first need, any other group exists while it has applications.
        if (groupId === defaultId) await this.ensureDefault(tenantId);
        return;
      }
      const toDefault = groupId === defaultId;
      const ops: BatchOp[] = [];
      if (edge) {
        ops.push(incrementOp('connectorGroup', edge.groupId, { applicationCount: -1 }));
        ops.push(toDefault ? deleteOp(edge.id, edge._etag) : replaceOp({ ...withoutSystem(edge), groupId }, edge._etag));
      } else {
        ops.push(createOp(assignment(tenantId, applicationId, groupId)));
      }
      if (!toDefault) ops.push(incrementOp('connectorGroup', groupId, { applicationCount: 1 }));
      try {
        await this.targeting(tenantId, groupId, () => this.store.batch(tenantId, ops));
      } catch (error) {
        // Another request created the assignment first: re-read and decide again.
        if (isStoreError(error, 'exists')) throw new StoreError('changed');
        throw error;
      }
    });
  }

  /** Returns the application to Default; refused when it is already there. */
  async unassignApplication(tenantId: string, applicationId: string): Promise<void> {
    await this.retrying(async () => {
      const edge = await this.store.read<AssignmentDoc>(tenantId, assignmentId(applicationId));
      if (!edge) throw refused('applicationStaysInDefault');
      await this.store.batch(tenantId, [deleteOp(edge.id, edge._etag), incrementOp('connectorGroup', edge.groupId, { applicationCount: -1 })]);
    });
  }

  private async applicationSpec(tenantId: string, groupId: string): Promise<QuerySpec> {
    await this.group(tenantId, groupId);
    return { type: 'applicationAssignment', filter: { kind: 'eq', property: 'groupId', value: groupId } };
  }

  async listApplications(tenantId: string, groupId: string, page: PageRequest): Promise<Page<Stored<AssignmentDoc>>> {
    return this.store.page<AssignmentDoc>(tenantId, await this.applicationSpec(tenantId, groupId), page);
  }

  async countApplications(tenantId: string, groupId: string): Promise<number> {
    return this.store.count(tenantId, await this.applicationSpec(tenantId, groupId));
  }

  async applicationOfGroup(tenantId: string, groupId: string, applicationId: string): Promise<Stored<AssignmentDoc>> {
    const [, edge] = await Promise.all([this.group(tenantId, groupId), this.store.read<AssignmentDoc>(tenantId, assignmentId(applicationId))]);
    if (!edge || edge.groupId !== groupId) throw notFound('application');
    return edge;
  }
}

function membership(tenantId: string, connectorId: string, groupId: string): MembershipDoc {
  return { id: membershipId(connectorId), tenantId, type: 'connectorMembership', connectorId, groupId };
}

function assignment(tenantId: string, applicationId: string, groupId: string): AssignmentDoc {
  return { id: assignmentId(applicationId), tenantId, type: 'applicationAssignment', applicationId, groupId };
}
