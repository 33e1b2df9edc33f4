/**
 * Cosmos DB partial document update (Patch): add, set, replace, remove, incr and move on JSON-pointer
 * paths, at most 10 operations, applied in order to a copy; any failing operation fails the whole
 * patch with 400 and changes nothing.
 */
import { badRequest } from './errors.js';
import { isObject, type Json, type JsonObject } from './values.js';

export interface PatchOperation {
  op: 'add' | 'set' | 'replace' | 'remove' | 'incr' | 'move';
  path: string;
  value?: Json;
  from?: string;
}

export const MAX_PATCH_OPERATIONS = 10;
const OPS = new Set(['add', 'set', 'replace', 'remove', 'incr', 'move']);

/** The operations of a Patch body: `{ operations, condition? }` or a bare list (inside a batch). */
export function readPatchBody(body: Json | undefined): { operations: PatchOperation[]; condition?: string } {
  const list = Array.isArray(body) ? body : isObject(body) ? body.operations : undefined;
  const condition = isObject(body) && typeof body.condition === 'string' ? body.condition : undefined;
  if (!Array.isArray(list)) throw badRequest('Invalid patch request: check syntax of patch specification.');
  if (list.length === 0) throw badRequest('Patch request has no operations.');
  if (list.length > MAX_PATCH_OPERATIONS) throw badRequest(`The number of patch operations can't exceed ${MAX_PATCH_OPERATIONS}.`);
  const operations = list.map((item, i) => {
    if (!isObject(item) || typeof item.op !== 'string' || !OPS.has(item.op) || typeof item.path !== 'string') {
      throw badRequest(`For Operation(${i}): an operation needs a known 'op' and a 'path'.`);
    }
    if (item.op === 'move' && typeof item.from !== 'string') throw badRequest(`For Operation(${i}): move needs 'from'.`);
    if (item.op !== 'remove' && item.op !== 'move' && !Object.hasOwn(item, 'value'))
      throw badRequest(`For Operation(${i}): '${item.op}' needs a 'value'.`);
    return item as unknown as PatchOperation;
  });
  return condition === undefined ? { operations } : { operations, condition };
}

function segments(path: string): string[] {
  if (!path.startsWith('/') || path === '/') throw new Error(`Invalid path '${path}'.`);
  const parts = path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if ((parts[0] ?? '').startsWith('_') || parts[0] === 'id') throw new Error(`Can't patch system property ${parts[0]}.`);
  return parts;
}

/** The container (object or array) that holds the last segment, and that segment. */
function parentOf(doc: JsonObject, parts: string[]): { parent: JsonObject | Json[]; key: string } {
  let current: Json = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(part, current.length - 1)] as Json;
    else if (isObject(current) && Object.hasOwn(current, part)) current = current[part] as Json;
    else throw new Error(`The path to '${part}' does not exist.`);
  }
  if (!Array.isArray(current) && !isObject(current)) throw new Error('The parent of the target is not an object or an array.');
  return { parent: current, key: parts[parts.length - 1] as string };
}

function arrayIndex(part: string, max: number): number {
  if (!/^\d+$/.test(part) || Number(part) > max) throw new Error('Index to operate on is out of array bounds.');
  return Number(part);
}

function has(parent: JsonObject | Json[], key: string): boolean {
  return Array.isArray(parent) ? /^\d+$/.test(key) && Number(key) < parent.length : Object.hasOwn(parent, key);
}

function get(parent: JsonObject | Json[], key: string): Json | undefined {
  return Array.isArray(parent) ? parent[arrayIndex(key, parent.length - 1)] : parent[key];
}

function apply(doc: JsonObject, operation: PatchOperation): void {
  const parts = segments(operation.path);
  const { parent, key } = parentOf(doc, parts);
  const value = operation.value as Json;
  switch (operation.op) {
    case 'add':
      if (Array.isArray(parent)) parent.splice(key === '-' ? parent.length : arrayIndex(key, parent.length), 0, value);
      else parent[key] = value;
      return;
    case 'set':
      if (Array.isArray(parent)) parent[arrayIndex(key, parent.length - 1)] = value;
      else parent[key] = value;
      return;
    case 'replace':
      if (!has(parent, key)) throw new Error('Node to be replaced is absent.');
      if (Array.isArray(parent)) parent[Number(key)] = value;
      else parent[key] = value;
      return;
    case 'remove':
      if (!has(parent, key)) throw new Error('Node to be removed is absent.');
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return;
    case 'incr': {
      if (typeof value !== 'number') throw new Error('Increment value must be a number.');
      const current = has(parent, key) ? get(parent, key) : undefined;
      if (current !== undefined && typeof current !== 'number') throw new Error('Cannot increment a value that is not a number.');
      const next = (current ?? 0) + value;
      if (Array.isArray(parent)) parent[arrayIndex(key, parent.length - 1)] = next;
      else parent[key] = next;
      return;
    }
    case 'move': {
      const from = operation.from as string;
      if (operation.path === from || operation.path.startsWith(`${from}/`))
        throw new Error('Cannot move a value to itself or below itself.');
      const source = parentOf(doc, segments(from));
      if (!has(source.parent, source.key)) throw new Error('Source location for move operation does not exist.');
      const moved = get(source.parent, source.key) as Json;
      apply(doc, { op: 'remove', path: from });
      apply(doc, { op: 'add', path: operation.path, value: moved });
      return;
    }
  }
}

/** `doc` with the operations applied (a new object; `doc` is unchanged). */
export function applyPatch(doc: JsonObject, operations: PatchOperation[]): JsonObject {
  const copy = structuredClone(doc);
  operations.forEach((operation, i) => {
    try {
      apply(copy, operation);
    } catch (err) {
      throw badRequest(`For Operation(${i}): ${(err as Error).message}`);
    }
  });
  return copy;
}
