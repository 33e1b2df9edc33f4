import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layering rule of eslint.config.js, shown to bite, and the SQL it keeps inside store/. The files linted
 * here do not exist, so the type checker has no program for them: only the layering rule runs, without types.
 */
const eslint = new ESLint({
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  expect(result!.messages.filter((m) => m.fatal)).toEqual([]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layers', () => {
  it.each([
    ['src/store/x.ts', "import { badRequest } from '../graph/errors.js';"],
    ['src/store/x.ts', "import { StoreDirectory } from '../directory/directory.js';"],
    ['src/directory/x.ts', "import { badRequest } from '../graph/errors.js';"],
    ['src/directory/x.ts', "import type { HttpRequest } from '@azure/functions';"],
    ['src/directory/x.ts', "import { CosmosClient } from '@azure/cosmos';"],
    ['src/graph/x.ts', "import { Store } from '../store/store.js';"],
    ['src/graph/x.ts', "import type { Container } from '@azure/cosmos';"],
    ['src/functions/x.ts', "import type { Stored } from '../store/store.js';"],
    ['src/functions/x.ts', "import { startLocalHost } from '../local/host.js';"],
    ['src/identity/x.ts', "import { StoreDirectory } from '../directory/directory.js';"],
    // Identity refuses with codes of its own; graph/ words them.
    ['src/identity/x.ts', "import { GraphError } from '../graph/errors.js';"],
    ['src/lib/x.ts', "import { GraphError } from '../graph/errors.js';"],
    ['src/lib/x.ts', "import type { Stored } from '../store/store.js';"],
    ['src/lib/x.ts', "import type { ListQuery } from '../directory/directory.js';"],
    ['src/graph/x.ts', "import { compose } from '../app.js';"],
    // The host's emulation knows nothing of Graph, and is reached only through its entry.
    ['src/host/x.ts', "import { badRequest } from '../graph/errors.js';"],
    ['src/host/x.ts', "import type { Caller } from '../identity/index.js';"],
    ['src/graph/x.ts', "import { decodePath } from '../host/aspnet.js';"],
    ['src/graph/query/x.ts', "import { pathSegments } from '../../host/routing.js';"],
    ['src/functions/x.ts', "import type { ServedFunction } from '../host/invoke.js';"],
    ['src/local/x.ts', "import { requestLogLine } from '../host/request-log.js';"],
    ['src/app.ts', "import { RouteTable } from './host/routing.js';"],
    ['src/directory/x.ts', "import type { FunctionRequest } from '../host/index.js';"],
  ])('refuses %s importing across the layers: %s', async (file, source) => {
    expect(await problems(file, source)).toHaveLength(1);
  });

  it.each([
    ['src/functions/x.ts', "import type { Directory } from '../directory/directory.js';"],
    ['src/graph/x.ts', "import { domainFailure } from '../directory/errors.js';"],
    ['src/directory/x.ts', "import { Store } from '../store/store.js';"],
    ['src/store/x.ts', "import { CosmosClient } from '@azure/cosmos';"],
    ['src/local/x.ts', "import { CosmosClient } from '@azure/cosmos';"],
    ['src/app.ts', "import { Store } from './store/store.js';"],
    ['src/graph/x.ts', "import { pathSegments } from '../host/index.js';"],
    ['src/local/x.ts', "import { requestLogLine } from '../host/index.js';"],
    ['src/app.ts', "import { RouteTable } from './host/index.js';"],
    ['src/host/x.ts', "import { decodePath } from './aspnet.js';"],
    ['src/host/x.ts', "import type { Deadline } from '../lib/deadline.js';"],
    // The query vocabulary is every layer's.
    ['src/graph/x.ts', "import type { Condition } from '../lib/query.js';"],
    ['src/directory/x.ts', "import type { Condition } from '../lib/query.js';"],
    ['src/store/x.ts', "import type { Condition } from '../lib/query.js';"],
  ])('allows %s: %s', async (file, source) => {
    expect(await problems(file, source)).toEqual([]);
  });

  it("re-exports nothing of another layer, so no layer passes a lower one's names on to get around the rule", () => {
    const reexports: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (full.endsWith('.ts'))
          for (const m of readFileSync(full, 'utf8').matchAll(/^export [^;]* from '\.\.\/[^']*'/gm)) reexports.push(`${full}: ${m[0]}`);
      }
    };
    walk('src');
    expect(reexports).toEqual([]);
  });

  it('keeps Cosmos SQL inside src/store/ (and the local-only code)', () => {
    const sql = /\b(SELECT|ARRAY_CONTAINS|IS_DEFINED|IS_NULL|STARTSWITH)\b|\bc\.[a-z]+\s*(=|!=)/;
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!['store', 'local'].includes(entry.name)) walk(full);
        } else if (full.endsWith('.ts') && sql.test(readFileSync(full, 'utf8'))) {
          offenders.push(full);
        }
      }
    };
    walk('src');
    expect(offenders).toEqual([]);
  });
});
