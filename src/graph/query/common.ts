/** What every query option's parser shares: property names and lookup, limits, quoting request text. */
import type { EntityShape, PropertyShape } from '../../directory/directory.js';
import { badRequest } from '../errors.js';

export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_DEPTH = 32;
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
