/** `$expand`: `nav`, `nav($select=a,b)`, several separated by commas, `*` for every expandable one. */
import type { EntityShape } from '../../lib/query.js';
import { badRequest } from '../errors.js';
import type { Expansion } from './types.js';
import { quote } from './common.js';
import { parseSelect } from './select.js';

/** Splits on `separator` outside parentheses; unbalanced parentheses are a 400. */
function splitTopLevel(value: string, separator: string, option: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) break;
    else if (ch === separator && depth === 0) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) throw badRequest(`Invalid value ${quote(value)} for query option '${option}': unbalanced parentheses.`);
  parts.push(value.slice(start).trim());
  if (parts.some((p) => p === '')) throw badRequest(`Invalid value ${quote(value)} for query option '${option}': an item is empty.`);
  return parts;
}

export function parseExpand(value: string, navigation: Record<string, EntityShape>, version: 'beta' | 'v1.0'): Expansion[] {
  const out: Expansion[] = [];
  for (const item of splitTopLevel(value, ',', '$expand')) {
    const m = /^([A-Za-z_*][A-Za-z0-9_]*)\s*(?:\((.*)\))?$/s.exec(item);
    if (!m) throw badRequest(`Invalid $expand item ${quote(item)}: expected a navigation property, optionally with ($select=...).`);
    const [, name, nested] = m as unknown as [string, string, string | undefined];
    const names = name === '*' ? Object.keys(navigation) : [name];
    if (name !== '*' && !Object.hasOwn(navigation, name)) {
      throw badRequest(`Could not find a navigation property named ${quote(name)} that can be expanded on this resource (in $expand).`);
    }
    let select: string[] | undefined;
    if (nested !== undefined && nested.trim() !== '') {
      for (const option of splitTopLevel(nested, ';', '$expand')) {
        const o = /^(\$?)([A-Za-z]+)\s*=(.*)$/s.exec(option);
        const optionName = o?.[2]?.toLowerCase();
        if (!o || optionName !== 'select' || (o[1] === '' && version !== 'beta')) {
          throw badRequest(`Query option ${quote(o ? `$${o[2]}` : option)} is not supported inside $expand; only $select is.`);
        }
        if (select) throw badRequest("Query option '$select' is specified more than once inside $expand.");
        // `*` selects against the first navigation property; with none, nothing can be expanded.
        const shape = names[0] === undefined ? undefined : navigation[names[0]];
        if (!shape)
          throw badRequest(`Could not find a navigation property named ${quote(name)} that can be expanded on this resource (in $expand).`);
        select = parseSelect(o[3] ?? '', shape);
      }
    }
    for (const property of names) {
      if (out.some((e) => e.property === property)) throw badRequest(`Navigation property ${quote(property)} is expanded more than once.`);
      out.push({ property, ...(select ? { select } : {}) });
    }
  }
  return out;
}
