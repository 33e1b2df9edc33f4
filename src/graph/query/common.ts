/** What the query options' parsers share: names, the bound on a condition's values, quoting request text, reading quoted strings. */
import type { EntityShape, PropertyShape } from '../../lib/query.js';
import { badRequest } from '../errors.js';

/** The most values one condition holds (`$filter`'s literals; `$search` a quarter as many clauses). */
export const MAX_FILTER_PARAMETERS = 200;
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Quotes request text in an error message, shortened. */
export const quote = (text: string) => `'${text.length > 80 ? `${text.slice(0, 80)}…` : text}'`;

export type Property = PropertyShape;

export function lookup(shape: EntityShape, name: string): Property | undefined {
  if (Object.hasOwn(shape.properties, name)) return shape.properties[name];
  if (name === 'id') return { type: 'guid' };
  return undefined;
}

export function unknownProperty(name: string, where: string) {
  return badRequest(`Could not find a property named ${quote(name)} on this resource (in ${where}).`);
}

/**
 * Reads the quoted string whose opening quote is at `start`: each two-character sequence in `escapes` stands
 * for its value (`\"` and `\\` in $search; `''` in $filter), the next lone quote closes it. The value and the
 * index after the closing quote, or undefined when the text ends first.
 */
export function readQuoted(
  text: string,
  start: number,
  escapes: Readonly<Record<string, string>>,
): { value: string; end: number } | undefined {
  const close = text.charAt(start);
  let value = '';
  for (let j = start + 1; j < text.length;) {
    const pair = text.slice(j, j + 2);
    if (Object.hasOwn(escapes, pair)) {
      value += escapes[pair];
      j += 2;
    } else if (text[j] === close) {
      return { value, end: j + 1 };
    } else {
      value += text[j];
      j++;
    }
  }
  return undefined;
}
