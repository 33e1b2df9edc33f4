/**
 * `npm run smoke -- <base-url>`: a short round against a deployed (or local) service with the bearer token in
 * TOKEN: create a group and a connector, move the connector into the group, list the group's members,
 * delete both. Prints each step; whatever it created is deleted even when a step fails. Exit 0 when every
 * step passed, 1 when one failed, 2 for bad arguments.
 */
import { randomUUID } from 'node:crypto';
import { isEntryPoint } from './entry.js';

export interface SmokeOptions {
  /** The service root (`https://<app>.azurewebsites.net`), optionally ending in `/beta` or `/v1.0`. */
  baseUrl: string;
  token: string;
  log: (line: string) => void;
  fetch?: typeof fetch;
}

class StepFailed extends Error {}

export async function runSmoke(options: SmokeOptions): Promise<boolean> {
  const send = options.fetch ?? fetch;
  const root = options.baseUrl.replace(/\/+$/, '');
  const versioned = /\/(beta|v1\.0)$/.test(root) ? root : `${root}/beta`;
  const profile = `${versioned}/onPremisesPublishingProfiles/applicationProxy`;
  const tag = `smoke-${randomUUID().slice(0, 8)}`;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function step(title: string, method: string, path: string, expected: number[], body?: unknown): Promise<any> {
    const started = Date.now();
    let status = 0;
    let text = '';
    try {
      const res = await send(`${profile}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      text = error instanceof Error ? error.message : String(error);
    }
    const ok = expected.includes(status);
    options.log(`${ok ? 'ok  ' : 'FAIL'} ${title}: ${method} ${path} -> ${status || 'no response'} (${Date.now() - started} ms)`);
    if (!ok) throw new StepFailed(`${title} answered ${status || 'nothing'}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : undefined;
  }

  let groupId: string | undefined;
  let connectorId: string | undefined;
  let passed = false;
  try {
    groupId = (await step(`create connector group ${tag}`, 'POST', '/connectorGroups', [201], { name: tag })).id;
    connectorId = (
      await step(`create connector ${tag}.example.com`, 'POST', '/connectors', [201], {
        machineName: `${tag}.example.com`,
        externalIp: '203.0.113.10',
      })
    ).id;
    await step('move the connector into the group', 'POST', `/connectors/${connectorId}/memberOf/$ref`, [201, 204], {
      '@odata.id': `${profile}/connectorGroups/${groupId}`,
    });
    const members = await step("list the group's members", 'GET', `/connectorGroups/${groupId}/members`, [200]);
    const ids = (members.value as { id: string }[]).map((m) => m.id);
    if (ids.length !== 1 || ids[0] !== connectorId) {
      options.log(`FAIL the group's members are [${ids.join(', ')}], expected [${connectorId}]`);
      throw new StepFailed('the moved connector is not the one member of the group');
    }
    await step('delete the connector', 'DELETE', `/connectors/${connectorId}`, [204]);
    connectorId = undefined;
    await step('delete the connector group', 'DELETE', `/connectorGroups/${groupId}`, [204]);
    groupId = undefined;
    passed = true;
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    options.log(`     ${error.message}`);
  } finally {
    // Clean up after a failure: the connector first, since a group with members cannot be deleted.
    for (const [kind, id] of [
      ['connectors', connectorId],
      ['connectorGroups', groupId],
    ] as const) {
      if (id === undefined) continue;
      await step(`clean up ${kind}/${id}`, 'DELETE', `/${kind}/${id}`, [204, 404]).catch((error: unknown) => {
        if (!(error instanceof StepFailed)) throw error;
      });
    }
  }
  options.log(passed ? 'smoke passed' : 'smoke FAILED');
  return passed;
}

export const USAGE = `Usage: TOKEN=<bearer token> npm run smoke -- <base-url>

Runs create -> move -> list -> delete against the service at <base-url> (for example
https://<app>.azurewebsites.net or http://localhost:7071), printing each step and cleaning up after itself.
`;

export async function main(argv: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<number> {
  const [baseUrl, ...rest] = argv;
  if (baseUrl === undefined || rest.length > 0 || !/^https?:\/\/[^/]+/.test(baseUrl)) {
    log(USAGE);
    return 2;
  }
  const token = env.TOKEN?.trim();
  if (!token) {
    log('smoke: set TOKEN to a bearer token for the API (docs/DEPLOY.md shows how to get one).');
    return 2;
  }
  return (await runSmoke({ baseUrl, token, log })) ? 0 : 1;
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2), process.env, (line) => console.log(line));
}
