// Validates an AsyncAPI document with @asyncapi/parser (version pinned in
// package.json), the AsyncAPI Initiative's own parser: the specification's
// JSON Schemas (bindings included), $ref resolution and its Spectral rules,
// independent of this project's Go checks. Prints every diagnostic; exits 1
// when there is an error or a warning, 2 when it could not run.
//
//	node infra/testdata/asyncapi-validate.cjs deptmsg/asyncapi.yaml
'use strict';

const fs = require('node:fs');
const { Parser } = require('@asyncapi/parser');

const severities = ['error', 'warning', 'info', 'hint'];

async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node asyncapi-validate.cjs FILE');
    process.exit(2);
  }
  const { document, diagnostics } = await new Parser().parse(fs.readFileSync(file, 'utf8'), { source: file });
  let failed = document === undefined;
  for (const d of diagnostics) {
    console.log(`${severities[d.severity] ?? d.severity} ${d.code} at ${d.path.join('.') || '(root)'}: ${d.message}`);
    failed = failed || d.severity <= 1;
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
