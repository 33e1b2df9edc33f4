/**
 * What the store can be asked: a condition over a document's own properties and an ordering. Store-neutral
 * (no SQL, no Cosmos types): `graph/` builds it from `$filter`/`$orderby`, `store/sql.ts` compiles it.
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

/** Ordering by two properties is what composite indexes can serve; more is refused. */
export const MAX_ORDER_BY = 2;
