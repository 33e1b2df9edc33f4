/** `$filter`: the lexer (the grammar is at `parseFilter`, filter.ts). */
import { GUID_PATTERN } from '../../lib/guid.js';
import { badRequest } from '../errors.js';
import { quote, readQuoted } from './common.js';

/** A GUID literal in a filter, not followed by more of a name or number. */
const GUID_LITERAL = new RegExp(`^${GUID_PATTERN}(?![A-Za-z0-9_.-])`, 'i');

export type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; text: string; pos: number }
  | { kind: 'guid'; text: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: '(' | ')' | ','; text: string; pos: number }
  | { kind: 'end'; text: string; pos: number };

export const filterError = (message: string) => badRequest(`Invalid $filter: ${message}`);

export function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    const rest = source.slice(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, text: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      // A quote inside a string literal is doubled.
      const literal = readQuoted(source, i, { "''": "'" });
      if (!literal) throw filterError(`unterminated string literal starting at position ${i + 1}.`);
      tokens.push({ kind: 'string', value: literal.value, text: source.slice(i, literal.end), pos: i });
      i = literal.end;
      continue;
    }
    const guid = GUID_LITERAL.exec(rest);
    if (guid) {
      tokens.push({ kind: 'guid', text: guid[0], pos: i });
      i += guid[0].length;
      continue;
    }
    const number = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![A-Za-z0-9_.])/i.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], pos: i });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    if (ch === '/') {
      const after = /^\/\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(rest)?.[1];
      if (after && /^(any|all)$/i.test(after)) throw filterError(`the lambda operator ${quote(after)} is not supported.`);
      throw filterError(`property paths (${quote(rest.slice(0, 20))}) are not supported; only the resource's own properties can be filtered.`);
    }
    if (ch === '@') throw filterError('parameter aliases are not supported.');
    if (ch === '$') throw filterError(`${quote(/^\$\w*/.exec(rest)?.[0] ?? '$')} is not supported.`);
    if (ch === '"') throw filterError(`string literals are enclosed in single quotes, not double quotes (at position ${i + 1}).`);
    throw filterError(`unexpected character ${quote(ch)} at position ${i + 1}.`);
  }
  tokens.push({ kind: 'end', text: 'end of input', pos: source.length });
  return tokens;
}
