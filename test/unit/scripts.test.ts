import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The npm scripts as package.json declares them, each split at `&&` into the commands it runs. */
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const commands = Object.entries(scripts).flatMap(([name, script]) => script.split('&&').map((command) => [name, command.trim()] as const));

describe('npm scripts', () => {
  it('run compiled code only through scripts/run-built.js, which compiles when dist/ is stale', () => {
    const direct = commands.filter(([, command]) => /\bdist\//.test(command) && !command.startsWith('node scripts/run-built.js dist/'));
    expect(direct).toEqual([]);
    // The check holds something: the scripts that run the CLIs and benchmarks do go through it.
    expect(commands.filter(([, command]) => command.startsWith('node scripts/run-built.js ')).map(([name]) => name)).toEqual(
      expect.arrayContaining(['start', 'token', 'openapi', 'bench', 'infra:check', 'package', 'smoke', 'host-check']),
    );
  });

  it('never build as a step of another script: `npm run build` stands alone', () => {
    const builds = (command: string) => /\bnpm run build\b/.test(command) || (/^tsc\b/.test(command) && !command.includes('--noEmit'));
    expect(commands.filter(([name, command]) => name !== 'build' && builds(command))).toEqual([]);
  });

  it('check runs the types, the lint, the format check and the unit tests', () => {
    expect(scripts.check?.split('&&').map((c) => c.trim())).toEqual([
      'npm run typecheck',
      'npm run lint',
      'npm run format:check',
      'npm run test:unit',
    ]);
  });
});
