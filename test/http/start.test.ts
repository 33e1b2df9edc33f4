import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_KEYS_DIR, TEST_TENANT, tokenFor } from '../support/tokens.js';

/**
 * `npm start` as a user runs it: the compiled launcher under plain Node (no vitest transforms), with the
 * embedded Cosmos server it starts itself, answering real requests, and gone after Ctrl-C.
 */
let child: ChildProcess | undefined;
let output = '';
let base = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const [port, cosmosPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['dist/src/local/start.js'], {
    env: {
      PATH: '', // no Core Tools on this PATH: the local host must serve
      PORT: String(port),
      LOCAL_KEYS_DIR: TEST_KEYS_DIR,
      COSMOS_CONNECTION_STRING: `AccountEndpoint=http://127.0.0.1:${cosmosPort}/;AccountKey=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;`,
    },
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), 30_000);
    child!.stdout!.on('data', () => output.includes('Ctrl-C') && (clearTimeout(timer), resolve()));
    child!.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

it('prints which host runs, the base URL and how to get a token', () => {
  expect(output).toContain("Host: the project's local Functions host");
  expect(output).toMatch(/Base URL: http:\/\/localhost:\d+\/beta/);
  expect(output).toContain('npm run token');
  expect(output).toContain(`Embedded Cosmos DB server: http://127.0.0.1:`);
});

it('serves the API over the embedded Cosmos server', async () => {
  const auth = { authorization: `Bearer ${await tokenFor(TEST_TENANT)}`, 'content-type': 'application/json' };
  const created = await fetch(`${base}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'started', region: 'asia' }),
  });
  expect(created.status).toBe(201);
  const group = (await created.json()) as { id: string };
  const list = await fetch(`${base}/v1.0/onPremisesPublishingProfiles/applicationProxy/connectorGroups?$filter=region eq 'asia'`, { headers: auth });
  expect(list.status).toBe(200);
  expect(((await list.json()) as { value: { id: string }[] }).value.map((g) => g.id)).toEqual([group.id]);
  const unknown = await fetch(`${base}/beta/nothing/here`, { headers: auth });
  expect(unknown.status).toBe(404);
  expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('Request_ResourceNotFound');
});

it('stops everything on Ctrl-C', async () => {
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  child!.kill('SIGINT');
  expect(await exited).toBe(0);
  await expect(fetch(`${base}/beta/onPremisesPublishingProfiles/applicationProxy`)).rejects.toThrow();
});
