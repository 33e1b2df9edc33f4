/**
 * The query vocabulary the layers share: a condition over a document's own properties, an ordering, the
 * shape of an entity's properties, a page asked for and a page given back. Store-neutral (no SQL, no Cosmos
 * types): `graph/` builds conditions from `$filter`/`$orderby`/`$search`, `directory/` passes them on and
 * adds its own, `store/sql.ts` compiles them.
 */

export type PropertyType = 'string' | 'boolean' | 'guid' | 'enum';

export interface PropertyShape {
  type: PropertyType;
  /** Enum members, for `enum`. */
  values?: readonly string[];
  /** The stored document may hold null or lack the property. */
  nullable?: boolean;
}

/** The properties of a document type that may be selected, filtered and ordered by. */
export interface EntityShape {
  properties: Record<string, PropertyShape>;
}

export type Value = string | boolean;

/** A boolean condition. `eq` with `null` means "is null" (a nullable property also when never written). */
export type Condition =
  | { kind: 'and' | 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'eq'; property: string; value: Value | null }
  | { kind: 'in'; property: string; values: (Value | null)[] }
  | { kind: 'startsWith'; property: string; prefix: string }
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
