/**
 * `npm run infra:check`: Microsoft's Bicep CLI compiles and lints every Bicep file of `infra/` with the
 * repository's `bicepconfig.json`, and any error or warning fails the check.
 *
 * The CLI comes from NuGet: `dotnet restore` of `tools/bicep/bicep.proj` (a `PackageDownload`, nothing built)
 * leaves the package in NuGet's global packages folder, which the restore's `project.assets.json` names.
 *
 * `app-registration.bicep` needs the Microsoft Graph Bicep extension, which is pulled from a container
 * registry the build machine cannot reach. So `main.bicep` is compiled in a copy of `infra/` where that module
 * is replaced by a stand-in with the same parameters and outputs (the check compares them, as Bicep itself
 * reads them), and the real module is linted without restoring: every diagnostic it gets must be one that
 * the missing extension explains.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isEntryPoint } from './entry.js';

export const BICEP_PROJECT = 'tools/bicep/bicep.proj';
export const INFRA_DIR = 'infra';
export const APP_REGISTRATION = 'infra/app-registration.bicep';
export const APP_REGISTRATION_STAND_IN = 'test/fixtures/app-registration.stand-in.bicep';

export interface Diagnostic {
  /** The repository file it is about (a staged copy is named by the file it copies). */
  file: string;
  line: number;
  level: string;
  code: string;
  message: string;
}

/** A parameter or output as Bicep reports it (`bicep/getMetadata`). */
export interface Declaration {
  name: string;
  type: string;
  description?: string;
}

export interface ModuleInterface {
  parameters: Declaration[];
  outputs: Declaration[];
}

export interface InfraCheck {
  bicepVersion: string;
  /** Every diagnostic of the build and the lint of the compiled files (main.bicep with the stand-in). */
  diagnostics: Diagnostic[];
  /** The real app-registration.bicep, linted without restoring the extension: each diagnostic it got. */
  registrationDiagnostics: Diagnostic[];
  /** Those of them the missing extension does not explain (must be none). */
  unexplained: Diagnostic[];
  registration: ModuleInterface;
  standIn: ModuleInterface;
  /** The ARM JSON that `bicep build` made of each compiled file, by repository path. */
  templates: Record<string, ArmTemplate>;
}

export interface ArmTemplate {
  parameters?: Record<string, { type: string; allowedValues?: unknown[]; defaultValue?: unknown }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[];
  outputs?: Record<string, { type: string; value: string }>;
}

export interface ArmResource {
  type: string;
  name: string;
  tags?: unknown;
  properties?: Record<string, unknown> & { template?: ArmTemplate };
  dependsOn?: string[];
}

let bicepPath: string | undefined;

/** `dotnet restore` of the Bicep project (a no-op once done), then the `bicep` binary inside the package. */
export function restoreBicep(): string {
  if (bicepPath) return bicepPath;
  execFileSync('dotnet', ['restore', BICEP_PROJECT, '--nologo', '--verbosity', 'quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const project = readFileSync(BICEP_PROJECT, 'utf8');
  const version = /<BicepVersion>([^<]+)<\/BicepVersion>/.exec(project)?.[1];
  const id = /<PackageDownload Include="([^"]+)"/.exec(project)?.[1];
  if (!version || !id) throw new Error(`${BICEP_PROJECT} names no Bicep package and version`);
  const assets = JSON.parse(readFileSync(path.join(path.dirname(BICEP_PROJECT), 'obj', 'project.assets.json'), 'utf8')) as {
    packageFolders: Record<string, unknown>;
  };
  const folder = Object.keys(assets.packageFolders)[0];
  if (!folder) throw new Error('the restore names no packages folder');
  const bin = path.join(folder, id.toLowerCase(), version, 'tools', 'bicep');
  // NuGet does not promise to keep the execute bit of a file it extracts.
  const mode = statSync(bin).mode;
  if ((mode & 0o111) === 0) chmodSync(bin, mode | 0o755);
  bicepPath = bin;
  return bin;
}

interface Run {
  status: number | null;
  output: string;
}

function run(bin: string, args: string[], cwd = process.cwd()): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** The CLI's diagnostics (`path(line,col) : Level CODE: message`), each file renamed by `rename`. */
export function parseDiagnostics(output: string, rename: (file: string) => string = (f) => f): Diagnostic[] {
  // Every group of the pattern takes part in each match, so each is a string.
  return [...output.matchAll(/^(.+?)\((\d+),\d+\) : (\w+) ([\w-]+): (.*)$/gm)].map(
    ([, file = '', line, level = '', code = '', message = '']) => ({
      file: rename(file),
      line: Number(line),
      level,
      code,
      message,
    }),
  );
}

/** Parameters and outputs of each file, as Bicep's language server reads them (`bicep jsonrpc`). */
async function readInterfaces(bin: string, files: string[]): Promise<ModuleInterface[]> {
  const child = spawn(bin, ['jsonrpc', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<number, (result: unknown) => void>();
  let buffer = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString())?.[1]);
      if (buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString()) as { id: number; result: unknown };
      buffer = buffer.subarray(headerEnd + 4 + length);
      pending.get(message.id)?.(message.result);
    }
  });
  try {
    return await Promise.all(
      files.map((file, i) => {
        const body = JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'bicep/getMetadata', params: { path: path.resolve(file) } });
        child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        return new Promise<ModuleInterface>((resolve) =>
          pending.set(i + 1, (result) => {
            type Raw = { name: string; type?: { name: string }; description?: string };
            const r = result as { parameters: Raw[]; outputs: Raw[] };
            const declare = (d: Raw): Declaration => ({
              name: d.name,
              type: d.type?.name ?? '?',
              ...(d.description ? { description: d.description } : {}),
            });
            resolve({ parameters: r.parameters.map(declare), outputs: r.outputs.map(declare) });
          }),
        );
      }),
    );
  } finally {
    child.kill();
  }
}

/**
 * Diagnostics the missing Graph extension causes in the real module: its `extension` line not restored
 * (BCP190/BCP192), its resource types unknown (BCP029), and references to those resources (BCP062).
 */
function explainedByMissingExtension(d: Diagnostic, source: string[]): boolean {
  const line = source[d.line - 1] ?? '';
  if (d.code === 'BCP190' || d.code === 'BCP192') return /^extension \w+/.test(line);
  if (d.code === 'BCP029') return /^resource \w+ 'Microsoft\.Graph\//.test(line);
  if (d.code === 'BCP062') return d.level === 'Error';
  return false;
}

export async function checkInfra(): Promise<InfraCheck> {
  const bin = restoreBicep();
  const stage = mkdtempSync(path.join(tmpdir(), 'infra-check-'));
  try {
    // infra/ as it is (bicepconfig.json and loaded JSON included), the app registration swapped.
    for (const name of readdirSync(INFRA_DIR)) copyFileSync(path.join(INFRA_DIR, name), path.join(stage, name));
    copyFileSync(APP_REGISTRATION_STAND_IN, path.join(stage, path.basename(APP_REGISTRATION)));
    // The real module without its `extension` line, only to read its declarations (no restore is tried).
    const declarationsOnly = path.join(stage, 'declarations', path.basename(APP_REGISTRATION));
    const registrationSource = readFileSync(APP_REGISTRATION, 'utf8');
    mkdirSync(path.dirname(declarationsOnly));
    writeFileSync(declarationsOnly, registrationSource.replace(/^extension \w+.*$/m, ''));

    const rename = (file: string) => {
      const base = path.basename(file);
      if (path.resolve(file) === path.resolve(stage, base))
        return base === path.basename(APP_REGISTRATION) ? APP_REGISTRATION_STAND_IN : path.posix.join(INFRA_DIR, base);
      return path.relative(process.cwd(), file);
    };
    const [version, build, lint, real, [registration, standIn]] = await Promise.all([
      run(bin, ['--version']),
      run(bin, ['build', '--pattern', '*.bicep', '--outdir', 'out'], stage),
      run(bin, ['lint', '--pattern', '*.bicep'], stage),
      run(bin, ['lint', '--no-restore', APP_REGISTRATION]),
      readInterfaces(bin, [declarationsOnly, path.join(stage, path.basename(APP_REGISTRATION))]),
    ]);
    if (!registration || !standIn) throw new Error('bicep: the interfaces of the app registration and its stand-in were not read');
    const diagnostics = [...parseDiagnostics(build.output, rename), ...parseDiagnostics(lint.output, rename)];
    // A non-zero exit with nothing parsed is still a failure: keep the CLI's words.
    for (const r of [build, lint])
      if (r.status !== 0 && parseDiagnostics(r.output).length === 0)
        diagnostics.push({ file: INFRA_DIR, line: 0, level: 'Error', code: 'bicep', message: r.output.trim() });
    const registrationDiagnostics = parseDiagnostics(real.output, (f) => path.relative(process.cwd(), f));
    const sourceLines = registrationSource.split('\n');
    const unexplained = registrationDiagnostics.filter((d) => !explainedByMissingExtension(d, sourceLines));

    const templates: Record<string, ArmTemplate> = {};
    for (const name of readdirSync(path.join(stage, 'out'))) {
      const source = rename(path.join(stage, name.replace(/\.json$/, '.bicep')));
      templates[source] = JSON.parse(readFileSync(path.join(stage, 'out', name), 'utf8')) as ArmTemplate;
    }
    return {
      bicepVersion: /\d+\.\d+\.\d+/.exec(version.output)?.[0] ?? version.output.trim(),
      diagnostics,
      registrationDiagnostics,
      unexplained,
      registration,
      standIn,
      templates,
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (isEntryPoint(import.meta.url)) {
  const check = await checkInfra();
  const show = (d: Diagnostic) => `${d.file}:${d.line}: ${d.level} ${d.code}: ${d.message}`;
  for (const d of check.diagnostics) console.log(show(d));
  for (const d of check.unexplained) console.log(`${show(d)} (not explained by the missing Graph extension)`);
  const same = JSON.stringify(check.registration) === JSON.stringify(check.standIn);
  if (!same) console.log(`${APP_REGISTRATION_STAND_IN} declares other parameters or outputs than ${APP_REGISTRATION}: update the stand-in`);
  const failed = check.diagnostics.length + check.unexplained.length > 0 || !same;
  console.log(
    `Bicep ${check.bicepVersion}: built and linted ${Object.keys(check.templates).sort().join(', ')}; ${APP_REGISTRATION} linted without its extension ` +
      `(${check.registrationDiagnostics.length - check.unexplained.length} diagnostics from the missing extension only): ${failed ? 'FAILED' : 'no error, no warning'}`,
  );
  process.exit(failed ? 1 : 0);
}
