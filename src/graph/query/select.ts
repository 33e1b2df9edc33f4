/** `$select` and `$orderby`: comma-separated lists of the entity's own properties. */
import type { EntityShape } from '../../lib/query.js';
import { badRequest } from '../errors.js';
import type { CollectionQuery } from './types.js';
import { IDENTIFIER, lookup, quote, unknownProperty } from './common.js';

function splitList(value: string, option: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    throw badRequest(`Invalid value ${quote(value)} for query option '${option}': it must be a comma-separated list without empty items.`);
  }
  return items;
}

export function parseSelect(value: string, shape: EntityShape): string[] {
  const out: string[] = [];
  for (const name of splitList(value, '$select')) {
    if (!IDENTIFIER.test(name) || !lookup(shape, name)) throw unknownProperty(name, '$select');
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** Ordering by two properties is what composite indexes can serve; more is refused (docs/API.md, "Protocol"). */
export const MAX_ORDER_BY = 2;

export function parseOrderBy(value: string, shape: EntityShape): CollectionQuery['orderBy'] {
  const out: CollectionQuery['orderBy'] = [];
  for (const item of splitList(value, '$orderby')) {
    const m = /^(\S+)(?:\s+(\S+))?$/.exec(item);
    const name = m?.[1] ?? item;
    const direction = m?.[2]?.toLowerCase();
    if (!m || (direction !== undefined && direction !== 'asc' && direction !== 'desc')) {
      throw badRequest(`Invalid $orderby item ${quote(item)}: expected a property name optionally followed by asc or desc.`);
    }
    if (!IDENTIFIER.test(name) || !lookup(shape, name)) throw unknownProperty(name, '$orderby');
    if (shape.orderable && !shape.orderable.includes(name)) {
      throw badRequest(
        `Property ${quote(name)} cannot be used in $orderby on this resource; ${shape.orderable.map((p) => `'${p}'`).join(', ')} can.`,
      );
    }
    if (out.some((o) => o.property === name)) throw badRequest(`Property ${quote(name)} appears more than once in $orderby.`);
    out.push({ property: name, descending: direction === 'desc' });
  }
  if (out.length > MAX_ORDER_BY) throw badRequest(`$orderby supports at most ${MAX_ORDER_BY} properties.`);
  return out;
}
