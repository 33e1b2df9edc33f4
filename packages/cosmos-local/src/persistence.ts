/**
 * Durability for the account: every change it records (account.ts) goes to the journal (journal.ts), and
 * the server awaits `commit()` before each response, which writes the changes since the last commit as ONE
 * journal record (so a transactional batch is all or nothing on disk too) and resolves once it is durable.
 * A rolled-back batch takes its changes back out before they are ever written.
 *
 * Changes are states, not operations (kind, parent _rid, _rid, the whole resource or null, the rid counter):
 * replaying them again over a state that already holds them changes nothing, which is what lets a snapshot
 * be taken while later records are still on their way to the journal.
 */
import type { Account, Change } from './account.js';
import { Journal, type JournalOptions } from './journal.js';

/** Changes per snapshot record: bounded records rather than one string for the whole state. */
const SNAPSHOT_RECORD_CHANGES = 1000;

const KINDS = new Set(['db', 'coll', 'doc']);

function isChange(value: unknown): value is Change {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    KINDS.has(c.k as string) &&
    typeof c.r === 'string' &&
    typeof c.n === 'number' &&
    (c.p === null || typeof c.p === 'string') &&
    typeof c.d === 'object'
  );
}

export class Persistence {
  private constructor(
    private readonly journal: Journal,
    private readonly account: Account,
    /** Bytes of a torn or damaged journal tail dropped at open (0 after a clean stop or a clean crash). */
    readonly droppedBytes: number,
  ) {}

  /** Opens the journal in `dir`, restores what it holds into `account`, and keeps it up to date from then on. */
  static async open(dir: string, account: Account, options: JournalOptions = {}): Promise<Persistence> {
    const { journal, recovery } = await Journal.open(dir, options);
    for (const record of recovery.values) {
      if (!Array.isArray(record)) continue;
      for (const change of record) if (isChange(change)) account.apply(change);
    }
    journal.setSnapshotSource(() => chunks(account.capture(), SNAPSHOT_RECORD_CHANGES));
    return new Persistence(journal, account, recovery.droppedBytes);
  }

  /** Counters for tests and benchmarks. */
  get stats(): Journal['stats'] {
    return this.journal.stats;
  }

  /** Resolves once every change the account made so far is durable. */
  commit(): Promise<void> {
    const changes = this.account.takeChanges();
    return changes.length === 0 ? this.journal.durable() : this.journal.append(changes);
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

function chunks<T>(values: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
