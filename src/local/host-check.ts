import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { declareFunctions, readRoutePrefix } from '../app.js';
import { endpoints, zzzFallback } from '../functions/index.js';
import { byFunctionName } from '../host/index.js';

/** The committed output of tools/host-check: what the Functions host's router does with each sample. */
export const HOST_ROUTING_GOLDEN = 'test/fixtures/host-routing.golden.json';
const PROJECT = 'tools/host-check/HostCheck.csproj';
const BUILT = 'tools/host-check/bin/Release/net10.0/host-check.dll';

export interface HostFunction {
  name: string;
  route: string;
  methods: string[];
}

/**
 * The functions the app registers with app.http (name, route, methods), in the host's order: by name, ordinal
 * and ignoring case. (Registration order would depend on how a module namespace lists its exports.)
 */
export function hostFunctions(): HostFunction[] {
  return [
    ...declareFunctions(endpoints).map((f) => ({ name: f.name, route: f.route, methods: [...f.endpoint.methods] })),
    { name: zzzFallback.name, route: zzzFallback.route, methods: [...zzzFallback.methods] },
  ].sort(byFunctionName);
}

/** Builds tools/host-check (once per call) and runs it over the app's function list; returns the golden text. */
export function runHostCheck(): string {
  execFileSync('dotnet', ['build', PROJECT, '-c', 'Release', '--nologo', '-v', 'q'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const work = mkdtempSync(path.join(tmpdir(), 'host-check-'));
  try {
    const input = path.join(work, 'functions.json');
    const output = path.join(work, 'golden.json');
    writeFileSync(input, JSON.stringify({ routePrefix: readRoutePrefix(), functions: hostFunctions() }));
    execFileSync('dotnet', [BUILT, input, output], { stdio: ['ignore', 'pipe', 'inherit'] });
    return readFileSync(output, 'utf8');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// `npm run host-check`: regenerates the golden file (needs the .NET SDK).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  writeFileSync(HOST_ROUTING_GOLDEN, runHostCheck());
  console.log(`wrote ${HOST_ROUTING_GOLDEN}`);
}
