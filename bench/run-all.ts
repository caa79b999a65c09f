import { join } from 'node:path';
import { benchAaiBridge } from './aai-bridge.bench';
import { benchAllocation } from './allocation.bench';
import { benchFailover } from './failover.bench';
import { benchFederationMetadata } from './federation-metadata.bench';
import { Figure, summaryTable, writeFigures } from './figures';
import { startDatabase } from './harness';
import { benchMappingRollout } from './mapping-rollout.bench';
import { benchNeutron } from './neutron.bench';
import { benchPoolSizes } from './pool-sizes.bench';
import { benchUpload } from './upload.bench';

const usage = `usage: npm run bench -- [upload|allocation|sizes|neutron|aai|rollout|metadata|failover ...] [--lines N] [--users N] [--apply-users N] [--sizes 10000,1000000,16000000] [--idps N] [--mb N] [--failover-runs N]
Benchmarks print figures and ratios against baselines measured in the same run; they are not tests.`;

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--help')) return console.log(usage);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const picked = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const which = picked.length ? picked : ['upload', 'allocation', 'sizes', 'neutron', 'aai', 'rollout', 'metadata', 'failover'];
  const db = await startDatabase();
  const figures: Figure[] = [];
  try {
    for (const name of which) {
      console.log(`\n== ${name} ==`);
      if (name === 'upload') figures.push(...(await benchUpload(db.adminUrl, Number(opt('--lines') ?? 1_000_000))));
      else if (name === 'allocation') figures.push(...(await benchAllocation(db.adminUrl)));
      else if (name === 'neutron') figures.push(...(await benchNeutron(db.adminUrl)));
      else if (name === 'aai') figures.push(...(await benchAaiBridge(db.adminUrl)));
      else if (name === 'rollout')
        figures.push(...(await benchMappingRollout(db.adminUrl, Number(opt('--users') ?? 10_000), Number(opt('--apply-users') ?? 200))));
      else if (name === 'metadata')
        figures.push(...(await benchFederationMetadata(Number(opt('--idps') ?? 3500), Number(opt('--mb') ?? 80))));
      else if (name === 'sizes')
        figures.push(...(await benchPoolSizes(db.adminUrl, (opt('--sizes') ?? '10000,1000000,16000000').split(',').map(Number))));
      else if (name === 'failover') figures.push(...(await benchFailover(Number(opt('--failover-runs') ?? 5))));
      else throw new Error(`unknown benchmark ${name}\n${usage}`);
    }
  } finally {
    await db.stop();
  }
  console.log(`\n== summary ==\n${summaryTable(figures)}`);
  // dist-tools/bench/run-all.js: the repository is two levels up.
  console.log(`figures written to ${writeFigures(figures, join(__dirname, '../..'))}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
