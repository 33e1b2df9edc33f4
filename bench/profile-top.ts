/**
 * The top costs in a V8 CPU profile (`node --cpu-prof`, or the per-row profiles `BENCH_CPU_PROF` makes
 * of the load benchmark's targets): self time by module (a file of ours, a package, a Node internal),
 * and inclusive time of the heaviest functions of the service itself (`src/` and `@azure/functions`, not
 * the embedded Cosmos server, `packages/cosmos-local`, sharing its process). Times are in ms per request when the number of
 * requests is known, and as a share of the profile's busy time (idle excluded).
 *
 *   node dist/bench/profile-top.js <file.cpuprofile> [top] [requests]      (default top 25)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a file of ours, a package, Node's internals, or V8 itself. */
function moduleOf(url: string, name: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url) ?? /\/(packages\/[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/dist\/((?:src|bench)\/.+)$/.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return url;
  return url === '' ? `(${name || 'native'})` : url;
}

const isServiceOwn = (module: string) => module.startsWith('src/') || module === '@azure/functions';

const IDLE = new Set(['(idle)', '(program)']);

export interface Row {
  name: string;
  ms: number;
  share: number;
}

export interface Summary {
  busyMs: number;
  byModule: Row[];
  /** Functions of the service itself, by inclusive time (a function recursing counts once per sample). */
  serviceFunctions: Row[];
}

export function summarize(profile: Profile, top = 25): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));

  let busyMs = 0;
  const modules = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    if (IDLE.has(frame.functionName)) continue;
    busyMs += ms;
    const module = moduleOf(frame.url, frame.functionName);
    modules.set(module, (modules.get(module) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      const m = moduleOf(f.url, f.functionName);
      if (!isServiceOwn(m)) continue;
      const key = `${f.functionName || '(anonymous)'} ${m}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const rows = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: ms / busyMs }));
  return { busyMs, byModule: rows(modules), serviceFunctions: rows(inclusive) };
}

/** Prints a summary; with `requests`, times are per request. */
export function printSummary(summary: Summary, requests?: number): void {
  const per = requests ? requests : 1;
  const unit = requests ? 'ms/req' : 'ms';
  const show = (rows: Row[]) =>
    console.table(
      rows.map((r) => ({ name: r.name, [unit]: (r.ms / per).toFixed(requests ? 4 : 0), share: `${(100 * r.share).toFixed(1)}%` })),
    );
  console.log(`busy: ${(summary.busyMs / per).toFixed(requests ? 3 : 0)} ${unit}${requests ? ` over ${requests} requests` : ''}`);
  console.log('Self time by module:');
  show(summary.byModule);
  console.log("The service's own functions, inclusive time:");
  show(summary.serviceFunctions);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, topArg, requestsArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-top <file.cpuprofile> [top] [requests]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  printSummary(summarize(profile, Number(topArg ?? 25)), requestsArg ? Number(requestsArg) : undefined);
}
