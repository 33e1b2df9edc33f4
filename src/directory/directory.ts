import { randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound, preconditionFailed, unavailable } from '../graph/errors.js';
import { StoreConflict, createOp, deleteOp, replaceOp, type BatchOp, type Page, type PageRequest, type QuerySpec, type Store, type Stored } from '../store/store.js';
import {
  GROUP_TYPE,
  assignmentId,
  defaultGroupId,
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

/** The caller's If-Match, as a test of a stored etag; absent means unconditional. */
export type Precondition = ((etag: string) => boolean) | undefined;

export interface DirectoryOptions {
  /** Attempts of one change when concurrent writers keep invalidating its reads. */
  maxAttempts?: number;
}

const alreadyMember = () =>
  badRequest("One or more added object references already exist for the following modified properties: 'memberOf'.");

const groupMissing = () => notFound("Resource 'connectorGroup'");
const connectorMissing = () => notFound("Resource 'connector'");

type Filter = Pick<QuerySpec, 'where' | 'parameters' | 'orderBy'>;

/**
 * The rules of connectors, groups, membership and application assignment. Every change that touches
 * several documents is one transactional batch whose If-Match conditions cover every document it read;
 * when a concurrent writer wins, the change re-reads and tries again, a bounded number of times.
 */
export class Directory {
  private readonly maxAttempts: number;
  /** Tenants whose Default group is known to exist; it can never be deleted, so this never goes stale. */
  private readonly defaults = new Set<string>();

  constructor(
    private readonly store: Store,
    options: DirectoryOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 12;
  }

  private async retrying<T>(change: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await change();
      } catch (error) {
        // 'missing': a document read a moment ago is gone; the next attempt's reads say what that means.
        if (!(error instanceof StoreConflict) || error.reason === 'exists') throw error;
        if (attempt >= this.maxAttempts) throw unavailable(1);
        // Jittered backoff so racing writers stop colliding in lock-step.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
      }
    }
  }

  // --- groups ---

  /** The tenant's Default group, created on first need. */
  async defaultGroup(tenantId: string): Promise<Stored<GroupDoc>> {
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
        name: 'Default',
        connectorGroupType: GROUP_TYPE,
        isDefault: true,
        region: null,
        memberCount: 0,
        applicationCount: 0,
      });
      this.defaults.add(tenantId);
      return created;
    } catch (error) {
      if (error instanceof StoreConflict && error.reason === 'exists') return this.defaultGroup(tenantId);
      throw error;
    }
  }

  private async ensureDefault(tenantId: string): Promise<void> {
    if (!this.defaults.has(tenantId)) await this.defaultGroup(tenantId);
  }

  async group(tenantId: string, id: string): Promise<Stored<GroupDoc>> {
    if (id === defaultGroupId(tenantId)) return this.defaultGroup(tenantId);
    const found = await this.store.read<GroupDoc>(tenantId, id);
    if (!found || found.type !== 'connectorGroup') throw groupMissing();
    return found;
  }

  async createGroup(tenantId: string, input: CreateGroupInput): Promise<Stored<GroupDoc>> {
    const id = input.id ?? randomUUID();
    if (id === defaultGroupId(tenantId)) throw conflict(`A connectorGroup with id '${id}' already exists.`);
    try {
      return await this.store.create<GroupDoc>({
        id,
        tenantId,
        type: 'connectorGroup',
        name: input.name,
        connectorGroupType: GROUP_TYPE,
        isDefault: false,
        region: input.region ?? null,
        memberCount: 0,
        applicationCount: 0,
      });
    } catch (error) {
      if (error instanceof StoreConflict && error.reason === 'exists') {
        throw conflict(`An object with id '${id}' already exists.`);
      }
      throw error;
    }
  }

  async updateGroup(tenantId: string, id: string, input: UpdateGroupInput, precondition: Precondition): Promise<Stored<GroupDoc>> {
    return this.retrying(async () => {
      const current = await this.group(tenantId, id);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      // Absent or unknownFutureValue (evolvable enums) keep the region; null clears it.
      const region = input.region === undefined || input.region === 'unknownFutureValue' ? current.region : input.region;
      if (region !== current.region && (current.memberCount > 0 || current.applicationCount > 0)) {
        throw conflict('The region of a connectorGroup can only be changed while no connectors or applications are assigned to it.');
      }
      return this.conditional(precondition, () =>
        this.store.replace<GroupDoc>({ ...strip(current), name: input.name ?? current.name, region }, current._etag),
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
      await this.conditional(precondition, () => this.store.delete(tenantId, id, current._etag));
    });
  }

  async listGroups(tenantId: string, filter: Filter, page: PageRequest): Promise<Page<Stored<GroupDoc>>> {
    await this.ensureDefault(tenantId);
    return this.store.page<GroupDoc>(tenantId, { type: 'connectorGroup', ...filter }, page);
  }

  async countGroups(tenantId: string, filter: Filter = {}): Promise<number> {
    await this.ensureDefault(tenantId);
    return this.store.count(tenantId, { type: 'connectorGroup', ...filter });
  }

  // --- connectors ---

  async connector(tenantId: string, id: string): Promise<Stored<ConnectorDoc>> {
    const found = await this.store.read<ConnectorDoc>(tenantId, id);
    if (!found || found.type !== 'connector') throw connectorMissing();
    return found;
  }

  /** A new connector joins the Default group, in the same batch that creates it. */
  async createConnector(tenantId: string, input: CreateConnectorInput): Promise<Stored<ConnectorDoc>> {
    const id = input.id ?? randomUUID();
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
      try {
        const [created] = await this.store.batch(tenantId, [
          createOp(connector),
          createOp(membership(tenantId, id, target.id)),
          replaceOp({ ...strip(target), memberCount: target.memberCount + 1 }, target._etag),
        ]);
        return created as Stored<ConnectorDoc>;
      } catch (error) {
        if (error instanceof StoreConflict && error.reason === 'exists') {
          throw conflict(`An object with id '${id}' already exists.`);
        }
        throw error;
      }
    });
  }

  async updateConnector(tenantId: string, id: string, input: UpdateConnectorInput, precondition: Precondition): Promise<Stored<ConnectorDoc>> {
    return this.retrying(async () => {
      const current = await this.connector(tenantId, id);
      if (precondition && !precondition(current._etag)) throw preconditionFailed();
      const { '@odata.type': _type, ...changes } = input;
      return this.conditional(precondition, () =>
        this.store.replace<ConnectorDoc>({ ...strip(current), ...changes }, current._etag),
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
      if (!edge) throw connectorMissing();
      const group = await this.group(tenantId, edge.groupId);
      await this.conditional(precondition, () =>
        this.store.batch(tenantId, [
          { op: 'delete', id, ifMatch: current._etag },
          deleteOp(edge.id, edge._etag),
          replaceOp({ ...strip(group), memberCount: group.memberCount - 1 }, group._etag),
        ]),
      );
    });
  }

  async listConnectors(tenantId: string, filter: Filter, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>> {
    return this.store.page<ConnectorDoc>(tenantId, { type: 'connector', ...filter }, page);
  }

  async countConnectors(tenantId: string, filter: Filter = {}): Promise<number> {
    return this.store.count(tenantId, { type: 'connector', ...filter });
  }

  // --- membership ---

  /** The group a connector is in (exactly one). */
  async groupOfConnector(tenantId: string, connectorId: string): Promise<Stored<GroupDoc>> {
    const edge = await this.store.read<MembershipDoc>(tenantId, membershipId(connectorId));
    if (!edge) throw connectorMissing();
    return this.group(tenantId, edge.groupId);
  }

  /**
   * Adding a connector to a group moves it there. `expectedGroupId` makes the move conditional on where
   * the connector is now (seed 002's navigation): elsewhere, the connector is not found.
   */
  async moveConnector(
    tenantId: string,
    connectorId: string,
    targetGroupId: string,
    expectedGroupId?: string,
  ): Promise<Stored<GroupDoc>> {
    return this.retrying(async () => {
      // When the source is known in advance (seed 002), it is read alongside the edge and the target.
      const [edge, target, expected] = await Promise.all([
        this.store.read<MembershipDoc>(tenantId, membershipId(connectorId)),
        this.group(tenantId, targetGroupId),
        expectedGroupId === undefined ? undefined : this.group(tenantId, expectedGroupId),
      ]);
      if (!edge || (expectedGroupId !== undefined && edge.groupId !== expectedGroupId)) throw connectorMissing();
      if (edge.groupId === target.id) throw alreadyMember();
      const source = expected ?? (await this.group(tenantId, edge.groupId));
      const results = await this.store.batch(tenantId, [
        replaceOp({ ...strip(edge), groupId: target.id }, edge._etag),
        replaceOp({ ...strip(source), memberCount: source.memberCount - 1 }, source._etag),
        replaceOp({ ...strip(target), memberCount: target.memberCount + 1 }, target._etag),
      ]);
      return results[2] as Stored<GroupDoc>;
    });
  }

  /** Members are read through their edges: the edges of the group, then those connectors in one query. */
  private async memberSpec(tenantId: string, groupId: string, filter: Filter): Promise<QuerySpec> {
    await this.group(tenantId, groupId);
    const edges = await this.store.all<MembershipDoc>(tenantId, {
      type: 'connectorMembership',
      where: 'c.groupId = @groupId',
      parameters: [{ name: '@groupId', value: groupId }],
    });
    return {
      type: 'connector',
      ...filter,
      where: ['ARRAY_CONTAINS(@members, c.id)', filter.where].filter(Boolean).join(' AND '),
      parameters: [{ name: '@members', value: edges.map((e) => e.connectorId) }, ...(filter.parameters ?? [])],
    };
  }

  async listMembers(tenantId: string, groupId: string, filter: Filter, page: PageRequest): Promise<Page<Stored<ConnectorDoc>>> {
    return this.store.page<ConnectorDoc>(tenantId, await this.memberSpec(tenantId, groupId, filter), page);
  }

  async countMembers(tenantId: string, groupId: string, filter: Filter = {}): Promise<number> {
    // Unfiltered, the group's own count answers: batches keep it equal to its edges.
    if (!filter.where) return (await this.group(tenantId, groupId)).memberCount;
    return this.store.count(tenantId, await this.memberSpec(tenantId, groupId, filter));
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
        ops.push(replaceOp({ ...strip(source), applicationCount: source.applicationCount - 1 }, source._etag));
        ops.push(
          target.isDefault
            ? deleteOp(edge.id, edge._etag)
            : replaceOp({ ...strip(edge), groupId: target.id }, edge._etag),
        );
      } else {
        ops.push(createOp(assignment(tenantId, applicationId, target.id)));
      }
      if (!target.isDefault) {
        ops.push(replaceOp({ ...strip(target), applicationCount: target.applicationCount + 1 }, target._etag));
      }
      try {
        await this.store.batch(tenantId, ops);
      } catch (error) {
        // Another request created the assignment first: re-read and decide again.
        if (error instanceof StoreConflict && error.reason === 'exists') throw new StoreConflict('changed');
        throw error;
      }
    });
  }

  /** Returns the application to Default; refused when it is already there. */
  async unassignApplication(tenantId: string, applicationId: string): Promise<void> {
    await this.retrying(async () => {
      const edge = await this.store.read<AssignmentDoc>(tenantId, assignmentId(applicationId));
      if (!edge) throw badRequest("The application is in the 'Default' connectorGroup; it cannot be removed from it unless it is added to another group.");
      const group = await this.group(tenantId, edge.groupId);
      await this.store.batch(tenantId, [
        deleteOp(edge.id, edge._etag),
        replaceOp({ ...strip(group), applicationCount: group.applicationCount - 1 }, group._etag),
      ]);
    });
  }

  private async applicationSpec(tenantId: string, groupId: string): Promise<QuerySpec> {
    await this.group(tenantId, groupId);
    return { type: 'applicationAssignment', where: 'c.groupId = @groupId', parameters: [{ name: '@groupId', value: groupId }] };
  }

  async listApplications(tenantId: string, groupId: string, page: PageRequest): Promise<Page<Stored<AssignmentDoc>>> {
    return this.store.page<AssignmentDoc>(tenantId, await this.applicationSpec(tenantId, groupId), page);
  }

  async countApplications(tenantId: string, groupId: string): Promise<number> {
    return this.store.count(tenantId, await this.applicationSpec(tenantId, groupId));
  }

  /** With a caller's If-Match, losing a race means their etag is stale: 412, not a silent retry. */
  private async conditional<T>(precondition: Precondition, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (precondition && error instanceof StoreConflict && error.reason === 'changed') throw preconditionFailed();
      throw error;
    }
  }
}

function membership(tenantId: string, connectorId: string, groupId: string): MembershipDoc {
  return { id: membershipId(connectorId), tenantId, type: 'connectorMembership', connectorId, groupId };
}

function assignment(tenantId: string, applicationId: string, groupId: string): AssignmentDoc {
  return { id: assignmentId(applicationId), tenantId, type: 'applicationAssignment', applicationId, groupId };
}

/** Drops Cosmos system properties before a document is written back. */
function strip<T extends object>(doc: T): Omit<T, '_etag' | '_rid' | '_self' | '_ts' | '_attachments'> {
  const { _etag, _rid, _self, _ts, _attachments, ...rest } = doc as T & Record<string, unknown>;
  return rest as Omit<T, '_etag' | '_rid' | '_self' | '_ts' | '_attachments'>;
}
