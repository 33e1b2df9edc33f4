/**
 * An append-only journal with group commit, plus snapshots, in one directory: what makes the embedded
 * Cosmos server durable (see persistence.ts). Values are JSON.
 *
 * On disk every record is framed as [payload length: u32 LE][CRC-32 of the payload: u32 LE][payload], so
 * a record torn by a crash (or damaged later) is recognised at start and dropped with everything after it.
 * A record is acknowledged only after it is written and fdatasync'ed; appends that arrive while a sync is
 * running share the next one (group commit). When the journal outgrows the last snapshot, the journal
 * rotates to a new generation and the whole state is written as `snapshot-N.snap.tmp`, synced and
 * renamed to `snapshot-N.snap`; generation N is then `snapshot-N` + `journal-N`, and older files go.
 * Recovery reads the newest complete snapshot and replays every journal of that generation or later.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER_BYTES = 8;
/** A record larger than this is taken for damage, not data (a batch of 100 documents is far below). */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

const journalName = (gen: number) => `journal-${gen}.log`;
const snapshotName = (gen: number) => `snapshot-${gen}.snap`;
const FILE = /^(journal|snapshot)-(\d+)\.(log|snap)$/;

export function frame(value: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** The values of the valid records at the start of `data`, and how many bytes they span. */
export function readFrames(data: Buffer): { values: unknown[]; validBytes: number } {
  const values: unknown[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    const end = offset + HEADER_BYTES + length;
    if (length === 0 || length > MAX_RECORD_BYTES || end > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    try {
      values.push(JSON.parse(payload.toString('utf8')));
    } catch {
      break;
    }
    offset = end;
  }
  return { values, validBytes: offset };
}

export interface JournalOptions {
  /** The journal rotates (and a snapshot is written) once it is larger than this and than the last snapshot. Default 8 MiB. */
  compactBytes?: number;
}

export interface Recovery {
  /** The snapshot's values, then every journal record's value, in order. */
  values: unknown[];
  /** Bytes of a torn or damaged tail that were dropped (0 after a clean stop). */
  droppedBytes: number;
}

interface Pending {
  buffer: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class Journal {
  /** Counters for tests and benchmarks. */
  readonly stats = { records: 0, syncs: 0, snapshots: 0 };

  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private snapshotting: Promise<void> | undefined;
  private snapshotSource: (() => unknown[]) | undefined;
  private failure: Error | undefined;
  private rotateRequested = false;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private gen: number,
    private size: number,
    private snapshotBytes: number,
    private readonly compactBytes: number,
  ) {}

  /** Opens (creating) the journal in `dir` and returns what it held. A torn tail is cut off the file. */
  static async open(dir: string, options: JournalOptions = {}): Promise<{ journal: Journal; recovery: Recovery }> {
    mkdirSync(dir, { recursive: true });
    const journals: number[] = [];
    const snapshots: number[] = [];
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.tmp')) {
        rmSync(join(dir, name), { force: true }); // a snapshot that never completed
        continue;
      }
      const match = FILE.exec(name);
      if (match) (match[1] === 'journal' ? journals : snapshots).push(Number(match[2]));
    }
    const base = snapshots.length ? Math.max(...snapshots) : 0;
    const values: unknown[] = [];
    let snapshotBytes = 0;
    if (snapshots.length) {
      const data = readFileSync(join(dir, snapshotName(base)));
      const read = readFrames(data);
      // A snapshot is renamed into place only once complete and synced: damage here is not a torn write.
      if (read.validBytes !== data.length)
        throw new Error(`${join(dir, snapshotName(base))} is damaged; move it away to start from the journal alone`);
      values.push(...read.values);
      snapshotBytes = data.length;
    }

    const replay = journals.filter((g) => g >= base).sort((a, b) => a - b);
    let droppedBytes = 0;
    let gen = base;
    let size = 0;
    for (let i = 0; i < replay.length; i += 1) {
      const g = replay[i] as number;
      const data = readFileSync(join(dir, journalName(g)));
      const read = readFrames(data);
      values.push(...read.values);
      gen = g;
      size = read.validBytes;
      if (read.validBytes < data.length) {
        // Everything after the first bad record is dropped, later generations included, so the
        // state stays a prefix of what was written.
        droppedBytes += data.length - read.validBytes;
        for (const later of replay.slice(i + 1)) {
          const path = join(dir, journalName(later));
          droppedBytes += readFileSync(path).length;
          rmSync(path);
        }
        break;
      }
    }

    for (const g of journals) if (g < base) rmSync(join(dir, journalName(g)), { force: true });
    for (const g of snapshots) if (g < base) rmSync(join(dir, snapshotName(g)), { force: true });

    const handle = await open(join(dir, journalName(gen)), 'a+');
    if ((await handle.stat()).size !== size) {
      await handle.truncate(size);
      await handle.datasync();
    }
    const journal = new Journal(dir, handle, gen, size, snapshotBytes, options.compactBytes ?? 8 * 1024 * 1024);
    return { journal, recovery: { values, droppedBytes } };
  }

  /**
   * Where compaction reads the whole state from, as the records of a snapshot (keep each one bounded):
   * called synchronously, its values must not change afterwards.
   */
  setSnapshotSource(source: () => unknown[]): void {
    this.snapshotSource = source;
  }

  /** Appends one record; resolves once it is durable. */
  append(value: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const buffer = frame(value);
    const done = new Promise<void>((resolve, reject) => this.queue.push({ buffer, resolve, reject }));
    this.tail = done.catch(() => undefined);
    this.flushing ??= this.flush();
    return done;
  }

  /** Resolves once every record appended so far is durable (or has failed, which its append reported). */
  durable(): Promise<void> {
    return this.tail;
  }

  private async flush(): Promise<void> {
    try {
      for (;;) {
        if (this.queue.length) {
          const batch = this.queue;
          this.queue = [];
          const buffer = batch.length === 1 ? (batch[0] as Pending).buffer : Buffer.concat(batch.map((p) => p.buffer));
          try {
            await writeAll(this.handle, buffer);
            await this.handle.datasync();
          } catch (err) {
            // The file may now end in a partial record: nothing more is appended after it.
            this.failure = err as Error;
            for (const p of [...batch, ...this.queue]) p.reject(this.failure);
            this.queue = [];
            return;
          }
          this.size += buffer.length;
          this.stats.records += batch.length;
          this.stats.syncs += 1;
          for (const p of batch) p.resolve();
        }
        // Rotation happens here, between writes, so no write is ever in flight on the file it closes.
        if (this.rotateRequested || this.shouldCompact()) {
          this.rotateRequested = false;
          await this.rotate();
        }
        if (this.queue.length === 0 && !this.rotateRequested) return;
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private shouldCompact(): boolean {
    return (
      !this.closed &&
      this.snapshotSource !== undefined &&
      this.snapshotting === undefined &&
      this.size > this.compactBytes &&
      this.size > this.snapshotBytes
    );
  }

  /** Starts generation N+1: new appends go to journal-(N+1) at once; snapshot-(N+1) is written beside them. */
  private async rotate(): Promise<void> {
    if (this.snapshotSource === undefined) return;
    await this.snapshotting;
    const values = this.snapshotSource();
    const gen = this.gen + 1;
    const next = await open(join(this.dir, journalName(gen)), 'a+');
    await this.handle.close();
    this.handle = next;
    this.gen = gen;
    this.size = 0;
    this.snapshotting = this.writeSnapshot(gen, values)
      .catch((err: unknown) => {
        // The previous generation's files stay, so recovery still has everything; retried at the next rotation.
        console.error(`cosmos journal: snapshot ${gen} failed: ${(err as Error).message}`);
      })
      .finally(() => {
        this.snapshotting = undefined;
      });
  }

  private async writeSnapshot(gen: number, values: unknown[]): Promise<void> {
    const path = join(this.dir, snapshotName(gen));
    const handle = await open(`${path}.tmp`, 'w');
    let bytes = 0;
    try {
      for (const value of values) {
        const buffer = frame(value);
        await writeAll(handle, buffer);
        bytes += buffer.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${path}.tmp`, path);
    await syncDirectory(this.dir);
    this.snapshotBytes = bytes;
    this.stats.snapshots += 1;
    for (const name of readdirSync(this.dir)) {
      const match = FILE.exec(name);
      if (match && Number(match[2]) < gen) rmSync(join(this.dir, name), { force: true });
    }
  }

  /** Writes a snapshot of the current state now (rotating the journal), and waits for it. */
  async compact(): Promise<void> {
    if (this.closed) throw new Error('the journal is closed');
    this.rotateRequested = true;
    this.flushing ??= this.flush();
    while (this.flushing !== undefined) await this.flushing;
    await this.snapshotting;
  }

  /** Waits for pending appends and any snapshot in progress, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing !== undefined) await this.flushing;
    this.closed = true;
    await this.snapshotting;
    await this.handle.close();
  }
}
