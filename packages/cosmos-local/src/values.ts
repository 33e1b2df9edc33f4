/**
 * JSON values as Cosmos DB's NoSQL query language sees them: `undefined` is a value of its own (a missing
 * property), and values of different types are ordered by type first.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}
/** A query value: JSON, or undefined. */
export type Value = Json | undefined;

export type TypeName = 'undefined' | 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function typeOf(value: Value): TypeName {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'boolean' | 'number' | 'string' | 'object';
}

export const isObject = (value: Value): value is JsonObject => typeOf(value) === 'object';

/** ORDER BY's order across types (undefined, null, booleans, numbers, strings, arrays, objects). */
const TYPE_RANK: Record<TypeName, number> = { undefined: 0, null: 1, boolean: 2, number: 3, string: 4, array: 5, object: 6 };

/** The ORDER BY comparison: by type, then by value for scalars; arrays and objects of a type tie. */
export function compareValues(a: Value, b: Value): number {
  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb) return TYPE_RANK[ta] < TYPE_RANK[tb] ? -1 : 1;
  if (ta === 'array' || ta === 'object' || a === b) return 0;
  return (a as number | string | boolean) < (b as number | string | boolean) ? -1 : 1;
}

/** Deep equality of two values of the same type. */
export function sameValue(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i] as Json));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k] as Json, b[k] as Json));
  }
  return false;
}

/** The value at a property path (`["a", "b", 0]` for `c.a.b[0]`), or undefined. */
export function valueAt(value: Value, path: readonly (string | number)[]): Value {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isObject(current) && typeof key === 'string' && Object.hasOwn(current, key)) current = current[key];
    else return undefined;
  }
  return current;
}

/** A JSON value parsed from text that is known to hold JSON (request bodies, stored records). */
export function parseJson(text: string): Json {
  return JSON.parse(text) as Json;
}
