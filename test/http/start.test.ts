import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  embeddedConnectionString,
  ensureBuilt,
  freePort,
  projectFolder,
  removeProjectFolders,
  runTokenCli,
  start,
  type Started,
} from '../support/start.js';
import { TEST_TENANT, tokenFor } from '../support/tokens.js';

/**
 * `npm start` as a user runs it (see test/support/start.ts): what it prints, that it serves the API over the
 * embedded Cosmos server, where it keeps its data, and that Ctrl-C stops everything.
 */
beforeAll(() => ensureBuilt(), 180_000);
afterAll(() => removeProjectFolders());

const PROFILE = 'onPremisesPublishingProfiles/applicationProxy';

describe('npm start (durable, the default)', () => {
  let run: Started;
  let cwd = '';
  let base = '';

  beforeAll(async () => {
    cwd = projectFolder();
    const [port, cosmosPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    run = await start({ cwd, env: { PORT: String(port), COSMOS_CONNECTION_STRING: embeddedConnectionString(cosmosPort) } });
  }, 60_000);

  afterAll(() => {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
  });

  it('prints which host runs, where the data is kept, the base URL, how to get a token and the request log', () => {
    const output = run.output();
    expect(output).toContain("Host: the project's local Functions host");
    expect(output).toMatch(
      /Embedded Cosmos DB server: http:\/\/127\.0\.0\.1:\d+\/ \(data kept in \.local\/cosmos; npm start -- --in-memory keeps none\)/,
    );
    expect(output).toMatch(/Base URL: http:\/\/localhost:\d+\/beta/);
    expect(output).toContain('npm run token');
    expect(output).toContain('Each request is logged below');
  });

  it('makes the data folder and a paging key readable by this user only, under .local/', () => {
    expect(statSync(path.join(cwd, '.local/cosmos')).isDirectory()).toBe(true);
    const key = statSync(path.join(cwd, '.local/paging-key'));
    expect(key.mode & 0o777).toBe(0o600);
    expect(key.size).toBeGreaterThanOrEqual(32);
  });

  it('serves the API over the embedded Cosmos server', async () => {
    const auth = { authorization: `Bearer ${await tokenFor(TEST_TENANT)}`, 'content-type': 'application/json' };
    const created = await fetch(`${base}/beta/${PROFILE}/connectorGroups`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'started', region: 'asia' }),
    });
    expect(created.status).toBe(201);
    const group = (await created.json()) as { id: string };
    const list = await fetch(`${base}/v1.0/${PROFILE}/connectorGroups?$filter=region eq 'asia'`, { headers: auth });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { value: { id: string }[] }).value.map((g) => g.id)).toEqual([group.id]);
    const unknown = await fetch(`${base}/beta/nothing/here`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('Request_ResourceNotFound');
  });

  it('logs one line per request: method, path without its query, status, duration, request-id; never the token', async () => {
    const token = await tokenFor(TEST_TENANT);
    const reply = await fetch(`${base}/v1.0/${PROFILE}/connectorGroups?$filter=name eq 'Private Name 42'&$top=1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(reply.status).toBe(200);
    const requestId = reply.headers.get('request-id')!;
    const deadline = Date.now() + 10_000;
    while (!run.output().includes(requestId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = run
      .output()
      .split('\n')
      .filter((line) => line.includes(requestId));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^\\[\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\] GET /v1\\.0/${PROFILE}/connectorGroups 200 \\d+ms request-id=${requestId}$`),
    );
    expect(run.output()).toMatch(new RegExp(`\\] POST /beta/${PROFILE}/connectorGroups 201 \\d+ms request-id=[0-9a-f-]{36}\n`));
    expect(run.output()).not.toContain('Private Name');
    expect(run.output()).not.toContain(token.split('.')[2]);
  });

  it('stops everything on Ctrl-C', async () => {
    expect(await run.stop()).toBe(0);
    await expect(fetch(`${base}/beta/${PROFILE}`)).rejects.toThrow();
  });
});

describe('npm start in memory', () => {
  for (const [name, args, env] of [
    ['--in-memory', ['--in-memory'], {}],
    ['LOCAL_COSMOS_IN_MEMORY=true', [], { LOCAL_COSMOS_IN_MEMORY: 'true' }],
  ] as const) {
    it(`${name} keeps nothing on disk and says so`, async () => {
      const cwd = projectFolder();
      const run = await start({
        cwd,
        args: [...args],
        env: { ...env, PORT: String(await freePort()), COSMOS_CONNECTION_STRING: embeddedConnectionString(await freePort()) },
      });
      try {
        expect(run.output()).toMatch(/Embedded Cosmos DB server: http:\/\/127\.0\.0\.1:\d+\/ \(in memory: its data is gone at exit\)/);
        expect(existsSync(path.join(cwd, '.local/cosmos'))).toBe(false);
        expect(existsSync(path.join(cwd, '.local/paging-key'))).toBe(false);
      } finally {
        expect(await run.stop()).toBe(0);
      }
    });
  }
});

describe('npm start and npm run token read the same settings', () => {
  it('a LOCAL_KEYS_DIR set only in local.settings.json: the token npm run token prints is one npm start accepts', async () => {
    const cwd = projectFolder();
    writeFileSync(
      path.join(cwd, 'local.settings.json'),
      JSON.stringify({ IsEncrypted: false, Values: { LOCAL_KEYS_DIR: 'keys-from-settings' } }),
    );
    const port = await freePort();
    // neither process gets LOCAL_KEYS_DIR from its environment
    const run = await start({
      cwd,
      args: ['--in-memory'],
      env: { LOCAL_KEYS_DIR: undefined, PORT: String(port), COSMOS_CONNECTION_STRING: embeddedConnectionString(await freePort()) },
    });
    try {
      const token = runTokenCli(cwd).trim();
      expect(existsSync(path.join(cwd, 'keys-from-settings'))).toBe(true);
      expect(existsSync(path.join(cwd, '.local/keys'))).toBe(false);
      const list = await fetch(`http://127.0.0.1:${port}/beta/${PROFILE}/connectorGroups`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(list.status, await list.clone().text()).toBe(200);
      // the environment still wins over the file, for both
      const elsewhere = runTokenCli(cwd, [], { LOCAL_KEYS_DIR: 'other-keys' }).trim();
      expect(existsSync(path.join(cwd, 'other-keys'))).toBe(true);
      expect(
        (await fetch(`http://127.0.0.1:${port}/beta/${PROFILE}/connectorGroups`, { headers: { authorization: `Bearer ${elsewhere}` } }))
          .status,
      ).toBe(401);
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });
});
