import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedConnectionString, ensureBuilt, freePort, launch, occupy, projectFolder, removeProjectFolders } from '../support/start.js';

/**
 * `npm start` failing at start-up: one message that names what failed and what to do, exit code 1, and
 * nothing left running (the ports it opened are free again).
 */
beforeAll(() => ensureBuilt(), 180_000);
afterAll(() => removeProjectFolders());

async function failure(options: { args?: string[]; env?: Record<string, string>; files?: Record<string, string> }) {
  const cwd = projectFolder();
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(path.join(cwd, name), text);
  const [port, cosmosPort] = [await freePort(), await freePort()];
  const run = launch({
    cwd,
    args: options.args,
    env: { PORT: String(port), COSMOS_CONNECTION_STRING: embeddedConnectionString(cosmosPort), ...options.env },
  });
  const code = await run.exited;
  const output = run.output();
  expect(code, output).toBe(1);
  // Whatever it started before failing is closed: both ports can be taken again.
  for (const p of [port, cosmosPort]) await occupy(p).then((s) => new Promise((resolve) => s.close(resolve)));
  return { output, cwd };
}

describe('a port in use', () => {
  let taken: Server;
  let takenPort = 0;
  beforeAll(async () => {
    takenPort = await freePort();
    taken = await occupy(takenPort);
  });
  afterAll(() => new Promise((resolve) => taken.close(resolve)));

  it("names the service's HTTP port and PORT", async () => {
    const { output } = await failure({ env: { PORT: String(takenPort) } });
    expect(output).toContain(`npm start: The service's HTTP port cannot listen on 127.0.0.1:${takenPort}: the port is in use`);
    expect(output).toContain(`set PORT to another port (e.g. PORT=${takenPort + 1} npm start)`);
    expect(output).not.toContain('    at '); // no stack trace
  });

  it("names the service's HTTPS port and HTTPS_PORT", async () => {
    const { output } = await failure({ env: { HTTPS_PORT: String(takenPort), LOCAL_TLS_DIR: path.resolve('.local/tls') } });
    expect(output).toContain(`npm start: The service's HTTPS port cannot listen on 127.0.0.1:${takenPort}: the port is in use`);
    expect(output).toContain('set HTTPS_PORT to another port');
  });

  it('names the embedded Cosmos DB server and the connection string that moves it', async () => {
    const { output } = await failure({ env: { COSMOS_CONNECTION_STRING: embeddedConnectionString(takenPort) } });
    expect(output).toContain(`npm start: The embedded Cosmos DB server cannot listen on 127.0.0.1:${takenPort}: the port is in use`);
    expect(output).toContain(`COSMOS_CONNECTION_STRING=AccountEndpoint=http://127.0.0.1:${takenPort + 1}/;AccountKey=`);
  });
});

describe('other start-up failures say what to do', () => {
  it('local.settings.json that is not JSON', async () => {
    const { output } = await failure({ files: { 'local.settings.json': '{ "Values": { "PORT": 7071, } ' } });
    expect(output).toMatch(
      /npm start: local\.settings\.json is not valid JSON \(.+\): fix it, or copy local\.settings\.sample\.json over it\./,
    );
  });

  it('a setting in local.settings.json that is not a string', async () => {
    const { output } = await failure({ files: { 'local.settings.json': '{ "Values": { "HTTPS_PORT": 7443 } }' } });
    expect(output).toContain('npm start: local.settings.json: the value of HTTPS_PORT must be a string (write "7443" in quotes).');
  });

  it('a malformed port or flag', async () => {
    expect((await failure({ env: { PORT: '70000' } })).output).toContain(
      'npm start: PORT must be a port number from 1 to 65535, not "70000".',
    );
    expect((await failure({ env: { LOCAL_COSMOS_IN_MEMORY: 'yes please' } })).output).toContain(
      'npm start: LOCAL_COSMOS_IN_MEMORY must be true or false',
    );
  });

  it('an invalid service setting, from either source', async () => {
    const { output } = await failure({ files: { 'local.settings.json': '{ "Values": { "AUTH_MODE": "kerberos" } }' } });
    expect(output).toContain('npm start: Invalid settings:');
    expect(output).toContain('AUTH_MODE');
    expect(output).toContain('Set them in the environment or in the "Values" of local.settings.json');
  });

  it('a data folder that cannot be written', async () => {
    const { output } = await failure({ files: { blocker: 'a file, not a folder' }, env: { LOCAL_COSMOS_DIR: 'blocker/cosmos' } });
    expect(output).toMatch(
      /npm start: Cannot write blocker\/cosmos \(\w+\), where the embedded Cosmos DB server keeps its data: make it writable, set LOCAL_COSMOS_DIR to a writable folder, or run with npm start -- --in-memory\./,
    );
  });

  it('a .local/ that cannot be written', async () => {
    const { output } = await failure({ files: { '.local': 'a file, not a folder' } });
    expect(output).toMatch(/npm start: Cannot write \.local\/paging-key \(\w+\): make \.local\/ writable, or set PAGING_KEY/);
  });

  it('an unknown argument, with the usage', async () => {
    const { output } = await failure({ args: ['--in-memroy'] });
    expect(output).toContain('npm start: Unknown argument "--in-memroy".');
    expect(output).toContain('--in-memory   keep the embedded server');
  });

  it('a folder that is not the project', async () => {
    const cwd = projectFolder();
    mkdirSync(path.join(cwd, 'elsewhere'));
    const run = launch({
      cwd: path.join(cwd, 'elsewhere'),
      args: ['--in-memory'],
      env: { PORT: String(await freePort()), COSMOS_CONNECTION_STRING: embeddedConnectionString(await freePort()) },
    });
    expect(await run.exited, run.output()).toBe(1);
    expect(run.output()).toContain("run npm start in the project's folder (where host.json is)");
  });
});
