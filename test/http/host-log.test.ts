/**
 * The local host's logging: a function's own logs reach the `log` option with their level, and a request no
 * function answered still gets its one request log line. Without a `log` option nothing but errors is printed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouteTable } from '../../src/host/index.js';
import { startLocalHost, type LocalHost } from '../../src/local/host.js';
import { PROFILE, startTestApp } from '../support/app.js';

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

describe('what a request carries cannot forge or restyle a log line', () => {
  /** Every character class a terminal or log viewer acts on, each with a forged line after it. */
  const HOSTILE = {
    'C0 (vertical tab)': '\u000b',
    'C0 (form feed)': '\u000c',
    'C0 (CR LF)': '\r\n',
    'C0 (NUL)': '\u0000',
    DEL: '\u007f',
    'C1 (NEL)': '\u0085',
    'C1 (CSI)': '\u009b2K',
    'ANSI escape': '\u001b[2K\u001b[1A\r',
    'format (LRM)': '\u200e',
    'format (RLO)': '\u202e',
    'format (zero-width space)': '\u200b',
    'line separator': '\u2028',
    'paragraph separator': '\u2029',
    'other space (NBSP)': '\u00a0',
  };
  const FORGED = 'DELETE /beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups/x 204 1ms';
  /** What no log line may carry raw, written out independently of the service's pattern. */
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const RAW = /[\u0000-\u001f\u007f-\u009f\u00a0\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u206f\ufeff]/;

  /** `text` as the log must show it: each character of RAW as `\u{hex}`. */
  const escaped = (text: string) => [...text].map((c) => (RAW.test(c) ? `\\u{${c.codePointAt(0)!.toString(16)}}` : c)).join('');

  it('escapes $batch item ids and paths of every class, and keeps each line one line', async () => {
    const lines: string[] = [];
    const t = await startTestApp({ log: (_level, ...args) => lines.push(args.map(String).join(' ')) });
    try {
      const groups = `${PROFILE.slice(5)}/connectorGroups`;
      const byId = Object.values(HOSTILE).map((chars, i) => ({ id: `${i}${chars}${FORGED}`, method: 'GET', url: `${groups}?$top=1` }));
      const r = await t.call('POST', '/beta/$batch', { body: { requests: byId } });
      expect(r.status, r.text).toBe(200);
      // the answer keeps each id as sent; only the log escapes it. Ids no header can carry are refused (400), unlogged.
      const ran = r.body.responses.filter((x: { status: number }) => x.status === 200).map((x: { id: string }) => x.id);
      for (const cls of ['C0 (vertical tab)', 'C0 (form feed)', 'DEL', 'C1 (NEL)', 'C1 (CSI)', 'other space (NBSP)'] as const) {
        expect(ran).toContain(byId[Object.keys(HOSTILE).indexOf(cls)]!.id);
      }
      for (const id of ran)
        expect(
          lines.filter((line) => line.startsWith(`batch item "${escaped(id)}": GET /beta/`)),
          id,
        ).toHaveLength(1);

      const byPath = Object.values(HOSTILE).map((chars, i) => ({ id: `p${i}`, method: 'GET', url: `${groups}/${chars}${FORGED}` }));
      expect((await t.call('POST', '/beta/$batch', { body: { requests: byPath } })).status).toBe(200);
      expect(lines.filter((line) => /^batch item "p\d+": GET \/beta\/\S+ (400|404) \d+ms request-id=[\w-]+$/.test(line))).toHaveLength(
        byPath.length,
      );

      expect(lines.filter((line) => line.startsWith('POST /beta/$batch 200 '))).toHaveLength(2);
      for (const line of lines) expect(RAW.test(line), JSON.stringify(line)).toBe(false);
    } finally {
      await t.close();
    }
  });
});
