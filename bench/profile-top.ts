/**
 * The top costs in a V8 CPU profile (`node --cpu-prof`, e.g. the one `BENCH_CPU_PROF` makes of the service
 * under load): self time by package or area, and inclusive time of the heaviest functions, in ms and as a
 * share of the profile's busy time (idle excluded).
 *
 *   node dist/bench/profile-top.js <file.cpuprofile> [top]      (default 25)
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, our source, Node's internals, or V8 itself. */
function areaOf(url: string, name: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/dist\/((?:src|bench)\/[^/]+)/.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  return url === '' ? `(${name || 'native'})` : url;
}

function main() {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-top <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const idle = [...self].filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName)).reduce((s, [, ms]) => s + ms, 0);
  const total = [...self.values()].reduce((s, ms) => s + ms, 0);
  const busy = total - idle;

  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    // Each distinct function on the stack gets the sample once (recursion is not counted twice).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (f.functionName === '(root)') continue;
      const key = `${f.functionName || '(anonymous)'} ${areaOf(f.url, f.functionName)}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const table = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: ms.toFixed(0), share: `${((100 * ms) / busy).toFixed(1)}%` }));
  console.log(`busy ${busy.toFixed(0)} ms of ${total.toFixed(0)} ms sampled`);
  console.log('Self time by area:');
  console.table(table(areas));
  console.log('Inclusive time by function:');
  console.table(table(inclusive));
}

main();
