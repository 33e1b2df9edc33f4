/** `$filter`: its entry point, and the check of the parsed expression against the entity's properties, into a typed condition. */
import type { Condition, EntityShape, FilterOperator, Value } from '../../lib/query.js';
import { isGuid } from '../../lib/guid.js';
import { IDENTIFIER, MAX_FILTER_PARAMETERS, lookup, quote, unknownProperty, type Property } from './common.js';
import { filterError, lex } from './filter-lexer.js';
import { FilterParser, showLiteral, type Literal, type Node } from './filter-parser.js';

export const MAX_FILTER_LENGTH = 4096;

/** The operators a property of each type takes where its resource names none. */
const TYPE_OPERATORS: Record<Property['type'], readonly FilterOperator[]> = {
  string: ['eq', 'ne', 'in', 'startswith'],
  boolean: ['eq', 'ne', 'in'],
  guid: ['eq', 'ne', 'in'],
  enum: ['eq', 'ne', 'in'],
  dateTime: ['eq', 'ge', 'le'],
  complex: [],
  collection: ['any'],
};

/**
 * An `Edm.Date` or `Edm.DateTimeOffset` literal as the stored text of that instant (UTC, milliseconds), or
 * undefined when it names no instant. Finer digits round toward the side that keeps `ge` and `le` exact.
 */
function instant(text: string, op: 'eq' | 'ge' | 'le'): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|([+-])(\d{2}):(\d{2})))?$/i.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = (m[7] ?? '').padEnd(7, '0');
  const local = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.slice(0, 3)));
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  const offset = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  if (Math.abs(offset) > 14 * 60) return undefined;
  const finer = op === 'ge' && Number(fraction.slice(3)) > 0 ? 1 : 0;
  return new Date(local - offset * 60_000 + finer).toISOString();
}

class FilterChecker {
  private values = 0;
  /** The lambda variable in scope, while checking the body of `any`. */
  private variable: string | undefined;

  constructor(private shape: EntityShape) {}

  private counted<T>(value: T): T {
    if (++this.values > MAX_FILTER_PARAMETERS) throw filterError('the expression has too many values.');
    return value;
  }

  /** A property of the resource, or inside a lambda a property of its items (`t/id`, named `id`). */
  private resolve(name: string): { name: string; property: Property } {
    let own = name;
    if (this.variable !== undefined) {
      const prefix = `${this.variable}/`;
      if (!name.startsWith(prefix)) {
        throw filterError(
          `inside the lambda, name the item's properties through its variable, e.g. ${quote(`${this.variable}/id`)}; found ${quote(name)}.`,
        );
      }
      own = name.slice(prefix.length);
    }
    const segmentsValid = own.split('/').every((s) => IDENTIFIER.test(s));
    const p = segmentsValid ? lookup(this.shape, own) : undefined;
    if (p) return { name: own, property: p };
    if (own.includes('/') && !Object.keys(this.shape.properties).some((k) => k.includes('/'))) {
      throw filterError(`property paths (${quote(name)}) are not supported; only the resource's own properties can be filtered.`);
    }
    throw unknownProperty(name, '$filter');
  }

  private allow(name: string, p: Property, op: FilterOperator): void {
    const operators = p.operators ?? TYPE_OPERATORS[p.type];
    if (operators.includes(op)) return;
    if (operators.length === 0) throw filterError(`property ${quote(name)} cannot be filtered on this resource.`);
    throw filterError(`the operator ${quote(op)} is not supported on property ${quote(name)}; it takes ${operators.join(', ')}.`);
  }

  /** The request literal as a stored value of the property, or a 400 naming the property. */
  private value(name: string, p: Property, literal: Literal, op: 'eq' | 'ge' | 'le' = 'eq'): Value | null {
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
        if (literal.kind !== 'string' || !values.includes(literal.value))
          throw mismatch(`one of ${values.map((v) => `'${v}'`).join(', ')}`);
        return this.counted(literal.value);
      }
      case 'dateTime': {
        const at = literal.kind === 'dateTime' ? instant(literal.text, op) : undefined;
        if (at === undefined) throw mismatch('a date and time such as 2024-01-31T09:30:00Z, or a date such as 2024-01-31');
        return this.counted(at);
      }
      case 'complex':
      case 'collection':
        throw filterError(`property ${quote(name)} cannot be compared with a value.`);
    }
  }

  check(node: Node): Condition {
    switch (node.kind) {
      case 'and':
        return { kind: node.kind, operands: [this.check(node.left), this.check(node.right)] };
      case 'or':
        this.connective('or');
        return { kind: node.kind, operands: [this.check(node.left), this.check(node.right)] };
      case 'not':
        this.connective('not');
        return { kind: 'not', operand: this.check(node.operand) };
      case 'cmp':
        return this.comparison(node.op, node.left, node.right);
      case 'in':
        return this.inList(node.left, node.items);
      case 'startswith':
        return this.startsWith(node.args);
      case 'lambda':
        return this.lambda(node);
      case 'property': {
        const { name, property: p } = this.resolve(node.name);
        if (p.type !== 'boolean') {
          throw filterError(`property ${quote(node.name)} is not boolean and cannot be a condition by itself; compare it with a value.`);
        }
        this.allow(node.name, p, 'eq');
        return { kind: 'eq', property: name, value: this.counted(true) };
      }
      case 'literal':
        throw filterError(`${showLiteral(node.literal)} is not a condition; compare a property with a value, e.g. name eq 'x'.`);
    }
  }

  private connective(word: 'or' | 'not') {
    if (this.shape.conjunctionsOnly || this.variable !== undefined) {
      throw filterError(`${quote(word)} is not supported on this resource; join conditions with 'and'.`);
    }
  }

  private comparison(op: 'eq' | 'ne' | 'ge' | 'le', left: Node, right: Node): Condition {
    let propertyNode = left;
    let literalNode = right;
    if (left.kind === 'literal' && right.kind === 'property') {
      propertyNode = right;
      literalNode = left;
      // `5 ge x` is `x le 5`.
      if (op === 'ge' || op === 'le') op = op === 'ge' ? 'le' : 'ge';
    }
    if (propertyNode.kind !== 'property' || literalNode.kind !== 'literal') {
      throw filterError(`'${op}' must compare a property with a literal value, e.g. name ${op} 'x'.`);
    }
    const { name, property: p } = this.resolve(propertyNode.name);
    this.allow(propertyNode.name, p, op);
    if (op === 'ge' || op === 'le') {
      if (p.type !== 'dateTime' || literalNode.literal.kind === 'null') {
        throw filterError(
          `'${op}' compares a date and time property with a date and time, e.g. activityDateTime ${op} 2024-01-31T00:00:00Z.`,
        );
      }
      return { kind: 'range', property: name, op, value: this.value(propertyNode.name, p, literalNode.literal, op) as string };
    }
    const eq: Condition = { kind: 'eq', property: name, value: this.value(propertyNode.name, p, literalNode.literal) };
    return op === 'eq' ? eq : { kind: 'not', operand: eq };
  }

  private inList(left: Node, items: Literal[]): Condition {
    if (left.kind !== 'property') throw filterError("'in' must follow a property name, e.g. region in ('eur','nam').");
    const { name, property: p } = this.resolve(left.name);
    this.allow(left.name, p, 'in');
    return { kind: 'in', property: name, values: items.map((l) => this.value(left.name, p, l)) };
  }

  private startsWith(args: Node[]): Condition {
    const [target, prefix] = args;
    if (args.length !== 2 || target?.kind !== 'property' || prefix?.kind !== 'literal') {
      throw filterError("startswith takes a property and a quoted string, e.g. startswith(name,'ab').");
    }
    const { name, property: p } = this.resolve(target.name);
    if (p.type !== 'string') throw filterError(`startswith needs a string property; ${quote(target.name)} is of type ${p.type}.`);
    this.allow(target.name, p, 'startswith');
    if (prefix.literal.kind !== 'string') {
      throw filterError(
        `${showLiteral(prefix.literal)} is not a valid prefix for property ${quote(target.name)}: expected a quoted string.`,
      );
    }
    return { kind: 'startsWith', property: name, prefix: this.counted(prefix.literal.value) };
  }

  /** `collection/any(t: …)` over a collection property, its body checked against the items' shape. */
  private lambda(node: Extract<Node, { kind: 'lambda' }>): Condition {
    const operator = node.operator.toLowerCase();
    const hasCollections = Object.values(this.shape.properties).some((p) => p.type === 'collection');
    if (operator !== 'any' || this.variable !== undefined || !hasCollections) {
      throw filterError(
        `the lambda operator ${quote(node.operator)} is not supported${hasCollections && operator !== 'any' ? '; use any' : ''}.`,
      );
    }
    const { name, property: p } = this.resolve(node.collection);
    this.allow(node.collection, p, 'any');
    if (!IDENTIFIER.test(node.variable) || !p.items) throw filterError(`${quote(node.variable)} cannot name the lambda's variable.`);
    const outer = this.shape;
    this.shape = p.items;
    this.variable = node.variable;
    try {
      return { kind: 'any', property: name, condition: this.check(node.body) };
    } finally {
      this.shape = outer;
      this.variable = undefined;
    }
  }
}

/**
 * `$filter` into a typed condition. The grammar (hand-written: `@odata/parser` 0.2.14 has no `in` operator):
 *   or    := and ('or' and)*
 *   and   := unary ('and' unary)*
 *   unary := 'not' unary | cmp
 *   cmp   := primary [ ('eq' | 'ne' | 'ge' | 'le') primary | 'in' '(' literal (',' literal)* ')' ]
 *   primary := '(' or ')' | startswith '(' path ',' string ')' | path '/' 'any' '(' name ':' or ')' | path | literal
 *   path  := name ('/' name)*
 * Keywords and function names are case-insensitive; property names are exact. Literals: `'text'` (quote
 * doubled inside), `true`, `false`, `null`, GUIDs (bare or quoted) for guid properties, and unquoted dates and
 * times (`2024-01-31`, `2024-01-31T09:30:00Z`) for dateTime ones. Enum values are quoted strings and must be
 * members of the property's enum. Each literal is checked against its property's type here, so the
 * condition holds only values of the right type; the operators a property takes are its shape's.
 */
export function parseFilter(value: string, shape: EntityShape): Condition {
  if (value.trim() === '') throw filterError('the expression is empty.');
  if (value.length > MAX_FILTER_LENGTH) throw filterError(`the expression is longer than ${MAX_FILTER_LENGTH} characters.`);
  return new FilterChecker(shape).check(new FilterParser(lex(value)).parse());
}
