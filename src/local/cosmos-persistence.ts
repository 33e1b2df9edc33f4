/**
 * Durability for the embedded Cosmos server: the patched server (patches/@vercel+cosmosdb-server*)
 * reports every committed change of a database, container or document to `record()`; `commit()`,
 * which the server awaits before each response, writes the changes since the last commit as ONE
 * journal record (so a transactional batch is all or nothing on disk too) and resolves when it is
 * durable. A rolled-back batch takes its changes back out before they are ever written.
 *
 * Changes are states, not operations: (kind, parent _rid, _rid, the whole resource or null, the rid
 * counter). Replaying them again over a state that already holds them changes nothing, which is what
 * lets a snapshot be taken while later records are still on their way to the journal.
 * User-defined functions are not kept.
 */
import type { Persistence } from '@vercel/cosmosdb-server';
import { Journal, type JournalOptions } from './journal.js';

type Kind = 'db' | 'coll' | 'doc';

/** Changes per snapshot record: bounded records rather than one string for the whole state. */
const SNAPSHOT_RECORD_CHANGES = 1000;

/** One change: k kind, p parent _rid, r _rid, d the resource (null: deleted), n the rid counter. */
export interface Change {
  k: Kind;
  p: string | null;
  r: string;
  d: Resource | null;
  n: number;
}

interface Resource {
  _rid: string;
  [key: string]: unknown;
}

/** The parts of @vercel/cosmosdb-server's account model (lib/account) this module uses. */
interface Item {
  read(): Resource;
}
interface Items<T extends Item> {
  _data: Map<string, T>;
  _ridCount: number;
  _sink?: Sink;
  _restore(rid: string, data: Resource | null, ridCount: number): void;
}
interface Collection extends Item {
  documents: Items<Item>;
}
interface Database extends Item {
  collections: Items<Collection>;
}
interface Account {
  databases: Items<Database>;
}

/** What the patched Items call. */
interface Sink {
  record(kind: Kind, parent: string | null, rid: string, data: Resource | null, ridCount: number): void;
  mark(): number;
  rollback(mark: number): void;
}

function isChangeList(value: unknown): value is Change[] {
  return Array.isArray(value);
}

export class DurableAccount implements Persistence, Sink {
  private pending: Change[] = [];
  private recovered: Change[][] | undefined;

  private constructor(
    private readonly journal: Journal,
    recovered: unknown[],
    /** Bytes of a torn or damaged journal tail dropped at open (0 after a clean stop or a clean crash). */
    readonly droppedBytes: number,
  ) {
    this.recovered = recovered.filter(isChangeList);
  }

  static async open(dir: string, options: JournalOptions = {}): Promise<DurableAccount> {
    const { journal, recovery } = await Journal.open(dir, options);
    return new DurableAccount(journal, recovery.values, recovery.droppedBytes);
  }

  get stats(): Journal['stats'] {
    return this.journal.stats;
  }

  attach(target: unknown): void {
    const account = target as Account;
    for (const changes of this.recovered ?? []) for (const change of changes) apply(account, change);
    this.recovered = undefined;
    // Sinks go on after the replay, so restoring records nothing; new children inherit them.
    account.databases._sink = this;
    for (const database of account.databases._data.values()) {
      database.collections._sink = this;
      for (const collection of database.collections._data.values()) collection.documents._sink = this;
    }
    this.journal.setSnapshotSource(() => chunks(capture(account), SNAPSHOT_RECORD_CHANGES));
  }

  record(k: Kind, p: string | null, r: string, d: Resource | null, n: number): void {
    this.pending.push({ k, p, r, d, n });
  }

  mark(): number {
    return this.pending.length;
  }

  rollback(mark: number): void {
    this.pending.length = mark;
  }

  commit(): Promise<void> {
    if (this.pending.length === 0) return this.journal.durable();
    const changes = this.pending;
    this.pending = [];
    return this.journal.append(changes);
  }

  /** Writes a snapshot now (a clean stop leaves a short journal behind). */
  compact(): Promise<void> {
    return this.journal.compact();
  }

  async close(): Promise<void> {
    await this.commit().catch(() => undefined);
    await this.journal.close();
  }
}

function findCollection(account: Account, rid: string): Collection | undefined {
  for (const database of account.databases._data.values()) {
    const collection = database.collections._data.get(rid);
    if (collection) return collection;
  }
  return undefined;
}

function apply(account: Account, change: Change): void {
  switch (change.k) {
    case 'db':
      account.databases._restore(change.r, change.d, change.n);
      break;
    case 'coll':
      account.databases._data.get(change.p ?? '')?.collections._restore(change.r, change.d, change.n);
      break;
    case 'doc':
      findCollection(account, change.p ?? '')?.documents._restore(change.r, change.d, change.n);
      break;
  }
}

/** The whole state as changes that rebuild it, parents first. Resources are never mutated in place. */
function capture(account: Account): Change[] {
  const changes: Change[] = [];
  const { databases } = account;
  for (const [dbRid, database] of databases._data) {
    changes.push({ k: 'db', p: null, r: dbRid, d: database.read(), n: databases._ridCount });
    const { collections } = database;
    for (const [collRid, collection] of collections._data) {
      changes.push({ k: 'coll', p: dbRid, r: collRid, d: collection.read(), n: collections._ridCount });
      const { documents } = collection;
      for (const [docRid, document] of documents._data) {
        changes.push({ k: 'doc', p: collRid, r: docRid, d: document.read(), n: documents._ridCount });
      }
    }
  }
  return changes;
}

function chunks<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
