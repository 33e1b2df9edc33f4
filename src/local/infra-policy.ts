/**
 * `npm run infra:policy`: writes the container's indexing policy, as the code defines it, to the JSON file
 * `infra/` deploys (Bicep reads it with loadJsonContent). A test fails when the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { containerIndexingPolicy } from '../directory/documents.js';

const INDEXING_POLICY_FILE = 'infra/indexing-policy.json';

writeFileSync(INDEXING_POLICY_FILE, `${JSON.stringify(containerIndexingPolicy(), null, 2)}\n`);
console.log(`wrote ${INDEXING_POLICY_FILE} (${containerIndexingPolicy().compositeIndexes?.length} composite indexes)`);
