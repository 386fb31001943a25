/** `npm run docs`: writes the documents generated from the code (tools/generatedDocs.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedDocs, ROOT } from './generatedDocs.ts';

for (const { path, text } of await generatedDocs()) {
  writeFileSync(join(ROOT, path), text);
  console.log(`wrote ${path}`);
}
