/**
 * Conditions and orderings compiled to parameterized Cosmos SQL over `c`. Only this file (and store.ts)
 * writes SQL; property names come from the caller's shape keys, values only ever become parameters.
 *
 * Semantics are two-valued: each comparison compiles to SQL that is true or false for every document, never
 * Cosmos `undefined` (Azure Cosmos DB answers `undefined` for `null = 'x'`, `null != 'x'`, a comparison with
 * a missing field, and `NOT undefined`, which would silently drop rows). So on a `nullable` property a null
 * or missing value never equals a value, never starts with anything, is never `in` a list without `null`,
 * is `ne` every value, and is `eq null`. Non-nullable properties are assumed always stored with their
 * declared type (the directory writes every property), so they compile to plain comparisons.
 *
 * A condition compiles to a formula in negation normal form: AND/OR over atoms, each atom knowing its own
 * complement, so `NOT` appears only before a function call and parentheses only around an OR inside an AND.
 * Nesting is capped: the embedded server's parser slows with each level, and Azure bounds query complexity.
 */
import { StoreError } from './errors.js';
import type { Condition, EntityShape, Ordering, PropertyShape, Value } from '../lib/query.js';

export interface SqlFilter {
  /** Safe to AND with other conditions as it is (a top-level OR comes parenthesized). */
  sql: string;
  parameters: { name: string; value: Value }[];
}

/** Parenthesis nesting of the compiled SQL (AND over OR over AND ...). */
const MAX_SQL_NESTING = 3;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Cosmos SQL keywords: a property so named is addressed as `c["name"]`. */
const SQL_KEYWORDS = new Set([
  'and',
  'array',
  'as',
  'asc',
  'between',
  'by',
  'case',
  'cast',
  'convert',
  'cross',
  'desc',
  'distinct',
  'else',
  'end',
  'escape',
  'exists',
  'false',
  'for',
  'from',
  'group',
  'having',
  'in',
  'inner',
  'insert',
  'into',
  'is',
  'join',
  'left',
  'like',
  'limit',
  'not',
  'null',
  'offset',
  'on',
  'or',
  'order',
  'outer',
  'over',
  'right',
  'select',
  'set',
  'then',
  'top',
  'true',
  'udf',
  'undefined',
  'update',
  'value',
  'when',
  'where',
  'with',
]);

/** `c.name` (`c.a.b` for the path `a/b`) for a property name from a shape (never from a request). */
export function propertyRef(name: string, alias = 'c'): string {
  let ref = alias;
  for (const segment of name.split('/')) {
    if (!IDENTIFIER.test(segment)) throw new Error(`store: property name ${JSON.stringify(name)} is not an identifier`);
    ref += SQL_KEYWORDS.has(segment.toLowerCase()) ? `[${JSON.stringify(segment)}]` : `.${segment}`;
  }
  return ref;
}

export function orderByClause(orderBy: readonly Ordering[] | undefined): string {
  if (!orderBy?.length) return '';
  return ` ORDER BY ${orderBy.map((o) => `${propertyRef(o.property)}${o.descending ? ' DESC' : ''}`).join(', ')}`;
}

type Formula = { kind: 'atom'; sql: string; negate: () => Formula } | { kind: 'and' | 'or'; parts: Formula[] };

/** An atom and its complement, each the other's negation. */
function atom(sql: string, complement: string): Formula {
  const positive: Formula = { kind: 'atom', sql, negate: () => negative };
  const negative: Formula = { kind: 'atom', sql: complement, negate: () => positive };
  return positive;
}

function junction(kind: 'and' | 'or', parts: Formula[]): Formula {
  const flat = parts.flatMap((p) => (p.kind === kind ? p.parts : [p]));
  const [only] = flat;
  return flat.length === 1 && only ? only : { kind, parts: flat };
}

function negate(f: Formula): Formula {
  if (f.kind === 'atom') return f.negate();
  return junction(f.kind === 'and' ? 'or' : 'and', f.parts.map(negate));
}

/** SQL with the fewest parentheses (AND binds tighter than OR); `depth` counts their nesting. */
function print(f: Formula): { sql: string; depth: number } {
  if (f.kind === 'atom') return { sql: f.sql, depth: 0 };
  const parts = f.parts.map((p) => {
    const printed = print(p);
    return f.kind === 'and' && p.kind === 'or' ? { sql: `(${printed.sql})`, depth: printed.depth + 1 } : printed;
  });
  return { sql: parts.map((p) => p.sql).join(f.kind === 'and' ? ' AND ' : ' OR '), depth: Math.max(...parts.map((p) => p.depth)) };
}

/** The variable of an `any` subquery: one level only, so one name. */
const ITEM_ALIAS = 't';

class Compiler {
  constructor(
    private readonly shape: EntityShape | undefined,
    readonly parameters: SqlFilter['parameters'] = [],
    private readonly alias = 'c',
  ) {}

  private ref(name: string): string {
    return propertyRef(name, this.alias);
  }

  private param(value: Value): string {
    const name = `@f${this.parameters.length}`;
    this.parameters.push({ name, value });
    return name;
  }

  private property(name: string): PropertyShape | undefined {
    return this.shape && Object.hasOwn(this.shape.properties, name) ? this.shape.properties[name] : undefined;
  }

  /** The property is null (a nullable one also when it was never written). */
  private isNull(ref: string, p: PropertyShape | undefined): Formula {
    const isNull = atom(`IS_NULL(${ref})`, `NOT IS_NULL(${ref})`);
    return p?.nullable ? junction('or', [atom(`NOT IS_DEFINED(${ref})`, `IS_DEFINED(${ref})`), isNull]) : isNull;
  }

  /** `condition` where a nullable property holds a value: on Azure `null = 'x'` is undefined, not false. */
  private guarded(ref: string, p: PropertyShape | undefined, condition: Formula): Formula {
    return p?.nullable ? junction('and', [negate(this.isNull(ref, p)), condition]) : condition;
  }

  private equals(ref: string, p: PropertyShape | undefined, value: Value): Formula {
    const param = this.param(value);
    return this.guarded(ref, p, atom(`${ref} = ${param}`, `${ref} != ${param}`));
  }

  compile(c: Condition): Formula {
    switch (c.kind) {
      case 'and':
      case 'or':
        return junction(
          c.kind,
          c.operands.map((o) => this.compile(o)),
        );
      case 'not':
        return negate(this.compile(c.operand));
      case 'eq': {
        const ref = this.ref(c.property);
        const p = this.property(c.property);
        return c.value === null ? this.isNull(ref, p) : this.equals(ref, p, c.value);
      }
      case 'in':
        return this.inList(c.property, c.values);
      case 'startsWith': {
        const ref = this.ref(c.property);
        const param = this.param(c.prefix);
        return this.guarded(ref, this.property(c.property), atom(`STARTSWITH(${ref}, ${param})`, `NOT STARTSWITH(${ref}, ${param})`));
      }
      case 'contains': {
        // LOWER on both sides rather than CONTAINS' third argument, which the embedded server lacks.
        const ref = this.ref(c.property);
        const text = c.ignoreCase ? `LOWER(${ref})` : ref;
        const param = this.param(c.ignoreCase ? c.value.toLowerCase() : c.value);
        return this.guarded(ref, this.property(c.property), atom(`CONTAINS(${text}, ${param})`, `NOT CONTAINS(${text}, ${param})`));
      }
      case 'range': {
        const ref = this.ref(c.property);
        const param = this.param(c.value);
        const [at, beyond] = c.op === 'ge' ? ['>=', '<'] : ['<=', '>'];
        return this.guarded(ref, this.property(c.property), atom(`${ref} ${at} ${param}`, `${ref} ${beyond} ${param}`));
      }
      case 'any': {
        // A missing or null collection yields no items: EXISTS is false, never undefined.
        const items = new Compiler(this.property(c.property)?.items, this.parameters, ITEM_ALIAS);
        const inner = print(items.compile(c.condition)).sql;
        const exists = `EXISTS(SELECT VALUE ${ITEM_ALIAS} FROM ${ITEM_ALIAS} IN ${this.ref(c.property)} WHERE ${inner})`;
        return atom(exists, `NOT ${exists}`);
      }
    }
  }

  private inList(property: string, values: (Value | null)[]): Formula {
    const ref = this.ref(property);
    const p = this.property(property);
    const parts: Formula[] = [];
    if (values.includes(null)) parts.push(this.isNull(ref, p));
    const nonNull = [...new Set(values.filter((v): v is Value => v !== null))];
    const [only] = nonNull;
    if (nonNull.length === 1 && only !== undefined) parts.push(this.equals(ref, p, only));
    if (nonNull.length > 1) {
      const params = nonNull.map((v) => this.param(v));
      const notIn = junction(
        'and',
        params.map((param) => atom(`${ref} != ${param}`, `${ref} = ${param}`)),
      );
      const isIn: Formula = { kind: 'atom', sql: `${ref} IN (${params.join(', ')})`, negate: () => notIn };
      parts.push(this.guarded(ref, p, isIn));
    }
    // An empty list matches nothing.
    return parts.length ? junction('or', parts) : atom('false', 'true');
  }
}

/** `condition` as SQL over `c`; `shape` says which properties are nullable. */
export function compileCondition(condition: Condition, shape?: EntityShape): SqlFilter {
  const compiler = new Compiler(shape);
  const formula = compiler.compile(condition);
  const printed = print(formula);
  const wrapped = formula.kind === 'or';
  if (printed.depth + (wrapped ? 1 : 0) > MAX_SQL_NESTING) {
    throw new StoreError('invalid', 'The filter nests and/or too deeply; simplify it.');
  }
  return { sql: wrapped ? `(${printed.sql})` : printed.sql, parameters: compiler.parameters };
}
