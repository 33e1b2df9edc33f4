/**
 * $search: Graph's form, `"property:term"` clauses joined by AND or OR (AND binds tighter; adjacent
 * clauses are ANDed). A clause without a property searches every string property of the entity. Each
 * clause matches when the property contains the term, ignoring case.
 */
import type { Condition, EntityShape } from '../../lib/query.js';
import { badRequest } from '../errors.js';
import { MAX_FILTER_PARAMETERS, lookup, quote, readQuoted, unknownProperty } from './common.js';

/** Inside a quoted clause, `\"` is a quote and `\\` a backslash. */
const CLAUSE_ESCAPES = { '\\"': '"', '\\\\': '\\' };

/** The longest `$search` term. */
const MAX_SEARCH_TERM = 256;

const searchError = (message: string) => badRequest(`Invalid $search: ${message}`);

function searchableProperties(shape: EntityShape): string[] {
  return Object.entries(shape.properties)
    .filter(([, p]) => p.type === 'string')
    .map(([name]) => name);
}

function searchClause(text: string, shape: EntityShape): Condition {
  const searchable = searchableProperties(shape);
  const [, named, value = ''] = /^([A-Za-z_][A-Za-z0-9_]*):(.*)$/s.exec(text) ?? [];
  const property = named !== undefined && lookup(shape, named) ? named : undefined;
  if (named !== undefined && !property) throw unknownProperty(named, '$search');
  const term = property ? value : text;
  if (term === '') throw searchError(`the clause ${quote(text)} has no term.`);
  if (term.length > MAX_SEARCH_TERM) throw searchError(`a term is longer than ${MAX_SEARCH_TERM} characters.`);
  if (property && !searchable.includes(property)) {
    throw searchError(`property ${quote(property)} cannot be searched; search ${searchable.map((p) => `'${p}'`).join(', ')} instead.`);
  }
  const clause = (name: string): Condition => ({ kind: 'contains', property: name, value: term, ignoreCase: true });
  if (property) return clause(property);
  const all = searchable.map(clause);
  const [only, ...more] = all;
  return only && more.length === 0 ? only : { kind: 'or', operands: all };
}

export function parseSearch(value: string, shape: EntityShape): Condition {
  if (searchableProperties(shape).length === 0) throw badRequest("Query option '$search' is not supported on this resource.");
  const text = value.trim();
  if (text === '') throw searchError('the expression is empty.');
  // Tokens: "quoted clauses" (\" and \\ escape), and the words AND / OR.
  const tokens: ({ kind: 'clause'; text: string } | { kind: 'and' | 'or' })[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"') {
      const clause = readQuoted(text, i, CLAUSE_ESCAPES);
      if (!clause) throw searchError(`unterminated quoted clause starting at position ${i + 1}.`);
      tokens.push({ kind: 'clause', text: clause.value });
      i = clause.end;
      continue;
    }
    // ch is neither space nor quote, so the word has it at least.
    const word = /^[^\s"]+/.exec(text.slice(i))?.[0] ?? ch;
    const upper = word.toUpperCase();
    if (upper !== 'AND' && upper !== 'OR') {
      throw searchError(`${quote(word)} at position ${i + 1} is not a quoted clause, AND or OR; write "property:term".`);
    }
    tokens.push({ kind: upper === 'AND' ? 'and' : 'or' });
    i += word.length;
  }
  // or := and (OR and)* ; and := clause (AND? clause)*
  let current: Condition[] = [];
  const alternatives = [current];
  let expectClause = true;
  for (const token of tokens) {
    if (token.kind === 'clause') {
      current.push(searchClause(token.text, shape));
      expectClause = false;
    } else {
      if (expectClause) throw searchError(`'${token.kind.toUpperCase()}' must stand between two quoted clauses.`);
      if (token.kind === 'or') alternatives.push((current = []));
      expectClause = true;
    }
  }
  if (expectClause) throw searchError('the expression ends with AND or OR.');
  if (alternatives.flat().length > MAX_FILTER_PARAMETERS / 4) throw searchError('the expression has too many clauses.');
  const conjunction = (parts: Condition[]): Condition => {
    const [only, ...more] = parts;
    return only && more.length === 0 ? only : { kind: 'and', operands: parts };
  };
  const [first, ...others] = alternatives;
  return first && others.length === 0 ? conjunction(first) : { kind: 'or', operands: alternatives.map(conjunction) };
}
