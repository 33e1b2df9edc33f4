import { spawnSync } from 'node:child_process';
import { it } from 'vitest';

/** Whether a command-line tool runs here (`<tool> --version`). */
export function hasTool(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/**
 * For tests that need a tool this machine may lack: true when it is there. Otherwise it registers one test
 * that says so by name: under CI=true (CI has the tool) that test fails; elsewhere it passes, reporting the
 * tool as missing in its title and output, so nothing passes silently.
 */
export function requireTool(tool: string, needed: string): boolean {
  if (hasTool(tool)) return true;
  if (process.env.CI) {
    it(`${tool} is on the PATH (CI=true: ${needed} must run)`, () => {
      throw new Error(`${tool} is missing, and CI must run: ${needed}`);
    });
  } else {
    it(`skipped-for-lack-of-tool: ${tool} (${needed})`, () => {
      console.warn(`skipped-for-lack-of-tool: ${tool} is not installed here, so this did not run: ${needed}`);
    });
  }
  return false;
}
