import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { declareFunctions } from '../app.js';
import { endpoints } from '../functions/index.js';
import { describeFunctions } from '../graph/openapi.js';

/**
 * `npm run openapi [-- <file>]`: writes the OpenAPI document of the route table (default docs/openapi.json),
 * the same document the service serves at /openapi.json.
 */
const target = process.argv[2] ?? 'docs/openapi.json';
const functions = declareFunctions(endpoints).map((f) => ({
  name: f.name,
  route: f.route,
  methods: f.endpoint.methods,
  doc: f.endpoint.doc,
}));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(describeFunctions(functions), null, 2)}\n`);
console.log(`wrote ${target}`);
