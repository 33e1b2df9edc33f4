/** `$filter`: the parser, from tokens to a syntax tree (the grammar is at `parseFilter`, filter.ts). */
import { quote } from './common.js';
import { filterError, type Token } from './filter-lexer.js';

export const MAX_FILTER_DEPTH = 32;

export type Literal =
  | { kind: 'string'; value: string; text: string }
  | { kind: 'guid'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'dateTime'; text: string }
  | { kind: 'boolean'; value: boolean; text: string }
  | { kind: 'null'; text: string };

export type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'cmp'; op: 'eq' | 'ne' | 'ge' | 'le'; left: Node; right: Node }
  | { kind: 'in'; left: Node; items: Literal[] }
  | { kind: 'startswith'; args: Node[] }
  /** A property or a path (`initiatedBy/user/id`, `t/displayName`), its segments joined by `/`. */
  | { kind: 'property'; name: string }
  /** `collection/any(variable: body)` (or `all`). */
  | { kind: 'lambda'; operator: string; collection: string; variable: string; body: Node }
  | { kind: 'literal'; literal: Literal };

export const showLiteral = (literal: Literal) => quote(literal.kind === 'string' ? literal.value : literal.text);

const UNSUPPORTED_OPERATORS = new Set(['gt', 'lt', 'has', 'add', 'sub', 'mul', 'div', 'divby', 'mod']);

export class FilterParser {
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
    // Past the end, the lexer's closing 'end' token again.
    const token = this.tokens[this.i] ?? this.tokens.at(-1);
    if (!token) throw new Error('filter: lex() returned no end token');
    return token;
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

  private expect(kind: '(' | ')' | ',' | ':') {
    const t = this.next();
    if (t.kind !== kind) throw filterError(`expected '${kind}' at position ${t.pos + 1} but found ${quote(t.text)}.`);
  }

  private unexpected(t: Token) {
    if (t.kind === 'ident' && UNSUPPORTED_OPERATORS.has(t.text.toLowerCase())) {
      return filterError(`the operator ${quote(t.text)} is not supported; use eq, ne, in, ge, le, startswith, any, and, or, not.`);
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
    if (word === 'eq' || word === 'ne' || word === 'ge' || word === 'le') {
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
      case 'dateTime':
        return { kind: 'literal', literal: { kind: 'dateTime', text: t.text } };
      case 'ident': {
        if (this.peek().kind === '/') return this.path(t.text);
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
        if (word === 'true' || word === 'false')
          return { kind: 'literal', literal: { kind: 'boolean', value: word === 'true', text: t.text } };
        if (word === 'null') return { kind: 'literal', literal: { kind: 'null', text: t.text } };
        if (UNSUPPORTED_OPERATORS.has(word) || ['and', 'or', 'not', 'eq', 'ne', 'ge', 'le', 'in'].includes(word)) throw this.unexpected(t);
        return { kind: 'property', name: t.text };
      }
      default:
        throw this.unexpected(t);
    }
  }

  /** `a/b/c` after its first segment; a last segment followed by `(` is a lambda operator over the path before it. */
  private path(first: string): Node {
    const segments = [first];
    while (this.peek().kind === '/') {
      this.next();
      const t = this.next();
      if (t.kind !== 'ident' || t.text.includes('.'))
        throw filterError(`expected a property name after '/' at position ${t.pos + 1} but found ${quote(t.text)}.`);
      segments.push(t.text);
    }
    if (this.peek().kind !== '(') return { kind: 'property', name: segments.join('/') };
    const operator = segments.pop() ?? '';
    this.next();
    const variable = this.next();
    if (variable.kind !== 'ident' || this.peek().kind !== ':') {
      throw filterError(
        `the lambda ${quote(`${segments.join('/')}/${operator}`)} needs a variable and a condition, e.g. targetResources/any(t: t/id eq 'x').`,
      );
    }
    this.next();
    this.enter();
    const body = this.or();
    this.expect(')');
    this.depth--;
    return { kind: 'lambda', operator, collection: segments.join('/'), variable: variable.text, body };
  }
}
