/**
 * The local host's logging: a function's own logs reach the `log` option with their level, and a request no
 * function answered still gets its one request log line. Without a `log` option nothing but errors is printed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouteTable } from '../../src/host/index.js';
import { startLocalHost, type LocalHost } from '../../src/local/host.js';

const table = new RouteTable(
  [
    {
      name: 'ok',
      route: 'ok',
      methods: ['GET'],
      handler: async (_req, context) => {
        context.info('line from the function');
        return { status: 200 };
      },
    },
    { name: 'boom', route: 'boom', methods: ['GET'], handler: async () => Promise.reject(new Error('broken handler')) },
  ],
  '',
);

let host: LocalHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  vi.restoreAllMocks();
});

async function logged(paths: string[]) {
  const lines: [string, string][] = [];
  host = await startLocalHost(table, { log: (level, ...args) => lines.push([level, args.map(String).join(' ')]) });
  const statuses = [];
  for (const path of paths) statuses.push((await fetch(`${host.url}${path}`)).status);
  return { lines, statuses };
}

describe('local host logging', () => {
  it("passes a function's logs on with their level and adds no line of its own", async () => {
    const { lines, statuses } = await logged(['/ok?secret=s3cr3t']);
    expect(statuses).toEqual([200]);
    expect(lines).toEqual([['information', 'line from the function']]);
  });

  it('logs one line, without the query string, for a request no function answered', async () => {
    const { lines, statuses } = await logged(['/nowhere/at/all?access_token=s3cr3t']);
    expect(statuses).toEqual([404]);
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toBe('information');
    expect(lines[0]![1]).toMatch(/^GET \/nowhere\/at\/all 404 \d+ms request-id=-$/);
  });

  it('logs the failure and the 500 line when a function throws past its wrapper', async () => {
    const { lines, statuses } = await logged(['/boom']);
    expect(statuses).toEqual([500]);
    expect(lines.map(([level]) => level)).toEqual(['error', 'information']);
    expect(lines[0]![1]).toContain('broken handler');
    expect(lines[1]![1]).toMatch(/^GET \/boom 500 \d+ms request-id=-$/);
  });

  it('prints nothing for requests by default (tests stay quiet)', async () => {
    const printed = vi.fn();
    for (const name of ['log', 'info', 'warn', 'error'] as const) vi.spyOn(console, name).mockImplementation(printed);
    host = await startLocalHost(table);
    expect((await fetch(`${host.url}/ok`)).status).toBe(200);
    expect((await fetch(`${host.url}/nowhere`)).status).toBe(404);
    expect(printed).not.toHaveBeenCalled();
  });
});
