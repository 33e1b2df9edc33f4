/**
 * Expressions compiled once to closures over (document, parameters), with Azure Cosmos DB's semantics:
 * - comparing values of different types, or with undefined, gives undefined (`null = 'x'` is not false);
 * - AND is false if either side is false, true if both are true, otherwise undefined; OR likewise; NOT of
 *   anything but a boolean is undefined; WHERE keeps a document only when its condition is true;
 * - a function given arguments of the wrong type, and arithmetic on non-numbers, give undefined.
 */
import { isObject, sameValue, typeOf, valueAt, type Json, type Value } from '../values.js';
import { SqlError, type BinaryOp, type Expr } from './parse.js';

export type Parameters = ReadonlyMap<string, Json>;
export type Compiled = (doc: Value, parameters: Parameters) => Value;

const isBool = (v: Value): v is boolean => typeof v === 'boolean';
const isNum = (v: Value): v is number => typeof v === 'number';
const isStr = (v: Value): v is string => typeof v === 'string';

/** `=` (and IN): undefined across types. */
export function equals(a: Value, b: Value): boolean | undefined {
  if (a === undefined || b === undefined || typeOf(a) !== typeOf(b)) return undefined;
  return sameValue(a, b);
}

function ordered(a: Value, b: Value): number | undefined {
  if ((isNum(a) && isNum(b)) || (isStr(a) && isStr(b)) || (isBool(a) && isBool(b))) return a === b ? 0 : a < b ? -1 : 1;
  return undefined;
}

function and(a: Value, b: Value): boolean | undefined {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : undefined;
}

function or(a: Value, b: Value): boolean | undefined {
  if (a === true || b === true) return true;
  return a === false && b === false ? false : undefined;
}

const numeric =
  (f: (x: number, y: number) => number) =>
  (a: Value, b: Value): Value => {
    if (!isNum(a) || !isNum(b)) return undefined;
    const r = f(a, b);
    return Number.isFinite(r) ? r : undefined;
  };

const BINARY: Record<Exclude<BinaryOp, 'AND' | 'OR'>, (a: Value, b: Value) => Value> = {
  '=': equals,
  '!=': (a, b) => {
    const e = equals(a, b);
    return e === undefined ? undefined : !e;
  },
  '<': (a, b) => (ordered(a, b) === undefined ? undefined : (ordered(a, b) as number) < 0),
  '<=': (a, b) => (ordered(a, b) === undefined ? undefined : (ordered(a, b) as number) <= 0),
  '>': (a, b) => (ordered(a, b) === undefined ? undefined : (ordered(a, b) as number) > 0),
  '>=': (a, b) => (ordered(a, b) === undefined ? undefined : (ordered(a, b) as number) >= 0),
  '+': numeric((x, y) => x + y),
  '-': numeric((x, y) => x - y),
  '*': numeric((x, y) => x * y),
  '/': numeric((x, y) => x / y),
  '%': numeric((x, y) => x % y),
  '||': (a, b) => (isStr(a) && isStr(b) ? a + b : undefined),
};

type Fn = { arity: [number, number]; apply: (args: Value[]) => Value };

const str1 = (f: (s: string) => Value): Fn => ({ arity: [1, 1], apply: ([s]) => (isStr(s) ? f(s) : undefined) });
const str2 = (f: (s: string, t: string) => Value): Fn => ({
  arity: [2, 3],
  apply: ([s, t, ignoreCase]) => {
    if (!isStr(s) || !isStr(t) || (ignoreCase !== undefined && !isBool(ignoreCase))) return undefined;
    return ignoreCase ? f(s.toLowerCase(), t.toLowerCase()) : f(s, t);
  },
});
const test = (f: (v: Value) => boolean): Fn => ({ arity: [1, 1], apply: ([v]) => f(v) });
const math1 = (f: (x: number) => number): Fn => ({ arity: [1, 1], apply: ([x]) => (isNum(x) && Number.isFinite(f(x)) ? f(x) : undefined) });

/** The built-in scalar functions this server knows (Azure's names). */
const FUNCTIONS: Record<string, Fn> = {
  IS_DEFINED: test((v) => v !== undefined),
  IS_NULL: test((v) => v === null),
  IS_BOOL: test(isBool),
  IS_NUMBER: test(isNum),
  IS_STRING: test(isStr),
  IS_ARRAY: test(Array.isArray),
  IS_OBJECT: test(isObject),
  IS_PRIMITIVE: test((v) => v === null || isBool(v) || isNum(v) || isStr(v)),
  STARTSWITH: str2((s, p) => s.startsWith(p)),
  ENDSWITH: str2((s, p) => s.endsWith(p)),
  CONTAINS: str2((s, p) => s.includes(p)),
  STRINGEQUALS: str2((s, t) => s === t),
  INDEX_OF: { arity: [2, 2], apply: ([s, t]) => (isStr(s) && isStr(t) ? s.indexOf(t) : undefined) },
  LOWER: str1((s) => s.toLowerCase()),
  UPPER: str1((s) => s.toUpperCase()),
  LTRIM: str1((s) => s.trimStart()),
  RTRIM: str1((s) => s.trimEnd()),
  TRIM: str1((s) => s.trim()),
  LENGTH: str1((s) => s.length),
  REVERSE: str1((s) => [...s].reverse().join('')),
  SUBSTRING: {
    arity: [3, 3],
    apply: ([s, start, length]) => (isStr(s) && isNum(start) && isNum(length) ? s.substring(start, start + length) : undefined),
  },
  CONCAT: { arity: [2, Infinity], apply: (args) => (args.every(isStr) ? args.join('') : undefined) },
  TOSTRING: { arity: [1, 1], apply: ([v]) => (v === undefined ? undefined : isStr(v) ? v : JSON.stringify(v)) },
  ARRAY_LENGTH: { arity: [1, 1], apply: ([a]) => (Array.isArray(a) ? a.length : undefined) },
  ARRAY_CONTAINS: {
    arity: [2, 3],
    apply: ([a, v, partial]) => {
      if (!Array.isArray(a) || (partial !== undefined && !isBool(partial))) return undefined;
      if (!partial || !isObject(v)) return a.some((item) => equals(item, v) === true);
      return a.some((item) => isObject(item) && Object.entries(v).every(([k, x]) => Object.hasOwn(item, k) && equals(item[k], x) === true));
    },
  },
  ABS: math1(Math.abs),
  CEILING: math1(Math.ceil),
  FLOOR: math1(Math.floor),
  ROUND: math1(Math.round),
};

export const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG']);

export function containsAggregate(expr: Expr): boolean {
  switch (expr.kind) {
    case 'call':
      return AGGREGATES.has(expr.name) || expr.args.some(containsAggregate);
    case 'member':
      return containsAggregate(expr.object);
    case 'index':
      return containsAggregate(expr.object) || containsAggregate(expr.index);
    case 'unary':
      return containsAggregate(expr.operand);
    case 'binary':
      return containsAggregate(expr.left) || containsAggregate(expr.right);
    case 'in':
      return containsAggregate(expr.operand) || expr.list.some(containsAggregate);
    case 'between':
      return [expr.operand, expr.low, expr.high].some(containsAggregate);
    case 'array':
      return expr.items.some(containsAggregate);
    case 'object':
      return expr.properties.some((p) => containsAggregate(p.value));
    default:
      return false;
  }
}

/** `alias.a.b[0]` as the path ["a", "b", 0]; undefined for any other expression. */
export function pathOf(expr: Expr, alias: string): (string | number)[] | undefined {
  if (expr.kind === 'ref') return expr.name === alias ? [] : undefined;
  if (expr.kind !== 'member') return undefined;
  const object = pathOf(expr.object, alias);
  return object && [...object, expr.key];
}

/** Compiles `expr` over documents bound to `alias`. Aggregates are compiled by the query, not here. */
export function compile(expr: Expr, alias: string): Compiled {
  const path = pathOf(expr, alias);
  if (path) return path.length === 0 ? (doc) => doc : (doc) => valueAt(doc, path);
  switch (expr.kind) {
    case 'const': {
      const { value } = expr;
      return () => value;
    }
    case 'param': {
      const { name } = expr;
      return (_doc, parameters) => parameters.get(name);
    }
    case 'ref':
      throw new SqlError(`Identifier '${expr.name}' could not be resolved.`);
    case 'member': {
      const object = compile(expr.object, alias);
      const { key } = expr;
      return (doc, parameters) => valueAt(object(doc, parameters), [key]);
    }
    case 'index': {
      const object = compile(expr.object, alias);
      const index = compile(expr.index, alias);
      return (doc, parameters) => {
        const key = index(doc, parameters);
        return isStr(key) || isNum(key) ? valueAt(object(doc, parameters), [key]) : undefined;
      };
    }
    case 'unary': {
      const operand = compile(expr.operand, alias);
      if (expr.op === 'NOT') {
        return (doc, parameters) => {
          const v = operand(doc, parameters);
          return isBool(v) ? !v : undefined;
        };
      }
      const sign = expr.op === '-' ? -1 : 1;
      return (doc, parameters) => {
        const v = operand(doc, parameters);
        return isNum(v) ? sign * v : undefined;
      };
    }
    case 'binary': {
      const left = compile(expr.left, alias);
      const right = compile(expr.right, alias);
      if (expr.op === 'AND') {
        return (doc, p) => {
          const l = left(doc, p);
          return l === false ? false : and(l, right(doc, p));
        };
      }
      if (expr.op === 'OR') {
        return (doc, p) => {
          const l = left(doc, p);
          return l === true ? true : or(l, right(doc, p));
        };
      }
      const op = BINARY[expr.op];
      return (doc, p) => op(left(doc, p), right(doc, p));
    }
    case 'in': {
      const operand = compile(expr.operand, alias);
      const list = expr.list.map((item) => compile(item, alias));
      const { negated } = expr;
      return (doc, p) => {
        const v = operand(doc, p);
        let result: boolean | undefined = false;
        for (const item of list) {
          result = or(result, equals(v, item(doc, p)));
          if (result === true) break;
        }
        return negated && result !== undefined ? !result : result;
      };
    }
    case 'between': {
      const [operand, low, high] = [expr.operand, expr.low, expr.high].map((e) => compile(e, alias)) as [Compiled, Compiled, Compiled];
      const { negated } = expr;
      return (doc, p) => {
        const v = operand(doc, p);
        const result = and(BINARY['>='](v, low(doc, p)), BINARY['<='](v, high(doc, p)));
        return negated && result !== undefined ? !result : result;
      };
    }
    case 'call': {
      const fn = FUNCTIONS[expr.name];
      if (AGGREGATES.has(expr.name)) throw new SqlError(`The aggregate ${expr.name} is only supported in the SELECT clause.`);
      if (!fn) throw new SqlError(`The function ${expr.name} is not supported by the embedded Cosmos DB server.`);
      const [min, max] = fn.arity;
      if (expr.args.length < min || expr.args.length > max) {
        throw new SqlError(`The ${expr.name} function requires ${min === max ? min : `${min} to ${max}`} argument(s).`);
      }
      const args = expr.args.map((a) => compile(a, alias));
      return (doc, p) => fn.apply(args.map((a) => a(doc, p)));
    }
    case 'array': {
      const items = expr.items.map((i) => compile(i, alias));
      return (doc, p) => items.map((i) => i(doc, p)).filter((v): v is Json => v !== undefined);
    }
    case 'exists': {
      // A source that is not an array has no items: false, never undefined (as on Azure).
      const source = compile(expr.source, alias);
      const select = compile(expr.select, expr.alias);
      const where = expr.where && compile(expr.where, expr.alias);
      return (doc, p) => {
        const items = source(doc, p);
        return Array.isArray(items) && items.some((item) => (!where || where(item, p) === true) && select(item, p) !== undefined);
      };
    }
    case 'object': {
      const properties = expr.properties.map(({ key, value }) => ({ key, value: compile(value, alias) }));
      return (doc, p) => {
        const out: Record<string, Json> = {};
        for (const { key, value } of properties) {
          const v = value(doc, p);
          if (v !== undefined) out[key] = v;
        }
        return out;
      };
    }
  }
}
