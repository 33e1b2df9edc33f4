/**
 * The journal under the durable embedded Cosmos server: framing, group commit, torn or damaged tails,
 * snapshots and the recovery rules, on real files in a temporary directory.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { frame, Journal, readFrames } from '../src/journal.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journal-test-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function appendAll(values: unknown[]): Promise<void> {
  const { journal } = await Journal.open(dir);
  for (const value of values) await journal.append(value);
  await journal.close();
}

async function reopen(): Promise<{ values: unknown[]; droppedBytes: number }> {
  const { journal, recovery } = await Journal.open(dir);
  await journal.close();
  return recovery;
}

const files = () => readdirSync(dir).sort();

describe('framing', () => {
  it('reads back what it framed and stops at the first damaged record', () => {
    const data = Buffer.concat([frame({ a: 1 }), frame(['b']), frame('c')]);
    expect(readFrames(data)).toEqual({ values: [{ a: 1 }, ['b'], 'c'], validBytes: data.length });

    const damaged = Buffer.from(data);
    const secondPayload = frame({ a: 1 }).length + 8;
    damaged[secondPayload] = (damaged[secondPayload] as number) ^ 0xff;
    expect(readFrames(damaged)).toEqual({ values: [{ a: 1 }], validBytes: frame({ a: 1 }).length });

    expect(readFrames(data.subarray(0, data.length - 1)).values).toEqual([{ a: 1 }, ['b']]);
    expect(readFrames(Buffer.alloc(0))).toEqual({ values: [], validBytes: 0 });
  });
});

describe('journal', () => {
  it('returns every appended value, in order, after a reopen', async () => {
    await appendAll([{ n: 1 }, { n: 2 }]);
    await appendAll([{ n: 3 }]);
    expect(await reopen()).toEqual({ values: [{ n: 1 }, { n: 2 }, { n: 3 }], droppedBytes: 0 });
  });

  it('lets appends that arrive during a sync share the next one (group commit)', async () => {
    const { journal } = await Journal.open(dir);
    // The first append starts a write at once; the other 49 queue behind it and go in one more write.
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append({ i })));
    expect(journal.stats).toMatchObject({ records: 50, syncs: 2 });
    await journal.close();
    expect((await reopen()).values).toHaveLength(50);
  });

  it('durable() waits for what was appended before it', async () => {
    const { journal } = await Journal.open(dir);
    let appended = false;
    void journal.append({ late: true }).then(() => (appended = true));
    await journal.durable();
    expect(appended).toBe(true);
    await journal.close();
  });

  it('drops a torn last record at open, cuts it off the file, and appends after the good ones', async () => {
    await appendAll([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const path = join(dir, 'journal-0.log');
    const full = statSync(path).size;
    truncateSync(path, full - 3);

    const { journal, recovery } = await Journal.open(dir);
    expect(recovery.values).toEqual([{ n: 1 }, { n: 2 }]);
    expect(recovery.droppedBytes).toBe(frame({ n: 3 }).length - 3);
    expect(statSync(path).size).toBe(full - frame({ n: 3 }).length);
    await journal.append({ n: 4 });
    await journal.close();
    expect(await reopen()).toEqual({ values: [{ n: 1 }, { n: 2 }, { n: 4 }], droppedBytes: 0 });
  });

  it('drops a tail of garbage or a record whose checksum does not match', async () => {
    await appendAll([{ n: 1 }, { n: 2 }]);
    const path = join(dir, 'journal-0.log');
    appendFileSync(path, Buffer.from([7, 0, 0, 0, 1, 2, 3, 4, 5]));
    expect((await reopen()).values).toEqual([{ n: 1 }, { n: 2 }]);

    const data = readFileSync(path);
    data[data.length - 2] = (data[data.length - 2] as number) ^ 0x01; // inside { n: 2 }'s payload
    writeFileSync(path, data);
    const recovery = await reopen();
    expect(recovery.values).toEqual([{ n: 1 }]);
    expect(recovery.droppedBytes).toBe(frame({ n: 2 }).length);
  });

  it('rotates into a snapshot once the journal outgrows it, and recovers snapshot + newer records', async () => {
    const { journal } = await Journal.open(dir, { compactBytes: 100 });
    const state: number[] = [];
    journal.setSnapshotSource(() => [{ state: [...state] }]);
    for (let i = 0; i < 20; i += 1) {
      state.push(i);
      await journal.append({ push: i });
    }
    await journal.close();
    expect(journal.stats.snapshots).toBeGreaterThan(0);
    expect(files().some((f) => f.startsWith('snapshot-'))).toBe(true);
    expect(files().filter((f) => f.startsWith('journal-'))).toHaveLength(1);

    const { values } = await reopen();
    const [snapshot, ...rest] = values as [{ state: number[] }, ...{ push: number }[]];
    // Replaying the newer records over the snapshot rebuilds the state exactly.
    const rebuilt = new Set(snapshot.state);
    for (const r of rest) rebuilt.add(r.push);
    expect([...rebuilt]).toEqual(state);
  });

  it('compact() writes a snapshot of the current state and leaves an empty journal', async () => {
    const { journal } = await Journal.open(dir);
    journal.setSnapshotSource(() => [{ all: ['a', 'b'] }]);
    await journal.append({ add: 'a' });
    await journal.append({ add: 'b' });
    await journal.compact();
    await journal.close();
    expect(files()).toEqual(['journal-1.log', 'snapshot-1.snap']);
    expect(statSync(join(dir, 'journal-1.log')).size).toBe(0);
    expect(await reopen()).toEqual({ values: [{ all: ['a', 'b'] }], droppedBytes: 0 });
  });

  it('recovers from a crash during a snapshot: the unfinished .tmp is ignored, both journals replayed', async () => {
    writeFileSync(join(dir, 'journal-3.log'), Buffer.concat([frame('a'), frame('b')]));
    writeFileSync(join(dir, 'journal-4.log'), frame('c'));
    writeFileSync(join(dir, 'snapshot-4.snap.tmp'), frame('half').subarray(0, 5));
    expect(await reopen()).toEqual({ values: ['a', 'b', 'c'], droppedBytes: 0 });
    expect(existsSync(join(dir, 'snapshot-4.snap.tmp'))).toBe(false);
  });

  it('starts from the newest snapshot, removes older generations, and drops later journals after a damaged one', async () => {
    writeFileSync(join(dir, 'snapshot-2.snap'), frame('old state'));
    writeFileSync(join(dir, 'journal-2.log'), frame('old change'));
    writeFileSync(join(dir, 'snapshot-3.snap'), frame('state'));
    writeFileSync(join(dir, 'journal-3.log'), Buffer.concat([frame('x'), Buffer.from('garbage!')]));
    writeFileSync(join(dir, 'journal-4.log'), frame('y'));
    const recovery = await reopen();
    expect(recovery.values).toEqual(['state', 'x']);
    expect(recovery.droppedBytes).toBe(8 + frame('y').length);
    expect(files()).toEqual(['journal-3.log', 'snapshot-3.snap']);
  });

  it('refuses to start from a damaged snapshot', async () => {
    writeFileSync(join(dir, 'snapshot-1.snap'), Buffer.concat([frame('a'), Buffer.from('zz')]));
    await expect(Journal.open(dir)).rejects.toThrow(/damaged/);
  });
});
