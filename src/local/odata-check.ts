/**
 * `npm run odata-check -- <base-url>`: reads every kind of answer of a running service with Microsoft's OData
 * reader (tools/odata-check, needs the .NET SDK), with TOKEN (a token that may write) and READ_TOKEN (one that
 * may only read, for the 403s) from the environment. Prints one line per check; exit 0 when all passed.
 */
import { spawn } from 'node:child_process';
import { isEntryPoint } from './entry.js';

const PROJECT = 'tools/odata-check/OdataCheck.csproj';
const BUILT = 'tools/odata-check/bin/Release/net10.0/odata-check.dll';

export interface OdataCheckResult {
  status: number;
  /** Its lines: `ok   …`, `FAIL …`, then the summary. */
  output: string;
}

/** Runs a command to its end without blocking this process (a test serves the service from it). */
function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<OdataCheckResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('dotnet', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ status: code ?? 1, output }));
  });
}

/** Builds tools/odata-check (incremental: restored and compiled once, under its bin/ and obj/) and runs it. */
export async function runOdataCheck(baseUrl: string, tokens: { token: string; readToken: string }): Promise<OdataCheckResult> {
  const build = await run(['build', PROJECT, '-c', 'Release', '--nologo', '-v', 'q']);
  if (build.status !== 0) return { status: build.status, output: `dotnet build failed:\n${build.output}` };
  return run([BUILT, baseUrl], { ...process.env, TOKEN: tokens.token, READ_TOKEN: tokens.readToken });
}

if (isEntryPoint(import.meta.url)) {
  const [baseUrl] = process.argv.slice(2);
  const { TOKEN: token, READ_TOKEN: readToken } = process.env;
  if (!baseUrl || !token || !readToken) {
    console.error('Usage: TOKEN=<read-write token> READ_TOKEN=<read-only token> npm run odata-check -- <base-url>');
    process.exit(2);
  }
  const result = await runOdataCheck(baseUrl, { token, readToken });
  process.stdout.write(result.output);
  process.exit(result.status);
}
