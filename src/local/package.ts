/**
 * `npm run package`: the deployable Function App in `artifact/app/` and as `artifact/app.zip`: host.json, a
 * package.json without dependencies, and `dist/index.js`, the production entry point bundled with the
 * production dependencies it imports (no tests, benchmarks, local host, source maps or node_modules).
 *
 * Bundled because the Functions host imports the entry point on every cold start: importing the bundle
 * takes a quarter to a third of the time of importing tsc's output over a pruned node_modules
 * (`npm run bench:package`). `@azure/functions-core` stays external: the Functions worker provides it
 * through `require`, which the bundle therefore creates from `createRequire`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { strToU8, zipSync } from 'fflate';
import { isEntryPoint } from './entry.js';

export interface Package {
  /** The unpacked app: what azd deploys (azure.yaml `dist`). */
  dir: string;
  /** The same files as one zip, for zip deploy. */
  zip: string;
  /** The npm packages inside the bundle, as package-lock.json names their folders. */
  bundledPackages: string[];
  /** Packages the code may require that production does not install, left as runtime requires. */
  leftOut: string[];
}

interface LockEntry {
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
}

/** The lockfile folder (`node_modules/a/node_modules/@b/c`) of a bundled file, if it comes from a package. */
function packageFolder(input: string): string | undefined {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/** Whether `npm ci --omit=dev --omit=optional` installs the package at this lockfile folder. */
function installedInProduction(lock: Record<string, LockEntry>, folder: string): boolean {
  const entry = lock[folder];
  return entry !== undefined && !entry.dev && !entry.optional && !entry.devOptional;
}

/** Where `npm run package` leaves the artifact (azure.yaml's `dist` is its `app` folder). */
export const ARTIFACT_DIR = 'artifact';

export async function buildPackage(outDir = ARTIFACT_DIR): Promise<Package> {
  const dir = path.join(outDir, 'app');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'dist'), { recursive: true });
  const lock = (JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, LockEntry> }).packages;

  // A package production does not install stays a runtime `require` that fails there as it would in a
  // production install (debug, for one, tries `supports-color` and carries on without it).
  const leftOut = new Set<string>();
  const productionOnly: Plugin = {
    name: 'production-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'inner',
        });
        const folder = packageFolder(path.relative(process.cwd(), resolved.path));
        if (resolved.errors.length > 0 || folder === undefined || installedInProduction(lock, folder)) return resolved;
        leftOut.add(folder);
        return { path: args.path, external: true };
      });
    },
  };

  const result = await build({
    entryPoints: ['src/index.ts'],
    outfile: path.join(dir, 'dist', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['@azure/functions-core'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [productionOnly],
    metafile: true,
    logLevel: 'silent',
  });
  // A warning (a require esbuild could not follow, say) would be a failure in Azure: refuse it here.
  if (result.warnings.length > 0) throw new Error(`esbuild warnings:\n${result.warnings.map((w) => w.text).join('\n')}`);
  const bundledPackages = [...new Set(Object.keys(result.metafile.inputs).flatMap((input) => packageFolder(input) ?? []))].sort();

  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    private: true,
    description: pkg.description,
    type: 'module',
    main: 'dist/index.js',
    engines: pkg.engines,
  };
  const files: Record<string, string> = {
    'host.json': readFileSync('host.json', 'utf8'),
    'package.json': `${JSON.stringify(manifest, null, 2)}\n`,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  files['dist/index.js'] = readFileSync(path.join(dir, 'dist', 'index.js'), 'utf8');

  const zip = path.join(outDir, 'app.zip');
  writeFileSync(zip, zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])), { level: 9 }));
  return { dir, zip, bundledPackages, leftOut: [...leftOut].sort() };
}

if (isEntryPoint(import.meta.url)) {
  const made = await buildPackage();
  console.log(
    `${made.zip}: ${made.bundledPackages.length} production packages bundled into dist/index.js; ${made.dir} holds the same files`,
  );
  if (made.leftOut.length > 0) console.log(`left out (not installed in production, required only optionally): ${made.leftOut.join(', ')}`);
}
