/** `$filter`: its entry point, and the check of the parsed expression against the entity's properties, into a typed condition. */
import type { Condition, EntityShape, Value } from '../../lib/query.js';
import { isGuid } from '../../lib/guid.js';
import { IDENTIFIER, MAX_FILTER_PARAMETERS, lookup, quote, unknownProperty, type Property } from './common.js';
import { filterError, lex } from './filter-lexer.js';
import { FilterParser, showLiteral, type Literal, type Node } from './filter-parser.js';

export const MAX_FILTER_LENGTH = 4096;

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

/**
 * `$filter` into a typed condition. The grammar (hand-written: `@odata/parser` 0.2.14 has no `in` operator):
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
export function parseFilter(value: string, shape: EntityShape): Condition {
  if (value.trim() === '') throw filterError('the expression is empty.');
  if (value.length > MAX_FILTER_LENGTH) throw filterError(`the expression is longer than ${MAX_FILTER_LENGTH} characters.`);
  return new FilterChecker(shape).check(new FilterParser(lex(value)).parse());
}
