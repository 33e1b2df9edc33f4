/**
 * Every reference in the repository's code, tests and documents to a document (`X.md`) names a file the
 * repository has, and every reference to a section of one (`X.md, "Heading"`, `` `X.md`, section "Heading" ``,
 * a Markdown link `X.md#anchor`) names a heading that document has. A comment that points a reader somewhere
 * must lead there.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const TEXT = /\.(ts|js|mjs|cjs|md|json|ya?ml|bicep|sh)$|(^|\/)run$/;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  // This file's own examples are broken on purpose; vendored fixtures cite their own projects' documents.
  .filter((f) => f && TEXT.test(f) && !f.endsWith('package-lock.json') && f !== 'docs/openapi.json' && f !== 'test/unit/references.test.ts')
  .filter((f) => !f.startsWith('test/fixtures/') || f.endsWith('.md'));
const markdown = files.filter((f) => f.endsWith('.md'));

/**
 * The file a reference names: from the citing file's folder or the nearest folder above it that has it (a
 * package's `README.md` is its own), from the repository's root, or by a name only one file has.
 */
function resolve(from: string, ref: string): string | undefined {
  const folders: string[] = [];
  for (let dir = dirname(from); dir !== '.'; dir = dirname(dir)) folders.push(dir);
  for (const candidate of [...folders.map((dir) => normalize(join(dir, ref))), normalize(ref)])
    if (markdown.includes(candidate)) return candidate;
  if (!ref.includes('/')) {
    const named = markdown.filter((f) => basename(f) === ref);
    if (named.length === 1) return named[0];
  }
  return undefined;
}

const headingsOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#+ /, '').trim());

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

interface Reference {
  from: string;
  file: string;
  headings: string[];
  anchor?: string;
}

/** A document name, with its path, as a comment or a document writes it. */
const DOC = String.raw`((?:\.{0,2}/)?[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*\.md)`;
/** After the name: `, "A", "B" and "C"` or `, section "A"`. */
const SECTIONS = new RegExp(String.raw`${DOC}\`?(?:,|:)?\s*(?:sections?\s+)?((?:"[^"\n]+"(?:\s*(?:,|and)\s*)?)+)`, 'g');
const NAMES = new RegExp(String.raw`(?<![A-Za-z0-9_/.-])${DOC}(#[A-Za-z0-9_-]+)?`, 'g');

export function referencesIn(from: string, text: string): Reference[] {
  const found: Reference[] = [];
  // A comment may wrap between a document's name and its headings, or inside a heading.
  const flat = text.replace(/\n\s*(?:\*|\/\/|#)?\s*/g, ' ');
  for (const m of flat.matchAll(SECTIONS)) {
    found.push({ from, file: m[1]!, headings: [...m[2]!.matchAll(/"([^"]+)"/g)].map((h) => h[1]!) });
  }
  for (const m of text.matchAll(NAMES)) found.push({ from, file: m[1]!, headings: [], anchor: m[2]?.slice(1) });
  return found;
}

/** What is wrong with a reference, or undefined. */
function problem(ref: Reference): string | undefined {
  const file = resolve(ref.from, ref.file);
  if (!file) return `${ref.from}: ${ref.file} is not a document of the repository`;
  const headings = headingsOf(file);
  for (const h of ref.headings) if (!headings.includes(h)) return `${ref.from}: ${file} has no heading "${h}"`;
  if (ref.anchor && !headings.some((h) => anchorOf(h) === ref.anchor)) return `${ref.from}: ${file} has no heading for #${ref.anchor}`;
  return undefined;
}

describe('references to documents and their sections', () => {
  const all = files.flatMap((f) => referencesIn(f, readFileSync(f, 'utf8')));

  it('are found: the repository cites documents and sections', () => {
    expect(all.filter((r) => r.headings.length).length).toBeGreaterThan(20);
    expect(all.some((r) => r.file.endsWith('ARCHITECTURE.md'))).toBe(true);
  });

  it('each name a document of the repository and a heading it has', () => {
    expect(all.map(problem).filter(Boolean)).toEqual([]);
  });

  it('are told from broken ones: a missing document, a missing heading, a wrapped heading, an anchor', () => {
    const refs = (text: string) => referencesIn('src/x.ts', text).map(problem);
    expect(refs('// see research/notes.md')).toEqual(['src/x.ts: research/notes.md is not a document of the repository']);
    expect(refs('// (docs/API.md, "Routes")')).toEqual([undefined, undefined]);
    expect(refs('// (docs/API.md, "Endpoints")')[0]).toBe('src/x.ts: docs/API.md has no heading "Endpoints"');
    expect(refs('/** (`docs/ARCHITECTURE.md`, section "One route\n * table, two hosts") */')[0]).toBeUndefined();
    expect(refs('// docs/API.md, "Routes" and "Nowhere"')[0]).toBe('src/x.ts: docs/API.md has no heading "Nowhere"');
    expect(refs('[x](docs/API.md#routes)').at(-1)).toBeUndefined();
    expect(refs('[x](docs/API.md#nowhere)').at(-1)).toBe('src/x.ts: docs/API.md has no heading for #nowhere');
  });
});

describe("README's layout", () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /## How the code is laid out[\s\S]*?```\n([\s\S]*?)```/.exec(readme)![1]!;
  /** The paths each line of the block starts with: `azure.yaml, infra/    the azd template` names two. */
  const named = block
    .split('\n')
    .map((line) => /^(\S.*?)\s{2,}/.exec(line)?.[1])
    .filter((head): head is string => head !== undefined)
    .flatMap((head) => head.split(/,\s*/));
  const tracked = files.concat(execFileSync('git', ['ls-files'], { encoding: 'utf8' }).split('\n').filter(Boolean));

  it('names only paths the repository has', () => {
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((p) => !tracked.some((f) => f === p || f.startsWith(p.endsWith('/') ? p : `${p}/`)))).toEqual([]);
  });

  it('names every top-level folder and every folder of src/', () => {
    const folders = new Set(
      tracked.flatMap((f) => {
        const parts = f.split('/');
        if (parts.length < 2 || parts[0]!.startsWith('.')) return [];
        return parts[0] === 'src' && parts.length > 2 ? [`src/${parts[1]}/`] : [`${parts[0]}/`];
      }),
    );
    expect([...folders].filter((d) => !named.some((p) => p === d || p.startsWith(d))).sort()).toEqual([]);
  });
});
