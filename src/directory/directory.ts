import { randomUUID } from 'node:crypto';
import { StoreError } from '../store/errors.js';
import type { Condition, Ordering } from '../store/query.js';
import {
  createOp,
  deleteOp,
  replaceOp,
  withoutSystem,
  type BatchOp,
  type Page,
  type PageRequest,
  type QuerySpec,
  type Store,
  type Stored,
} from '../store/store.js';
import { busy, conflict, exists, invalid, notFound, preconditionFailed } from './errors.js';
import {
  GROUP_TYPE,
  assignmentId,
  requestedId,
  connectorShape,
  defaultGroupId,
  groupShape,
  membershipId,
  type AssignmentDoc,
  type ConnectorDoc,
  type CreateConnectorInput,
  type CreateGroupInput,
  type GroupDoc,
  type MembershipDoc,
  type UpdateConnectorInput,
  type UpdateGroupInput,
} from './model.js';

export type { Page, PageRequest, Stored };
export { MAX_ORDER_BY, type Condition, type EntityShape, type Ordering, type PropertyShape, type Value } from '../store/query.js';

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

  groupIdOfApplication(tenantId: string, applicationId: string): Promise<string>;
  groupOfApplication(tenantId: string, applicationId: string): Promise<Stored<GroupDoc>>;
  assignApplication(tenantId: string, applicationId: string, groupId: string): Promise<void>;
  unassignApplication(tenantId: string, applicationId: string): Promise<void>;
  listApplications(tenantId: string, groupId: string, page: PageRequest): Promise<Page<Stored<AssignmentDoc>>>;
  countApplications(tenantId: string, groupId: string): Promise<number>;
}

/** Attempts of one change when concurrent writers keep invalidating its reads. */
const MAX_ATTEMPTS = 12;

/** "Default" names the tenant's Default group only; no other group may take it (compared as Graph compares names). */
const DEFAULT_NAME = 'Default';
function assertNotDefaultName(name: string | undefined): void {
  if (name !== undefined && name.trim().toLowerCase() === DEFAULT_NAME.toLowerCase()) {
    throw invalid(`The name '${DEFAULT_NAME}' is reserved for the default connectorGroup.`);
  }
}

const alreadyMember = () =>
  invalid("One or more added object references already exist for the following modified properties: 'memberOf'.");

/**
 * A create that met an existing id: with an id derived from the request (`requestedId`), the object an
 * earlier attempt of this same request made (`replay` reads it); otherwise a clash with another object.
 */
async function creating<T>(id: string, create: () => Promise<T>, replay?: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof StoreError && error.kind === 'exists') {
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
    if (precondition && error instanceof StoreError && error.kind === 'changed') throw preconditionFailed();
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

  constructor(private readonly store: Store) {}

  private async retrying<T>(change: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await change();
      } catch (error) {
        // 'missing': a document read a moment ago is gone; the next attempt's reads say what that means.
        if (!(error instanceof StoreError) || (error.kind !== 'changed' && error.kind !== 'missing')) throw error;
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
      if (error instanceof StoreError && error.kind === 'exists') return this.defaultGroup(tenantId);
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
    assertNotDefaultName(input.name);
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
      // The Default group's name and region are the service's (its region is the tenant's); others may not take its name.
      if (current.isDefault && ((input.name !== undefined && input.name !== current.name) || region !== current.region)) {
        throw invalid("The default connectorGroup's name and region are set by the service and cannot be changed.");
      }
      if (!current.isDefault) assertNotDefaultName(input.name);
      if (region !== current.region && (current.memberCount > 0 || current.applicationCount > 0)) {
        throw conflict('The region of a connectorGroup can only be changed while no connectors or applications are assigned to it.');
      }
      return conditional(precondition, () =>
        this.store.replace<GroupDoc>({ ...withoutSystem(current), name: input.name ?? current.name, region }, current._etag),
      );
    });
  }

  async deleteGroup(tenantId: string, id: string, precondition: Precondition): Promise<void> {
    if (id === defaultGroupId(tenantId)) {
      await this.ensureDefault(tenantId);
      throw conflict('The default connectorGroup cannot be deleted.');
    }
    await this.retrying(async () => {
      const current = await this.group(tenantId, id);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      if (current.memberCount > 0 || current.applicationCount > 0) {
        throw conflict('A connectorGroup can only be deleted when no connectors or applications are assigned to it.');
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
    return this.retrying(async () => {
      const target = await this.defaultGroup(tenantId);
      const [created] = await creating(
        id,
        () =>
          this.store.batch(tenantId, [
            createOp(connector),
            createOp(membership(tenantId, id, target.id)),
            replaceOp({ ...withoutSystem(target), memberCount: target.memberCount + 1 }, target._etag),
          ]),
        derived ? async () => [await this.connector(tenantId, id)] : undefined,
      );
      return created as Stored<ConnectorDoc>;
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

  /** The connector leaves its group in the same batch that deletes it. */
  async deleteConnector(tenantId: string, id: string, precondition: Precondition): Promise<void> {
    await this.retrying(async () => {
      const [current, edge] = await Promise.all([
        this.connector(tenantId, id),
        this.store.read<MembershipDoc>(tenantId, membershipId(id)),
      ]);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      if (!edge) throw notFound('connector');
      const group = await this.group(tenantId, edge.groupId);
      await conditional(precondition, () =>
        this.store.batch(tenantId, [
          deleteOp(id, current._etag),
          deleteOp(edge.id, edge._etag),
          replaceOp({ ...withoutSystem(group), memberCount: group.memberCount - 1 }, group._etag),
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
   * the connector is now (seed 002's navigation): elsewhere, the connector is not found.
   */
  async moveConnector(tenantId: string, connectorId: string, targetGroupId: string, expectedGroupId?: string): Promise<Stored<GroupDoc>> {
    return this.retrying(async () => {
      // When the source is known in advance (seed 002), it is read alongside the edge and the target.
      const [edge, target, expected] = await Promise.all([
        this.store.read<MembershipDoc>(tenantId, membershipId(connectorId)),
        this.group(tenantId, targetGroupId),
        expectedGroupId === undefined ? undefined : this.group(tenantId, expectedGroupId),
      ]);
      if (!edge || (expectedGroupId !== undefined && edge.groupId !== expectedGroupId)) throw notFound('connector');
      if (edge.groupId === target.id) throw alreadyMember();
      const source = expected ?? (await this.group(tenantId, edge.groupId));
      const results = await this.store.batch(tenantId, [
        replaceOp({ ...withoutSystem(edge), groupId: target.id }, edge._etag),
        replaceOp({ ...withoutSystem(source), memberCount: source.memberCount - 1 }, source._etag),
        replaceOp({ ...withoutSystem(target), memberCount: target.memberCount + 1 }, target._etag),
      ]);
      return results[2] as Stored<GroupDoc>;
    });
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
    await this.retrying(async () => {
      const [edge, target] = await Promise.all([
        this.store.read<AssignmentDoc>(tenantId, assignmentId(applicationId)),
        this.group(tenantId, groupId),
      ]);
      const currentGroupId = edge?.groupId ?? defaultGroupId(tenantId);
      if (currentGroupId === target.id) return;
      const ops: BatchOp[] = [];
      if (edge) {
        const source = await this.group(tenantId, edge.groupId);
        ops.push(replaceOp({ ...withoutSystem(source), applicationCount: source.applicationCount - 1 }, source._etag));
        ops.push(target.isDefault ? deleteOp(edge.id, edge._etag) : replaceOp({ ...withoutSystem(edge), groupId: target.id }, edge._etag));
      } else {
        ops.push(createOp(assignment(tenantId, applicationId, target.id)));
      }
      if (!target.isDefault) {
        ops.push(replaceOp({ ...withoutSystem(target), applicationCount: target.applicationCount + 1 }, target._etag));
      }
      try {
        await this.store.batch(tenantId, ops);
      } catch (error) {
        // Another request created the assignment first: re-read and decide again.
        if (error instanceof StoreError && error.kind === 'exists') throw new StoreError('changed');
        throw error;
      }
    });
  }

  /** Returns the application to Default; refused when it is already there. */
  async unassignApplication(tenantId: string, applicationId: string): Promise<void> {
    await this.retrying(async () => {
      const edge = await this.store.read<AssignmentDoc>(tenantId, assignmentId(applicationId));
      if (!edge) throw invalid("The application is in the 'Default' connectorGroup; it cannot be removed from it unless it is added to another group.");
      const group = await this.group(tenantId, edge.groupId);
      await this.store.batch(tenantId, [
        deleteOp(edge.id, edge._etag),
        replaceOp({ ...withoutSystem(group), applicationCount: group.applicationCount - 1 }, group._etag),
      ]);
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
}

function membership(tenantId: string, connectorId: string, groupId: string): MembershipDoc {
  return { id: membershipId(connectorId), tenantId, type: 'connectorMembership', connectorId, groupId };
}

function assignment(tenantId: string, applicationId: string, groupId: string): AssignmentDoc {
  return { id: assignmentId(applicationId), tenantId, type: 'applicationAssignment', applicationId, groupId };
}
