import { requireTemporalBinary, type TemporalBinary } from '../src/runtime/temporal-binaries';

// `npm run provision`: makes sure both Temporal binaries are at hand (installing them once if needed).
async function main(): Promise<void> {
  for (const name of ['temporal', 'temporal-test-server'] as TemporalBinary[]) {
    const bin = await requireTemporalBinary(name, { install: true, log: (m) => console.log(m) });
    console.log(`${name}: ${bin.path} (${bin.source})`);
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
