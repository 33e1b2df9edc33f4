/**
 * The query vocabulary the layers share: a condition over a document's own properties, an ordering, the
 * shape of an entity's properties, a page asked for and a page given back. Store-neutral (no SQL, no Cosmos
 * types): `graph/` builds conditions from `$filter`/`$orderby`/`$search`, `directory/` passes them on and
 * adds its own, `store/sql.ts` compiles them.
 */

/**
 * `dateTime`: an ISO-8601 UTC instant with milliseconds, stored as text, so text order is time order;
 * `complex`: an object or a list of them, selectable only; `collection`: a list whose items `any` tests.
 */
export type PropertyType = 'string' | 'boolean' | 'guid' | 'enum' | 'dateTime' | 'complex' | 'collection';

/** What `$filter` may do with a property. */
export type FilterOperator = 'eq' | 'ne' | 'in' | 'startswith' | 'ge' | 'le' | 'any';

export interface PropertyShape {
  type: PropertyType;
  /** Enum members, for `enum`. */
  values?: readonly string[];
  /** The stored document may hold null or lack the property. */
  nullable?: boolean;
  /** The `$filter` operators it takes, where the resource names them (else those of its type; `[]`: none). */
  operators?: readonly FilterOperator[];
  /** The shape of a `collection`'s items, for a lambda. */
  items?: EntityShape;
}

/**
 * The properties of a document type that may be selected, filtered and ordered by. A key with `/` is a
 * path into a complex property (`initiatedBy/user/id`): filterable, not selectable.
 */
export interface EntityShape {
  properties: Record<string, PropertyShape>;
  /** The properties `$orderby` may name; absent: every one. */
  orderable?: readonly string[];
  /** `$filter` joins conditions with `and` only: no `or`, no `not`. */
  conjunctionsOnly?: boolean;
}

export type Value = string | boolean;

/** A boolean condition. `eq` with `null` means "is null" (a nullable property also when never written). */
export type Condition =
  | { kind: 'and' | 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'eq'; property: string; value: Value | null }
  | { kind: 'in'; property: string; values: (Value | null)[] }
  | { kind: 'startsWith'; property: string; prefix: string }
  /** At or after (`ge`), at or before (`le`): the value is a `dateTime`'s stored text. */
  | { kind: 'range'; property: string; op: 'ge' | 'le'; value: string }
  /** Some item of the collection property meets `condition`, whose properties are the items'. */
  | { kind: 'any'; property: string; condition: Condition }
  /** The string property contains `value`; with `ignoreCase`, in any case (`$search`). */
  | { kind: 'contains'; property: string; value: string; ignoreCase: boolean };

export interface Ordering {
  property: string;
  descending: boolean;
}

export interface PageRequest {
  pageSize: number;
  continuation?: string;
}

export interface Page<T> {
  items: T[];
  continuation?: string;
}

/** A document as read back, with the version tag that conditional writes name. */
export type Stored<T> = T & { _etag: string };
