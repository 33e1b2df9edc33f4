/**
 * Throughput, latency and CPU per request of the service against the thinnest honest baseline
 * (`baseline.ts`) and against the floor (`floor.ts`), measured side by side in this run. The floor is the
 * baseline's own code and Cosmos calls served as one Functions function through the local host, so it pays
 * what the Functions worker and host pay in Azure too, for any service: the `HttpRequest` (an undici
 * `Request` with a web stream for its body), the `InvocationContext`, the body read through
 * `req.arrayBuffer()`. No service code can go under it; the service's cost above it ('own/base':
 * (service − floor) / baseline CPU per request) is what its own code spends.
 * Each runs in its own child process, with its own embedded Cosmos server in another (`load-cosmos.ts`, one
 * per target, over identical data from `fixture.ts`), so a target's CPU per request is its own: the Cosmos
 * server's request parsing, SQL engine and index upkeep are Cosmos DB's work in Azure, not the Function's,
 * and are in none of the figures. This process only generates load, with autocannon. For each
 * round, each scenario and each number of requests in flight, the baseline, the floor, then the service
 * get the same load for the same time, in the reverse order every other round (the machine's speed drifts
 * over seconds, and a fixed order would hand the drift to one side); the figures reported are medians over
 * rounds (a ratio: the median of each round's), with the spread of the service/baseline ratio across rounds.
 *
 *   npm run bench                     (after the round-trip benchmark)
 *   node dist/bench/load.js
 *
 * Settings (environment): BENCH_ROUNDS (default 15), BENCH_SECONDS per measurement (default 1: short slices,
 * many rounds, so each round's targets run close together in time),
 * BENCH_SCENARIOS (comma list, default all), BENCH_CONCURRENCY (comma list, default 1,16),
 * BENCH_CPU_PROF (a folder: after the measured rounds, each row is run once more for every target under
 * V8's CPU profiler, each profile written there and the service's and the reference's summarized by
 * module and function, in ms per request, by `profile-top.ts`),
 * BENCH_REFERENCE (the dist folder of another build, e.g. one made from an earlier commit: its service
 * (its `compose()` and local host, under this build's `load-target.ts` and over this build's Cosmos child)
 * runs as a fourth target in the same rounds, for a before/after comparison on a noisy machine).
 * Results: a table, and JSON in bench/out/.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mintLocalToken } from '../src/identity/index.js';
import { planFixture, type Fixture } from './fixture.js';
import { printSummary, summarize, type Profile, type Summary } from './profile-top.js';
import type { FromCosmos, ToCosmos } from './load-cosmos.js';
import type { FromTarget, TargetName, ToTarget } from './load-target.js';

const here = dirname(fileURLToPath(import.meta.url));
const P = '/beta/onPremisesPublishingProfiles/applicationProxy';
const SCOPE = 'Directory.ReadWrite.All';

const setting = (name: string, fallback: string) => process.env[name]?.trim() || fallback;
const ROUNDS = Number(setting('BENCH_ROUNDS', '15'));
const SECONDS = Number(setting('BENCH_SECONDS', '1'));
const CONCURRENCY = setting('BENCH_CONCURRENCY', '1,16').split(',').map(Number);
const CPU_PROF = process.env.BENCH_CPU_PROF?.trim();
const REFERENCE = process.env.BENCH_REFERENCE?.trim();

type Role = TargetName | 'reference';

interface Target {
  name: Role;
  child: ChildProcess;
  /** Its own embedded Cosmos server's process (`load-cosmos.ts`). */
  cosmos: ChildProcess;
  url: string;
  /** Where each connector of the move pool is now (index into its two groups). */
  at: number[];
  /** Move-pool connectors with a request sent and no response seen. */
  pending: Set<number>;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  requests: number;
  failures: number;
}

type Request = autocannon.Request;
interface Scenario {
  name: string;
  /** One request of the scenario; `n` counts requests across connections, `context` is the connection's. */
  request(target: Target, n: number, context: Record<string, unknown>): Request;
  onResponse?(target: Target, status: number, context: Record<string, unknown>): void;
  /** After a run: put right what requests cut off by its end left unknown. */
  settle?(target: Target): Promise<void>;
}

function scenarios(fixture: Fixture, tokens: Map<string, string>): Scenario[] {
  const headers = (tenant: string, body = false): Record<string, string> => ({
    authorization: `Bearer ${tokens.get(tenant)!}`,
    'x-tenant': tenant,
    ...(body ? { 'content-type': 'application/json' } : {}),
  });
  const { main, moves, creates } = fixture;
  const groupUrl = `${P}/connectorGroups/${main.groupId}`;
  return [
    { name: 'get', request: () => ({ method: 'GET', path: groupUrl, headers: headers(main.tenant) }) },
    { name: 'list', request: () => ({ method: 'GET', path: `${P}/connectors?$top=100`, headers: headers(main.tenant) }) },
    {
      name: 'create',
      request: (_t, n) => {
        const tenant = creates.tenants[n % creates.tenants.length]!;
        return {
          method: 'POST',
          path: `${P}/connectors`,
          headers: headers(tenant, true),
          body: JSON.stringify({ machineName: `agent-${n}.contoso.com`, externalIp: '198.51.100.7' }),
        };
      },
    },
    {
      name: 'move',
      request: (target, n, context) => {
        const i = n % moves.pool.length;
        const { connectorId, groups } = moves.pool[i]!;
        context.moving = i;
        target.pending.add(i);
        const to = groups[1 - target.at[i]!]!;
        return {
          method: 'POST',
          path: `${P}/connectors/${connectorId}/memberOf/$ref`,
          headers: headers(moves.tenant, true),
          body: JSON.stringify({ '@odata.id': `https://graph.microsoft.com${P}/connectorGroups/${to}` }),
        };
      },
      onResponse: (target, status, context) => {
        const i = context.moving as number;
        target.pending.delete(i);
        if (status === 201) target.at[i] = 1 - target.at[i]!;
      },
      // A move sent as the run ended may or may not have been made: ask where those connectors are.
      settle: async (target) => {
        if (target.pending.size) await new Promise((r) => setTimeout(r, 500));
        for (const i of target.pending) {
          const { connectorId, groups } = moves.pool[i]!;
          const res = await fetch(`${target.url}${P}/connectors/${connectorId}/memberOf`, { headers: headers(moves.tenant) });
          const { value } = (await res.json()) as { value: { id: string }[] };
          target.at[i] = groups.indexOf(value[0]!.id);
        }
        target.pending.clear();
      },
    },
    {
      name: 'batch10',
      request: () => ({
        method: 'POST',
        path: '/beta/$batch',
        headers: headers(main.tenant, true),
        body: JSON.stringify({
          requests: Array.from({ length: 10 }, (_, i) => ({
            id: String(i + 1),
            method: 'GET',
            url: `/onPremisesPublishingProfiles/applicationProxy/connectorGroups/${main.groupId}`,
          })),
        }),
      }),
    },
  ];
}

/** A child process's first message that `pick` recognises; its exit before that is an error. */
const readyOf = <M, T>(name: string, child: ChildProcess, pick: (message: M) => T | undefined) =>
  new Promise<T>((resolveReady, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    const listen = (message: M) => {
      const value = pick(message);
      if (value === undefined) return;
      child.off('message', listen);
      resolveReady(value);
    };
    child.on('message', listen);
  });

async function startTarget(name: Role, fixture: Fixture, keysDir: string, moveCount: number): Promise<Target> {
  const cosmos = fork(join(here, 'load-cosmos.js'));
  const cosmosReady = readyOf(`${name}'s Cosmos server`, cosmos, (m: FromCosmos) => m.ready);
  cosmos.send({ cmd: 'start', fixture } satisfies ToCosmos);
  const address = await cosmosReady;
  // The reference runs this build's harness over the other build's service (`compose()` and local host).
  const env = { ...process.env, BENCH_KEYS_DIR: keysDir, ...(name === 'reference' ? { BENCH_SERVICE_DIST: resolve(REFERENCE!) } : {}) };
  const child = fork(join(here, 'load-target.js'), [name === 'reference' ? 'service' : name], { env });
  const ready = readyOf(name, child, (m: FromTarget) => ('ready' in m ? m.ready : undefined));
  child.send({ cmd: 'start', cosmos: address } satisfies ToTarget);
  const url = await ready;
  return { name, child, cosmos, url, at: new Array<number>(moveCount).fill(0), pending: new Set() };
}

/** Sends a command and waits for the reply that `pick` recognises. */
const ask = <T>(target: Target, command: ToTarget, pick: (message: FromTarget) => T | undefined) =>
  new Promise<T>((resolveReply) => {
    const listen = (message: FromTarget) => {
      const value = pick(message);
      if (value === undefined) return;
      target.child.off('message', listen);
      resolveReply(value);
    };
    target.child.on('message', listen);
    target.child.send(command);
  });

const cpuOf = (target: Target) => ask(target, { cmd: 'cpu' }, (m) => ('cpu' in m ? m.cpu : undefined));

/** One more run of a row under the target's CPU profiler; the profile's file, and the requests it covers. */
async function profileRow(target: Target, scenario: Scenario, connections: number, dir: string) {
  await ask(target, { cmd: 'profile-start' }, (m) => ('profiling' in m ? true : undefined));
  const sample = await load(target, scenario, connections, SECONDS);
  const file = join(dir, `${scenario.name}-${connections}-${target.name}.cpuprofile`);
  await ask(target, { cmd: 'profile-stop', file }, (m) => ('profiled' in m ? m.profiled : undefined));
  return { file, requests: sample.requests };
}

async function load(target: Target, scenario: Scenario, connections: number, seconds: number): Promise<Sample> {
  let n = 0;
  // autocannon's own percentiles are whole milliseconds; its response events carry the fractional time.
  const latencies: number[] = [];
  const before = await cpuOf(target);
  const result = await new Promise<autocannon.Result>((resolveRun, reject) => {
    const run = autocannon(
      {
        url: target.url,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (req, context) => ({ ...req, ...scenario.request(target, n++, context as Record<string, unknown>) }),
            onResponse: (status, _body, context) => scenario.onResponse?.(target, status, context as Record<string, unknown>),
          },
        ],
      },
      (error, done) => (error ? reject(error) : resolveRun(done)),
    );
    run.on('response', (_client, status, _bytes, ms) => status < 300 && latencies.push(ms));
  });
  await scenario.settle?.(target);
  const after = await cpuOf(target);
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  const cpuMicros = after.user - before.user + (after.system - before.system);
  const requests = result.requests.total;
  return {
    rps: requests / seconds,
    p50: percentile(50),
    p99: percentile(99),
    cpuMsPerRequest: requests ? cpuMicros / 1000 / requests : NaN,
    requests,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main() {
  const fixture = planFixture({ listSize: 1000, movePool: 64, createTenants: 64 });
  const keysDir = mkdtempSync(join(tmpdir(), 'bench-load-keys-'));
  const tenants = [fixture.main.tenant, fixture.moves.tenant, ...fixture.creates.tenants];
  const tokens = new Map<string, string>();
  for (const tenant of tenants) tokens.set(tenant, await mintLocalToken(keysDir, { tenant, scope: SCOPE }));
  const all = scenarios(fixture, tokens);
  const wanted = setting('BENCH_SCENARIOS', all.map((s) => s.name).join(',')).split(',');
  const chosen = all.filter((s) => wanted.includes(s.name));

  const targets = [
    await startTarget('baseline', fixture, keysDir, fixture.moves.pool.length),
    await startTarget('floor', fixture, keysDir, fixture.moves.pool.length),
    await startTarget('service', fixture, keysDir, fixture.moves.pool.length),
    ...(REFERENCE ? [await startTarget('reference', fixture, keysDir, fixture.moves.pool.length)] : []),
  ];
  console.log(
    `Load: ${ROUNDS} rounds of ${SECONDS} s per scenario, concurrency ${CONCURRENCY.join(' and ')}, baseline, floor, service${REFERENCE ? ', reference' : ''}, reversed every other round.`,
  );
  // Warm-up at full load: the service has the most code for the JIT to settle, and a cold first round is its loss.
  for (const target of targets) for (const scenario of chosen) await load(target, scenario, Math.max(...CONCURRENCY), 2);

  const samples = new Map<string, Sample[]>();
  const reversed = [...targets].reverse();
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? targets : reversed;
    for (const scenario of chosen) {
      for (const connections of CONCURRENCY) {
        for (const target of order) {
          const key = `${scenario.name}|${connections}|${target.name}`;
          const sample = await load(target, scenario, connections, SECONDS);
          samples.set(key, [...(samples.get(key) ?? []), sample]);
        }
      }
    }
    console.log(`round ${round} done`);
  }

  const rows = chosen.flatMap((scenario) =>
    CONCURRENCY.map((connections) => {
      const of = (t: Role) => samples.get(`${scenario.name}|${connections}|${t}`);
      const base = of('baseline')!;
      const floor = of('floor')!;
      const svc = of('service')!;
      const ref = of('reference');
      const ratios = svc.map((s, i) => s.rps / base[i]!.rps);
      const m = (list: Sample[], k: keyof Sample) => median(list.map((s) => s[k]));
      // Each round's CPU figures against the same round's baseline, then the median over rounds.
      const cpuOverBase = (each: (i: number) => number) => median(base.map((b, i) => each(i) / b.cpuMsPerRequest));
      return {
        ...(ref
          ? {
              refRatio: median(ref.map((s, i) => s.rps / base[i]!.rps)),
              refCpuMs: m(ref, 'cpuMsPerRequest'),
              refCpuRatio: cpuOverBase((i) => ref[i]!.cpuMsPerRequest),
              /** Service / reference CPU per request, each round's, then the median: the before/after figure. */
              svcRefCpuRatio: median(svc.map((s, i) => s.cpuMsPerRequest / ref[i]!.cpuMsPerRequest)),
            }
          : {}),
        scenario: scenario.name,
        inFlight: connections,
        baseRps: m(base, 'rps'),
        floorRps: m(floor, 'rps'),
        svcRps: m(svc, 'rps'),
        ratio: median(ratios),
        ratioMin: Math.min(...ratios),
        ratioMax: Math.max(...ratios),
        baseP50: m(base, 'p50'),
        floorP50: m(floor, 'p50'),
        svcP50: m(svc, 'p50'),
        baseP99: m(base, 'p99'),
        floorP99: m(floor, 'p99'),
        svcP99: m(svc, 'p99'),
        baseCpuMs: m(base, 'cpuMsPerRequest'),
        floorCpuMs: m(floor, 'cpuMsPerRequest'),
        svcCpuMs: m(svc, 'cpuMsPerRequest'),
        /** floor / baseline CPU per request: what the Functions worker and host add to the thinnest server. */
        floorCpuRatio: cpuOverBase((i) => floor[i]!.cpuMsPerRequest),
        svcCpuRatio: cpuOverBase((i) => svc[i]!.cpuMsPerRequest),
        /** (service − floor) / baseline CPU per request: the service's own cost, in baselines. */
        ownCpuShare: cpuOverBase((i) => svc[i]!.cpuMsPerRequest - floor[i]!.cpuMsPerRequest),
        failures: [...base, ...floor, ...svc, ...(ref ?? [])].reduce((sum, s) => sum + s.failures, 0),
        rounds: { baseline: base, floor, service: svc, ...(ref ? { reference: ref } : {}) },
      };
    }),
  );
  const f = (x: number, d = 0) => x.toFixed(d);
  console.table(
    rows.map((r) => ({
      request: r.scenario,
      'in flight': r.inFlight,
      // p99 is left to the JSON: the table is wide enough with the floor.
      'req/s base/floor/svc': `${f(r.baseRps)} / ${f(r.floorRps)} / ${f(r.svcRps)}`,
      'req/s svc/base': `${f(r.ratio, 2)} (${f(r.ratioMin, 2)}–${f(r.ratioMax, 2)})`,
      'p50 ms base/floor/svc': `${f(r.baseP50, 2)} / ${f(r.floorP50, 2)} / ${f(r.svcP50, 2)}`,
      'CPU ms/req base/floor/svc': `${f(r.baseCpuMs, 2)} / ${f(r.floorCpuMs, 2)} / ${f(r.svcCpuMs, 2)}`,
      'CPU floor/base': f(r.floorCpuRatio, 2),
      'CPU svc/base': f(r.svcCpuRatio, 2),
      'own/base (svc−floor)': f(r.ownCpuShare, 2),
      ...(r.refRatio === undefined
        ? {}
        : {
            'ref req/s /base': f(r.refRatio, 2),
            'ref CPU ms/req': f(r.refCpuMs!, 2),
            'CPU ref/base': f(r.refCpuRatio!, 2),
            'CPU svc/ref': f(r.svcRefCpuRatio!, 2),
          }),
      failures: r.failures,
    })),
  );
  // Profiles apart from the measured rounds, so the profiler's own cost is in none of the figures above.
  const profiles: { row: string; target: Role; file: string; requests: number; summary: Summary }[] = [];
  if (CPU_PROF) {
    const dir = resolve(CPU_PROF);
    mkdirSync(dir, { recursive: true });
    for (const scenario of chosen) {
      for (const connections of CONCURRENCY) {
        for (const target of targets) {
          const { file, requests } = await profileRow(target, scenario, connections, dir);
          const summary = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, 15);
          profiles.push({ row: `${scenario.name}|${connections}`, target: target.name, file, requests, summary });
          if (target.name !== 'service' && target.name !== 'reference') continue;
          console.log(`\nProfile of the ${target.name}, ${scenario.name} at ${connections} in flight (${file}):`);
          printSummary(summary, requests);
        }
      }
    }
  }
  const out = join(here, '..', '..', 'bench', 'out');
  mkdirSync(out, { recursive: true });
  const file = join(out, `load-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ rounds: ROUNDS, seconds: SECONDS, node: process.version, reference: REFERENCE, rows, profiles }, null, 2),
  );
  console.log(`JSON: ${file}`);

  const stop = (child: ChildProcess, command: ToTarget & ToCosmos) =>
    new Promise<void>((done) => {
      child.removeAllListeners('exit');
      child.once('exit', () => done());
      child.send(command);
    });
  for (const target of targets) {
    await stop(target.child, { cmd: 'stop' });
    await stop(target.cosmos, { cmd: 'stop' });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
