/**
 * OData query options of a collection request, parsed into a store-neutral description: the selected
 * properties, a typed condition (`Condition`) and an ordering over the entity's own properties. The store
 * compiles the condition to parameterized SQL; no request text ever becomes query text.
 *
 * Supported: `$select`, `$filter`, `$orderby`, `$top`, `$skip`, `$count`, `$skiptoken`, `$search` and `$expand`
 * (of the navigation properties the caller names, with a nested `$select`). Every other system query option
 * is a 400 naming it, never silently ignored.
 *
 * Option names:
 * - Case-insensitive (`$Filter` = `$filter`), as OData 4.01 asks.
 * - beta: the `$` is optional. A bare name that is an OData system query option is that option (`top=5`
 *   is `$top=5`, `expand=x` is a 400 for `$expand`). Other bare names are custom query options and ignored.
 * - v1.0: only `$`-names are options. A bare name (`filter=...`) is a custom query option and is ignored.
 * - An option given twice (`$top` and `top`, or `$top` twice): 400.
 *
 * `$filter` grammar (hand-written: `@odata/parser` 0.2.14 has no `in` operator):
 *   or    := and ('or' and)*
 *   and   := unary ('and' unary)*
 *   unary := 'not' unary | cmp
 *   cmp   := primary [ ('eq' | 'ne') primary | 'in' '(' literal (',' literal)* ')' ]
 *   primary := '(' or ')' | startswith '(' property ',' string ')' | property | literal
 * Keywords and function names are case-insensitive; property names are exact. Literals: `'text'` (quote
 * doubled inside), `true`, `false`, `null`, and GUIDs (bare or quoted) for guid properties. Enum values are
 * quoted strings and must be members of the property's enum. Each literal is checked against its
 * property's type here, so the condition holds only values of the right type.
 */
import type { Condition, EntityShape, Ordering, PropertyShape, Value } from '../directory/directory.js';
import { GUID_PATTERN, isGuid } from '../lib/guid.js';
import { badRequest } from './errors.js';

export type { EntityShape };

/** One `$expand` item: a navigation property, with the properties its nested `$select` keeps. */
export interface Expansion {
  property: string;
  select?: string[];
}

export interface CollectionQuery {
  /** Validated property names, in request order, without duplicates (`id` is always allowed). */
  select?: string[];
  filter?: Condition;
  /** `$search`, as a condition over the entity's string properties (ANDed with `filter` by the caller). */
  search?: Condition;
  orderBy: Ordering[];
  /** `$top` (1–999), else 100. */
  pageSize: number;
  /** `$skip` (0 when absent): items passed over before the first page. */
  skip: number;
  expand: Expansion[];
  /** `$count=true`. */
  count: boolean;
  /** The raw `$skiptoken`, opaque here. */
  skipToken?: string;
  /**
   * Canonical text of every option except `$skiptoken` (made from the compiled form), to bind a skip token
   * to its query: equal for the same options whatever the `$` form, order, case or encoding, else different.
   */
  canonical: string;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

/**
 * `$skip` is served by reading past the skipped items with continuation tokens (Cosmos has no cheap
 * OFFSET), so its cost grows with its value; this bounds it.
 */
export const MAX_SKIP = 10_000;
/** The longest `$search` term. */
const MAX_SEARCH_TERM = 256;

const SUPPORTED = ['select', 'filter', 'orderby', 'top', 'skip', 'count', 'skiptoken', 'search', 'expand'] as const;
type Supported = (typeof SUPPORTED)[number];

/** Options whose value never holds a comma, so a comma means the option came more than once. */
const ONE_VALUE: readonly Supported[] = ['top', 'skip', 'count', 'skiptoken'];

/** OData system query options a bare beta parameter is taken for (and refused, when unsupported). */
const KNOWN_UNSUPPORTED = ['format', 'apply', 'levels', 'compute', 'index', 'schemaversion', 'deltatoken'];

const MAX_FILTER_LENGTH = 4096;
const MAX_FILTER_DEPTH = 32;
const MAX_FILTER_PARAMETERS = 200;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A GUID literal in a filter, not followed by more of a name or number. */
const GUID_LITERAL = new RegExp(`^${GUID_PATTERN}(?![A-Za-z0-9_.-])`, 'i');
/** Quotes request text in an error message, shortened. */
const quote = (text: string) => `'${text.length > 80 ? `${text.slice(0, 80)}…` : text}'`;

type Property = PropertyShape;

function lookup(shape: EntityShape, name: string): Property | undefined {
  if (Object.hasOwn(shape.properties, name)) return shape.properties[name];
  if (name === 'id') return { type: 'guid' };
  return undefined;
}

function unknownProperty(name: string, where: string) {
  return badRequest(`Could not find a property named ${quote(name)} on this resource (in ${where}).`);
}

// ---------------------------------------------------------------------------------------------------------
// Option collection

function collectOptions(query: URLSearchParams, version: 'beta' | 'v1.0'): Map<Supported, string> {
  const options = new Map<Supported, string>();
  for (const [rawKey, value] of query) {
    const key = rawKey.trim().toLowerCase();
    let name: string;
    if (key.startsWith('$')) {
      name = key.slice(1);
    } else if (version === 'beta' && ((SUPPORTED as readonly string[]).includes(key) || KNOWN_UNSUPPORTED.includes(key))) {
      name = key;
    } else {
      continue; // a custom query option (any bare name on v1.0; an unrelated one on beta)
    }
    if (!(SUPPORTED as readonly string[]).includes(name)) {
      throw badRequest(`Query option ${quote(`$${name}`)} is not supported.`);
    }
    const option = name as Supported;
    if (options.has(option)) throw badRequest(`Query option '$${option}' is specified more than once.`);
    // The Functions host hands a repeated option over once, its values joined by commas: a list option
    // takes them as one list, a one-value option (none of whose values has a comma) refuses them.
    if (ONE_VALUE.includes(option) && value.includes(',')) {
      throw badRequest(`Query option '$${option}' is specified more than once (or its value ${quote(value)} has a comma): it takes one value.`);
    }
    options.set(option, value);
  }
  return options;
}

function parseTop(value: string): number {
  const text = value.trim();
  const n = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw badRequest(`Invalid value ${quote(value)} for query option '$top': it must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  return n;
}

function parseSkip(value: string): number {
  const text = value.trim();
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n > MAX_SKIP) {
    throw badRequest(`Invalid value ${quote(value)} for query option '$skip': it must be an integer from 0 to ${MAX_SKIP}.`);
  }
  return n;
}

function parseCount(value: string): boolean {
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw badRequest(`Invalid value ${quote(value)} for query option '$count': it must be true or false.`);
}

function splitList(value: string, option: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    throw badRequest(`Invalid value ${quote(value)} for query option '${option}': it must be a comma-separated list without empty items.`);
  }
  return items;
}

function parseSelect(value: string, shape: EntityShape): string[] {
  const out: string[] = [];
  for (const name of splitList(value, '$select')) {
    if (!IDENTIFIER.test(name) || !lookup(shape, name)) throw unknownProperty(name, '$select');
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

function parseOrderBy(value: string, shape: EntityShape): CollectionQuery['orderBy'] {
  const out: CollectionQuery['orderBy'] = [];
  for (const item of splitList(value, '$orderby')) {
    const m = /^(\S+)(?:\s+(\S+))?$/.exec(item);
    const name = m?.[1] ?? item;
    const direction = m?.[2]?.toLowerCase();
    if (!m || (direction !== undefined && direction !== 'asc' && direction !== 'desc')) {
      throw badRequest(`Invalid $orderby item ${quote(item)}: expected a property name optionally followed by asc or desc.`);
    }
    if (!IDENTIFIER.test(name) || !lookup(shape, name)) throw unknownProperty(name, '$orderby');
    if (out.some((o) => o.property === name)) throw badRequest(`Property ${quote(name)} appears more than once in $orderby.`);
    out.push({ property: name, descending: direction === 'desc' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// $expand: `nav`, `nav($select=a,b)`, several separated by commas, `*` for every expandable one

/** Splits on `separator` outside parentheses; unbalanced parentheses are a 400. */
function splitTopLevel(value: string, separator: string, option: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) break;
    else if (ch === separator && depth === 0) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) throw badRequest(`Invalid value ${quote(value)} for query option '${option}': unbalanced parentheses.`);
  parts.push(value.slice(start).trim());
  if (parts.some((p) => p === '')) throw badRequest(`Invalid value ${quote(value)} for query option '${option}': an item is empty.`);
  return parts;
}

function parseExpand(value: string, navigation: Record<string, EntityShape>, version: 'beta' | 'v1.0'): Expansion[] {
  const out: Expansion[] = [];
  for (const item of splitTopLevel(value, ',', '$expand')) {
    const m = /^([A-Za-z_*][A-Za-z0-9_]*)\s*(?:\((.*)\))?$/s.exec(item);
    if (!m) throw badRequest(`Invalid $expand item ${quote(item)}: expected a navigation property, optionally with ($select=...).`);
    const [, name, nested] = m as unknown as [string, string, string | undefined];
    const names = name === '*' ? Object.keys(navigation) : [name];
    if (name !== '*' && !Object.hasOwn(navigation, name)) {
      throw badRequest(`Could not find a navigation property named ${quote(name)} that can be expanded on this resource (in $expand).`);
    }
    let select: string[] | undefined;
    if (nested !== undefined && nested.trim() !== '') {
      for (const option of splitTopLevel(nested, ';', '$expand')) {
        const o = /^(\$?)([A-Za-z]+)\s*=(.*)$/s.exec(option);
        const optionName = o?.[2]?.toLowerCase();
        if (!o || optionName !== 'select' || (o[1] === '' && version !== 'beta')) {
          throw badRequest(`Query option ${quote(o ? `$${o[2]}` : option)} is not supported inside $expand; only $select is.`);
        }
        if (select) throw badRequest("Query option '$select' is specified more than once inside $expand.");
        select = parseSelect(o[3]!, navigation[names[0]!]!);
      }
    }
    for (const property of names) {
      if (out.some((e) => e.property === property)) throw badRequest(`Navigation property ${quote(property)} is expanded more than once.`);
      out.push({ property, ...(select ? { select } : {}) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// $search: Graph's form, `"property:term"` clauses joined by AND or OR (AND binds tighter; adjacent
// clauses are ANDed). A clause without a property searches every string property of the entity. Each
// clause matches when the property contains the term, ignoring case.

const searchError = (message: string) => badRequest(`Invalid $search: ${message}`);

function searchableProperties(shape: EntityShape): string[] {
  return Object.entries(shape.properties)
    .filter(([, p]) => p.type === 'string')
    .map(([name]) => name);
}

function searchClause(text: string, shape: EntityShape): Condition {
  const searchable = searchableProperties(shape);
  const m = /^([A-Za-z_][A-Za-z0-9_]*):(.*)$/s.exec(text);
  const property = m && lookup(shape, m[1]!) ? m[1]! : undefined;
  if (m && !property) throw unknownProperty(m[1]!, '$search');
  const term = property ? m![2]! : text;
  if (term === '') throw searchError(`the clause ${quote(text)} has no term.`);
  if (term.length > MAX_SEARCH_TERM) throw searchError(`a term is longer than ${MAX_SEARCH_TERM} characters.`);
  if (property && !searchable.includes(property)) {
    throw searchError(`property ${quote(property)} cannot be searched; search ${searchable.map((p) => `'${p}'`).join(', ')} instead.`);
  }
  const clause = (name: string): Condition => ({ kind: 'contains', property: name, value: term, ignoreCase: true });
  if (property) return clause(property);
  const all = searchable.map(clause);
  return all.length === 1 ? all[0]! : { kind: 'or', operands: all };
}

function parseSearch(value: string, shape: EntityShape): Condition {
  if (searchableProperties(shape).length === 0) throw badRequest("Query option '$search' is not supported on this resource.");
  const text = value.trim();
  if (text === '') throw searchError('the expression is empty.');
  // Tokens: "quoted clauses" (\" and \\ escape), and the words AND / OR.
  const tokens: ({ kind: 'clause'; text: string } | { kind: 'and' | 'or' })[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      let clause = '';
      for (;;) {
        if (j >= text.length) throw searchError(`unterminated quoted clause starting at position ${i + 1}.`);
        const c = text[j]!;
        if (c === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) {
          clause += text[j + 1];
          j += 2;
          continue;
        }
        if (c === '"') break;
        clause += c;
        j++;
      }
      tokens.push({ kind: 'clause', text: clause });
      i = j + 1;
      continue;
    }
    const word = /^[^\s"]+/.exec(text.slice(i))![0];
    const upper = word.toUpperCase();
    if (upper !== 'AND' && upper !== 'OR') {
      throw searchError(`${quote(word)} at position ${i + 1} is not a quoted clause, AND or OR; write "property:term".`);
    }
    tokens.push({ kind: upper === 'AND' ? 'and' : 'or' });
    i += word.length;
  }
  // or := and (OR and)* ; and := clause (AND? clause)*
  const alternatives: Condition[][] = [[]];
  let expectClause = true;
  for (const token of tokens) {
    if (token.kind === 'clause') {
      alternatives[alternatives.length - 1]!.push(searchClause(token.text, shape));
      expectClause = false;
    } else {
      if (expectClause) throw searchError(`'${token.kind.toUpperCase()}' must stand between two quoted clauses.`);
      if (token.kind === 'or') alternatives.push([]);
      expectClause = true;
    }
  }
  if (expectClause) throw searchError('the expression ends with AND or OR.');
  if (alternatives.flat().length > MAX_FILTER_PARAMETERS / 4) throw searchError('the expression has too many clauses.');
  const conjunction = (parts: Condition[]): Condition => (parts.length === 1 ? parts[0]! : { kind: 'and', operands: parts });
  return alternatives.length === 1 ? conjunction(alternatives[0]!) : { kind: 'or', operands: alternatives.map(conjunction) };
}

// ---------------------------------------------------------------------------------------------------------
// $filter: lexer

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; text: string; pos: number }
  | { kind: 'guid'; text: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: '(' | ')' | ','; text: string; pos: number }
  | { kind: 'end'; text: string; pos: number };

const filterError = (message: string) => badRequest(`Invalid $filter: ${message}`);

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    const rest = source.slice(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, text: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= source.length) throw filterError(`unterminated string literal starting at position ${i + 1}.`);
        const c = source[j]!;
        if (c === "'") {
          if (source[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          j++;
          break;
        }
        value += c;
        j++;
      }
      tokens.push({ kind: 'string', value, text: source.slice(i, j), pos: i });
      i = j;
      continue;
    }
    const guid = GUID_LITERAL.exec(rest);
    if (guid) {
      tokens.push({ kind: 'guid', text: guid[0], pos: i });
      i += guid[0].length;
      continue;
    }
    const number = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![A-Za-z0-9_.])/i.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], pos: i });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    if (ch === '/') {
      const after = /^\/\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(rest)?.[1];
      if (after && /^(any|all)$/i.test(after)) throw filterError(`the lambda operator ${quote(after)} is not supported.`);
      throw filterError(`property paths (${quote(rest.slice(0, 20))}) are not supported; only the resource's own properties can be filtered.`);
    }
    if (ch === '@') throw filterError('parameter aliases are not supported.');
    if (ch === '$') throw filterError(`${quote(/^\$\w*/.exec(rest)?.[0] ?? '$')} is not supported.`);
    if (ch === '"') throw filterError(`string literals are enclosed in single quotes, not double quotes (at position ${i + 1}).`);
    throw filterError(`unexpected character ${quote(ch)} at position ${i + 1}.`);
  }
  tokens.push({ kind: 'end', text: 'end of input', pos: source.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------
// $filter: parser

type Literal =
  | { kind: 'string'; value: string; text: string }
  | { kind: 'guid'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'boolean'; value: boolean; text: string }
  | { kind: 'null'; text: string };

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'cmp'; op: 'eq' | 'ne'; left: Node; right: Node }
  | { kind: 'in'; left: Node; items: Literal[] }
  | { kind: 'startswith'; args: Node[] }
  | { kind: 'property'; name: string }
  | { kind: 'literal'; literal: Literal };

const showLiteral = (literal: Literal) => quote(literal.kind === 'string' ? literal.value : literal.text);

const UNSUPPORTED_OPERATORS = new Set(['gt', 'ge', 'lt', 'le', 'has', 'add', 'sub', 'mul', 'div', 'divby', 'mod']);

class FilterParser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    const next = this.peek();
    if (next.kind !== 'end') throw this.unexpected(next);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.i++;
    return t;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private expect(kind: '(' | ')' | ',') {
    const t = this.next();
    if (t.kind !== kind) throw filterError(`expected '${kind}' at position ${t.pos + 1} but found ${quote(t.text)}.`);
  }

  private unexpected(t: Token) {
    if (t.kind === 'ident' && UNSUPPORTED_OPERATORS.has(t.text.toLowerCase())) {
      return filterError(`the operator ${quote(t.text)} is not supported; use eq, ne, in, startswith, and, or, not.`);
    }
    if (t.kind === 'end') return filterError('the expression ends too early.');
    return filterError(`unexpected ${quote(t.text)} at position ${t.pos + 1}.`);
  }

  private enter() {
    if (++this.depth > MAX_FILTER_DEPTH) throw filterError('the expression is nested too deeply.');
  }

  private or(): Node {
    let left = this.and();
    while (this.isKeyword('or')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): Node {
    if (this.isKeyword('not')) {
      this.next();
      this.enter();
      const operand = this.unary();
      this.depth--;
      return { kind: 'not', operand };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const left = this.primary();
    const t = this.peek();
    if (t.kind !== 'ident') return left;
    const word = t.text.toLowerCase();
    if (word === 'eq' || word === 'ne') {
      this.next();
      return { kind: 'cmp', op: word, left, right: this.primary() };
    }
    if (word === 'in') {
      this.next();
      this.expect('(');
      const items: Literal[] = [this.literal()];
      while (this.peek().kind === ',') {
        this.next();
        items.push(this.literal());
      }
      this.expect(')');
      return { kind: 'in', left, items };
    }
    if (UNSUPPORTED_OPERATORS.has(word)) throw this.unexpected(t);
    return left;
  }

  private literal(): Literal {
    const node = this.primary();
    if (node.kind !== 'literal') throw filterError("the list after 'in' may contain only literal values.");
    return node.literal;
  }

  private primary(): Node {
    const t = this.next();
    switch (t.kind) {
      case '(': {
        this.enter();
        const inner = this.or();
        this.expect(')');
        this.depth--;
        return inner;
      }
      case 'string':
        return { kind: 'literal', literal: { kind: 'string', value: t.value, text: t.text } };
      case 'guid':
        return { kind: 'literal', literal: { kind: 'guid', text: t.text } };
      case 'number':
        return { kind: 'literal', literal: { kind: 'number', text: t.text } };
      case 'ident': {
        if (this.peek().kind === 'string') {
          throw filterError(`typed literals such as ${quote(`${t.text}'…'`)} are not supported; write the value as a quoted string.`);
        }
        if (this.peek().kind === '(') {
          if (t.text.toLowerCase() !== 'startswith') {
            throw filterError(`the function ${quote(t.text)} is not supported; the only supported function is startswith.`);
          }
          this.next();
          this.enter();
          const args: Node[] = [this.or()];
          while (this.peek().kind === ',') {
            this.next();
            args.push(this.or());
          }
          this.expect(')');
          this.depth--;
          return { kind: 'startswith', args };
        }
        const word = t.text.toLowerCase();
        if (word === 'true' || word === 'false') return { kind: 'literal', literal: { kind: 'boolean', value: word === 'true', text: t.text } };
        if (word === 'null') return { kind: 'literal', literal: { kind: 'null', text: t.text } };
        if (UNSUPPORTED_OPERATORS.has(word) || ['and', 'or', 'not', 'eq', 'ne', 'in'].includes(word)) throw this.unexpected(t);
        return { kind: 'property', name: t.text };
      }
      default:
        throw this.unexpected(t);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// $filter: checking the parsed expression against the entity's properties

class FilterChecker {
  private values = 0;

  constructor(private readonly shape: EntityShape) {}

  private counted<T>(value: T): T {
    if (++this.values > MAX_FILTER_PARAMETERS) throw filterError('the expression has too many values.');
    return value;
  }

  private property(name: string): Property {
    const p = IDENTIFIER.test(name) ? lookup(this.shape, name) : undefined;
    if (!p) throw unknownProperty(name, '$filter');
    return p;
  }

  /** The request literal as a stored value of the property, or a 400 naming the property. */
  private value(name: string, p: Property, literal: Literal): Value | null {
    if (literal.kind === 'null') return null;
    const mismatch = (expected: string) =>
      filterError(`${showLiteral(literal)} is not a valid value for property ${quote(name)}: expected ${expected}.`);
    switch (p.type) {
      case 'string':
        if (literal.kind !== 'string') throw mismatch("a quoted string such as 'text'");
        return this.counted(literal.value);
      case 'boolean':
        if (literal.kind !== 'boolean') throw mismatch('true or false');
        return this.counted(literal.value);
      case 'guid': {
        const text = literal.kind === 'guid' ? literal.text : literal.kind === 'string' ? literal.value : undefined;
        if (text === undefined || !isGuid(text)) throw mismatch('a GUID');
        return this.counted(text.toLowerCase());
      }
      case 'enum': {
        const values = p.values ?? [];
        if (literal.kind !== 'string' || !values.includes(literal.value)) throw mismatch(`one of ${values.map((v) => `'${v}'`).join(', ')}`);
        return this.counted(literal.value);
      }
    }
  }

  check(node: Node): Condition {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { kind: node.kind, operands: [this.check(node.left), this.check(node.right)] };
      case 'not':
        return { kind: 'not', operand: this.check(node.operand) };
      case 'cmp':
        return this.comparison(node.op, node.left, node.right);
      case 'in':
        return this.inList(node.left, node.items);
      case 'startswith':
        return this.startsWith(node.args);
      case 'property': {
        const p = this.property(node.name);
        if (p.type !== 'boolean') {
          throw filterError(`property ${quote(node.name)} is not boolean and cannot be a condition by itself; compare it with a value.`);
        }
        return { kind: 'eq', property: node.name, value: this.counted(true) };
      }
      case 'literal':
        throw filterError(`${showLiteral(node.literal)} is not a condition; compare a property with a value, e.g. name eq 'x'.`);
    }
  }

  private comparison(op: 'eq' | 'ne', left: Node, right: Node): Condition {
    let propertyNode = left;
    let literalNode = right;
    if (left.kind === 'literal' && right.kind === 'property') {
      propertyNode = right;
      literalNode = left;
    }
    if (propertyNode.kind !== 'property' || literalNode.kind !== 'literal') {
      throw filterError(`'${op}' must compare a property with a literal value, e.g. name ${op} 'x'.`);
    }
    const name = propertyNode.name;
    const eq: Condition = { kind: 'eq', property: name, value: this.value(name, this.property(name), literalNode.literal) };
    return op === 'eq' ? eq : { kind: 'not', operand: eq };
  }

  private inList(left: Node, items: Literal[]): Condition {
    if (left.kind !== 'property') throw filterError("'in' must follow a property name, e.g. region in ('eur','nam').");
    const p = this.property(left.name);
    return { kind: 'in', property: left.name, values: items.map((l) => this.value(left.name, p, l)) };
  }

  private startsWith(args: Node[]): Condition {
    const [target, prefix] = args;
    if (args.length !== 2 || target?.kind !== 'property' || prefix?.kind !== 'literal') {
      throw filterError("startswith takes a property and a quoted string, e.g. startswith(name,'ab').");
    }
    const p = this.property(target.name);
    if (p.type !== 'string') throw filterError(`startswith needs a string property; ${quote(target.name)} is of type ${p.type}.`);
    if (prefix.literal.kind !== 'string') {
      throw filterError(`${showLiteral(prefix.literal)} is not a valid prefix for property ${quote(target.name)}: expected a quoted string.`);
    }
    return { kind: 'startsWith', property: target.name, prefix: this.counted(prefix.literal.value) };
  }
}

function parseFilter(value: string, shape: EntityShape): Condition {
  if (value.trim() === '') throw filterError('the expression is empty.');
  if (value.length > MAX_FILTER_LENGTH) throw filterError(`the expression is longer than ${MAX_FILTER_LENGTH} characters.`);
  return new FilterChecker(shape).check(new FilterParser(lex(value)).parse());
}

// ---------------------------------------------------------------------------------------------------------

export interface QueryOptions {
  version: 'beta' | 'v1.0';
  /** The navigation properties `$expand` may name, each with its target's shape (for the nested `$select`). */
  navigation?: Record<string, EntityShape>;
}

export function parseCollectionQuery(query: URLSearchParams, shape: EntityShape, options: QueryOptions): CollectionQuery {
  const raw = collectOptions(query, options.version);
  const select = raw.has('select') ? parseSelect(raw.get('select')!, shape) : undefined;
  const filter = raw.has('filter') ? parseFilter(raw.get('filter')!, shape) : undefined;
  const search = raw.has('search') ? parseSearch(raw.get('search')!, shape) : undefined;
  const orderBy = raw.has('orderby') ? parseOrderBy(raw.get('orderby')!, shape) : [];
  const pageSize = raw.has('top') ? parseTop(raw.get('top')!) : DEFAULT_PAGE_SIZE;
  const skip = raw.has('skip') ? parseSkip(raw.get('skip')!) : 0;
  const count = raw.has('count') ? parseCount(raw.get('count')!) : false;
  const expand = raw.has('expand') ? parseExpand(raw.get('expand')!, options.navigation ?? {}, options.version) : [];
  const skipToken = raw.get('skiptoken');
  if (skipToken === '') throw badRequest('The $skiptoken is empty.');
  const canonical = JSON.stringify({
    select: select ?? null,
    filter: filter ?? null,
    search: search ?? null,
    orderby: orderBy.map((o) => [o.property, o.descending ? 'desc' : 'asc']),
    top: pageSize,
    skip,
    count,
    expand: expand.map((e) => [e.property, e.select ?? null]),
  });
  return {
    ...(select ? { select } : {}),
    ...(filter ? { filter } : {}),
    ...(search ? { search } : {}),
    orderBy,
    pageSize,
    skip,
    count,
    expand,
    ...(skipToken !== undefined ? { skipToken } : {}),
    canonical,
  };
}
