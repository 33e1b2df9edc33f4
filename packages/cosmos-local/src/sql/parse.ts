/**
 * A parser for the subset of Cosmos DB's NoSQL query language this server runs (README.md, "What it serves"):
 *
 *   SELECT [TOP n] { * | VALUE expr | expr [AS name], ... } FROM name [[AS] alias]
 *   [WHERE expr] [ORDER BY expr [ASC|DESC], ...]
 *
 * and, as an expression, `EXISTS(SELECT VALUE expr FROM x IN expr [WHERE expr])` over an array of the
 * document, whose inner expressions name only its item `x`.
 * with constants, parameters (@name), property paths (a.b, a["b"], a[0]), arrays and objects, the
 * operators NOT AND OR = != <> < <= > >= IN BETWEEN + - * / % ||, and function calls. Recursive descent:
 * linear in the query's length, so no nesting makes it slow; nesting deeper than MAX_DEPTH is refused.
 * JOIN, other subqueries, DISTINCT, GROUP BY, OFFSET/LIMIT and LIKE are refused with a message that says so.
 */
import type { Value } from '../values.js';

export type Expr =
  | { kind: 'const'; value: Value }
  | { kind: 'param'; name: string }
  | { kind: 'ref'; name: string }
  | { kind: 'member'; object: Expr; key: string | number }
  | { kind: 'index'; object: Expr; index: Expr }
  | { kind: 'unary'; op: 'NOT' | '-' | '+'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'in'; operand: Expr; list: Expr[]; negated: boolean }
  | { kind: 'between'; operand: Expr; low: Expr; high: Expr; negated: boolean }
  | { kind: 'call'; name: string; args: Expr[] }
  /** `EXISTS(SELECT VALUE select FROM alias IN source WHERE where)`: some item of `source` is selected. */
  | { kind: 'exists'; alias: string; source: Expr; select: Expr; where?: Expr }
  | { kind: 'array'; items: Expr[] }
  | { kind: 'object'; properties: { key: string; value: Expr }[] };

export type BinaryOp = 'AND' | 'OR' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '||';

export type Selection = { kind: 'star' } | { kind: 'value'; expr: Expr } | { kind: 'list'; items: { expr: Expr; name: string }[] };

export interface SortKey {
  expr: Expr;
  descending: boolean;
}

export interface Query {
  top?: number;
  select: Selection;
  /** The name documents are bound to (the FROM alias, or the container name). */
  alias: string;
  where?: Expr;
  orderBy: SortKey[];
}

/** A query this server cannot parse or will not run: answered 400 BadRequest. */
export class SqlError extends Error {
  override readonly name = 'SqlError';
}

const MAX_DEPTH = 128;
const MAX_QUERY_LENGTH = 256 * 1024;

type Token =
  | { type: 'word'; text: string; upper: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'param'; name: string; at: number }
  | { type: 'punct'; text: string; at: number }
  | { type: 'end'; at: number };

const PUNCTUATION = ['!=', '<>', '<=', '>=', '||', '(', ')', '[', ']', '{', '}', ',', '.', ':', '*', '=', '<', '>', '+', '-', '/', '%'];
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '/': '/', '\\': '\\', "'": "'", '"': '"' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (text.startsWith('--', i)) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i] as string)) i += 1;
      const word = text.slice(start, i);
      tokens.push({ type: 'word', text: word, upper: word.toUpperCase(), at: start });
    } else if (ch === '@') {
      const start = i;
      i += 1;
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i] as string)) i += 1;
      if (i === start + 1) throw new SqlError(`Syntax error at position ${start}: a parameter needs a name.`);
      tokens.push({ type: 'param', name: text.slice(start, i), at: start });
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const match = /^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(text.slice(i));
      const literal = (match as RegExpExecArray)[0];
      tokens.push({ type: 'number', value: Number(literal), at: i });
      i += literal.length;
    } else if (ch === "'" || ch === '"') {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new SqlError(`Syntax error at position ${start}: the string is not closed.`);
        const c = text[i] as string;
        if (c === ch) break;
        if (c === '\\') {
          const next = text[i + 1] ?? '';
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          const escaped = ESCAPES[next];
          if (escaped === undefined) throw new SqlError(`Syntax error at position ${i}: unknown escape \\${next}.`);
          value += escaped;
          i += 2;
          continue;
        }
        value += c;
        i += 1;
      }
      tokens.push({ type: 'string', value, at: start });
      i += 1;
    } else {
      const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
      if (!punct) throw new SqlError(`Syntax error at position ${i}: unexpected '${ch}'.`);
      tokens.push({ type: 'punct', text: punct, at: i });
      i += punct.length;
    }
  }
  tokens.push({ type: 'end', at: text.length });
  return tokens;
}

/** Words that cannot name an alias or start an expression as an identifier. */
const RESERVED = new Set([
  'AND',
  'AS',
  'ASC',
  'BETWEEN',
  'BY',
  'DESC',
  'DISTINCT',
  'EXISTS',
  'FALSE',
  'FROM',
  'GROUP',
  'IN',
  'JOIN',
  'LIKE',
  'LIMIT',
  'NOT',
  'NULL',
  'OFFSET',
  'OR',
  'ORDER',
  'SELECT',
  'TOP',
  'TRUE',
  'UNDEFINED',
  'VALUE',
  'WHERE',
]);

const unsupported = (what: string): SqlError => new SqlError(`${what} is not supported by the embedded Cosmos DB server.`);

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.pos += 1;
    return token;
  }

  private isWord(upper: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'word' && token.upper === upper;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.type === 'punct' && token.text === text;
  }

  private acceptWord(upper: string): boolean {
    if (!this.isWord(upper)) return false;
    this.pos += 1;
    return true;
  }

  private acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.pos += 1;
    return true;
  }

  private fail(expected: string): never {
    const token = this.peek();
    const found = token.type === 'end' ? 'the end of the query' : `'${describe(token)}'`;
    throw new SqlError(`Syntax error at position ${token.at}: expected ${expected}, found ${found}.`);
  }

  private expectWord(upper: string): void {
    if (!this.acceptWord(upper)) this.fail(upper);
  }

  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) this.fail(`'${text}'`);
  }

  private identifier(what: string): string {
    const token = this.peek();
    if (token.type !== 'word' || RESERVED.has(token.upper)) this.fail(what);
    this.pos += 1;
    return token.text;
  }

  query(): Query {
    this.expectWord('SELECT');
    if (this.isWord('DISTINCT')) throw unsupported('DISTINCT');
    let top: number | undefined;
    if (this.acceptWord('TOP')) {
      const token = this.next();
      if (token.type === 'number' && Number.isInteger(token.value) && token.value >= 0) top = token.value;
      else if (token.type === 'param') throw unsupported('TOP with a parameter');
      else this.fail('a whole number after TOP');
    }
    const select = this.selection();
    this.expectWord('FROM');
    const name = this.isWord('ROOT') ? (this.next() as { text: string }).text : this.identifier('a container name');
    if (this.isPunct('(')) throw unsupported('A subquery in FROM');
    let alias = name;
    if (this.acceptWord('AS')) alias = this.identifier('an alias');
    else if (this.peek().type === 'word' && !RESERVED.has((this.peek() as { upper: string }).upper)) alias = this.identifier('an alias');
    if (this.isWord('IN')) throw unsupported('FROM x IN y');
    if (this.isWord('JOIN')) throw unsupported('JOIN');
    const where = this.acceptWord('WHERE') ? this.expression() : undefined;
    if (this.isWord('GROUP')) throw unsupported('GROUP BY');
    const orderBy: SortKey[] = [];
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      do {
        const expr = this.expression();
        const descending = this.acceptWord('DESC');
        if (!descending) this.acceptWord('ASC');
        orderBy.push({ expr, descending });
      } while (this.acceptPunct(','));
    }
    if (this.isWord('OFFSET') || this.isWord('LIMIT')) throw unsupported('OFFSET ... LIMIT');
    if (this.peek().type !== 'end') this.fail('the end of the query');
    return { ...(top === undefined ? {} : { top }), select, alias, ...(where ? { where } : {}), orderBy };
  }

  private selection(): Selection {
    if (this.acceptPunct('*')) return { kind: 'star' };
    if (this.acceptWord('VALUE')) return { kind: 'value', expr: this.expression() };
    const items: { expr: Expr; name: string }[] = [];
    do {
      const expr = this.expression();
      let name: string | undefined;
      if (this.acceptWord('AS')) name = this.identifier('a name after AS');
      else if (this.peek().type === 'word' && !RESERVED.has((this.peek() as { upper: string }).upper)) name = this.identifier('a name');
      name ??= expr.kind === 'member' && typeof expr.key === 'string' ? expr.key : expr.kind === 'ref' ? expr.name : `$${items.length + 1}`;
      items.push({ expr, name });
    } while (this.acceptPunct(','));
    return { kind: 'list', items };
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new SqlError(`The query nests expressions more than ${MAX_DEPTH} levels deep.`);
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  expression(): Expr {
    return this.nested(() => this.or());
  }

  private or(): Expr {
    let left = this.and();
    while (this.acceptWord('OR')) left = { kind: 'binary', op: 'OR', left, right: this.and() };
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.acceptWord('AND')) left = { kind: 'binary', op: 'AND', left, right: this.not() };
    return left;
  }

  private not(): Expr {
    if (this.acceptWord('NOT')) return this.nested(() => ({ kind: 'unary', op: 'NOT', operand: this.not() }));
    return this.comparison();
  }

  private comparison(): Expr {
    let left = this.additive();
    for (;;) {
      const token = this.peek();
      if (token.type === 'punct' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(token.text)) {
        this.pos += 1;
        const op = (token.text === '<>' ? '!=' : token.text) as BinaryOp;
        left = { kind: 'binary', op, left, right: this.additive() };
        continue;
      }
      const negated = this.isWord('NOT') && (this.isWord('IN', 1) || this.isWord('BETWEEN', 1) || this.isWord('LIKE', 1));
      if (negated) this.pos += 1;
      if (this.isWord('LIKE')) throw unsupported('LIKE');
      if (this.acceptWord('IN')) {
        this.expectPunct('(');
        const list: Expr[] = [];
        if (this.isWord('SELECT')) throw unsupported('A subquery');
        do list.push(this.expression());
        while (this.acceptPunct(','));
        this.expectPunct(')');
        left = { kind: 'in', operand: left, list, negated };
        continue;
      }
      if (this.acceptWord('BETWEEN')) {
        const low = this.additive();
        this.expectWord('AND');
        left = { kind: 'between', operand: left, low, high: this.additive(), negated };
        continue;
      }
      if (negated) this.fail('IN or BETWEEN after NOT');
      return left;
    }
  }

  private additive(): Expr {
    return this.leftAssociative(['+', '-', '||'], () => this.multiplicative());
  }

  private multiplicative(): Expr {
    return this.leftAssociative(['*', '/', '%'], () => this.unary());
  }

  /** One precedence level of binary operators that group to the left: `a - b - c` is `(a - b) - c`. */
  private leftAssociative(ops: readonly string[], operand: () => Expr): Expr {
    let left = operand();
    for (;;) {
      const token = this.peek();
      if (token.type !== 'punct' || !ops.includes(token.text)) return left;
      this.pos += 1;
      left = { kind: 'binary', op: token.text as BinaryOp, left, right: operand() };
    }
  }

  private unary(): Expr {
    const token = this.peek();
    if (token.type === 'punct' && (token.text === '-' || token.text === '+')) {
      this.pos += 1;
      return this.nested(() => ({ kind: 'unary', op: token.text as '-' | '+', operand: this.unary() }));
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      if (this.acceptPunct('.')) {
        const token = this.next();
        if (token.type !== 'word') this.fail('a property name after "."');
        expr = { kind: 'member', object: expr, key: (token as { text: string }).text };
      } else if (this.acceptPunct('[')) {
        const index = this.expression();
        this.expectPunct(']');
        expr =
          index.kind === 'const' && (typeof index.value === 'string' || typeof index.value === 'number')
            ? { kind: 'member', object: expr, key: index.value }
            : { kind: 'index', object: expr, index };
      } else {
        return expr;
      }
    }
  }

  private primary(): Expr {
    const token = this.next();
    switch (token.type) {
      case 'number':
        return { kind: 'const', value: token.value };
      case 'string':
        return { kind: 'const', value: token.value };
      case 'param':
        return { kind: 'param', name: token.name };
      case 'punct':
        if (token.text === '(') {
          if (this.isWord('SELECT')) throw unsupported('A subquery');
          const inner = this.expression();
          this.expectPunct(')');
          return inner;
        }
        if (token.text === '[') return { kind: 'array', items: this.list(']') };
        if (token.text === '{') return this.object();
        break;
      case 'word': {
        switch (token.upper) {
          case 'TRUE':
            return { kind: 'const', value: true };
          case 'FALSE':
            return { kind: 'const', value: false };
          case 'NULL':
            return { kind: 'const', value: null };
          case 'UNDEFINED':
            return { kind: 'const', value: undefined };
          case 'EXISTS':
            if (this.isPunct('(')) return this.exists();
            break;
          case 'ARRAY':
            if (this.isPunct('(')) throw unsupported(`${token.upper}(subquery)`);
            break;
          case 'UDF':
            throw unsupported('A user-defined function');
        }
        if (RESERVED.has(token.upper)) break;
        if (this.acceptPunct('(')) return { kind: 'call', name: token.upper, args: this.list(')') };
        return { kind: 'ref', name: token.text };
      }
      case 'end':
        break;
    }
    this.pos -= token.type === 'end' ? 0 : 1;
    return this.fail('an expression');
  }

  /** The subquery of EXISTS, after the word: one item alias over an array, `SELECT VALUE` only. */
  private exists(): Expr {
    this.expectPunct('(');
    this.expectWord('SELECT');
    if (!this.acceptWord('VALUE')) throw unsupported('An EXISTS subquery other than SELECT VALUE … FROM x IN …');
    const select = this.expression();
    this.expectWord('FROM');
    const alias = this.identifier('an alias');
    if (!this.acceptWord('IN')) throw unsupported('An EXISTS subquery other than SELECT VALUE … FROM x IN …');
    const source = this.expression();
    if (this.isWord('JOIN')) throw unsupported('JOIN');
    const where = this.acceptWord('WHERE') ? this.expression() : undefined;
    this.expectPunct(')');
    return { kind: 'exists', alias, source, select, ...(where ? { where } : {}) };
  }

  private list(close: string): Expr[] {
    const items: Expr[] = [];
    if (this.acceptPunct(close)) return items;
    do items.push(this.expression());
    while (this.acceptPunct(','));
    this.expectPunct(close);
    return items;
  }

  private object(): Expr {
    const properties: { key: string; value: Expr }[] = [];
    if (!this.acceptPunct('}')) {
      do {
        const token = this.next();
        if (token.type !== 'word' && token.type !== 'string') this.fail('a property name');
        const key = token.type === 'word' ? token.text : (token as { value: string }).value;
        this.expectPunct(':');
        properties.push({ key, value: this.expression() });
      } while (this.acceptPunct(','));
      this.expectPunct('}');
    }
    return { kind: 'object', properties };
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'word':
    case 'punct':
      return token.text;
    case 'number':
      return String(token.value);
    case 'string':
      return JSON.stringify(token.value);
    case 'param':
      return token.name;
    case 'end':
      return '';
  }
}

export function parseQuery(text: string): Query {
  if (text.length > MAX_QUERY_LENGTH) throw new SqlError(`The query is longer than ${MAX_QUERY_LENGTH} characters.`);
  return new Parser(tokenize(text)).query();
}
