import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  embeddedConnectionString,
  ensureBuilt,
  freePort,
  projectFolder,
  removeProjectFolders,
  start,
  type Started,
} from '../support/start.js';
import { TEST_TENANT, tokenFor } from '../support/tokens.js';

/**
 * `npm start` run after run in one project folder: by default every acknowledged write and every nextLink
 * outlives Ctrl-C and SIGKILL (the embedded server keeps its data in .local/cosmos, the paging key in
 * .local/paging-key); with --in-memory every run starts empty.
 */
const GROUPS = '/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups';
let auth: Record<string, string>;
const running: Started[] = [];

beforeAll(async () => {
  ensureBuilt();
  auth = { authorization: `Bearer ${await tokenFor(TEST_TENANT)}`, 'content-type': 'application/json' };
}, 180_000);

afterAll(() => {
  for (const run of running) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  removeProjectFolders();
});

/** One project folder and one pair of ports, started as often as a test likes. */
async function project(args: string[] = []) {
  const cwd = projectFolder();
  const [port, cosmosPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    async start() {
      const run = await start({ cwd, args, env: { PORT: String(port), COSMOS_CONNECTION_STRING: embeddedConnectionString(cosmosPort) } });
      running.push(run);
      expect(run.child.exitCode, run.output()).toBeNull();
      return run;
    },
    async createGroup(name: string): Promise<string> {
      const reply = await fetch(`${base}${GROUPS}`, { method: 'POST', headers: auth, body: JSON.stringify({ name }) });
      expect(reply.status, await reply.clone().text()).toBe(201);
      return ((await reply.json()) as { id: string }).id;
    },
    status: async (id: string) => (await fetch(`${base}${GROUPS}/${id}`, { headers: auth })).status,
  };
}

it('keeps every group and every nextLink across Ctrl-C and a new npm start', async () => {
  const p = await project();
  let run = await p.start();
  const ids = [await p.createGroup('durable-a'), await p.createGroup('durable-b'), await p.createGroup('durable-c')];
  const first = (await (
    await fetch(`${p.base}${GROUPS}?$filter=startswith(name,'durable-')&$orderby=name&$top=1`, { headers: auth })
  ).json()) as {
    value: { name: string }[];
    '@odata.nextLink': string;
  };
  expect(first.value.map((g) => g.name)).toEqual(['durable-a']);
  expect(await run.stop()).toBe(0);

  run = await p.start();
  for (const id of ids) expect(await p.status(id)).toBe(200);
  const next = await fetch(first['@odata.nextLink'], { headers: auth });
  expect(next.status).toBe(200);
  expect(((await next.json()) as { value: { name: string }[] }).value.map((g) => g.name)).toEqual(['durable-b']);
  expect(await run.stop()).toBe(0);
}, 180_000);

it('keeps an acknowledged write when the process is killed (SIGKILL) right after', async () => {
  const p = await project();
  const run = await p.start();
  const id = await p.createGroup('survives-sigkill');
  run.child.kill('SIGKILL');
  await run.exited;
  const again = await p.start();
  expect(await p.status(id)).toBe(200);
  expect(await again.stop()).toBe(0);
}, 180_000);

it('starts empty on every --in-memory run', async () => {
  const p = await project(['--in-memory']);
  const run = await p.start();
  const id = await p.createGroup('forgotten');
  expect(await run.stop()).toBe(0);
  const again = await p.start();
  expect(await p.status(id)).toBe(404);
  expect(await again.stop()).toBe(0);
}, 180_000);
