// Runs the requests of tests/differential.rs through the IAM simulator @cloud-copilot/iam-simulate
// (installed by .ci/run into the folder given as the first argument) and prints one verdict a line:
// Allowed, ExplicitlyDenied, ImplicitlyDenied, or error:<message>.
//   node simulate.cjs <folder with node_modules> <cases.json>
'use strict';
const { createRequire } = require('node:module');
const path = require('node:path');
const fs = require('node:fs');

const [folder, casesFile] = process.argv.slice(2);
const load = createRequire(path.join(path.resolve(folder), 'package.json'));
const { runSimulation } = load('@cloud-copilot/iam-simulate');

async function main() {
  const cases = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
  const out = [];
  for (const c of cases) {
    const identityPolicies = c.policies.map((policy, i) => ({ name: `p${i}`, policy }));
    for (const r of c.requests) {
      const result = await runSimulation(
        {
          request: {
            principal: `arn:${r.partition}:iam::${c.account}:role/orb`,
            action: r.action,
            resource: { resource: r.resource, accountId: c.account },
            contextVariables: r.context,
          },
          identityPolicies,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        { simulationMode: 'Strict' },
      );
      out.push(
        result.resultType === 'error'
          ? `error:${JSON.stringify(result.errors).replace(/\s+/g, ' ').slice(0, 300)}`
          : result.overallResult,
      );
    }
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
