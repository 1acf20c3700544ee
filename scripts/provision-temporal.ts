import { requireTemporalBinary, type TemporalBinary } from '../src/runtime/temporal-binaries';

/*
 * `npm run provision` (node dist/scripts/provision-temporal.js): makes sure both Temporal binaries are at
 * hand, installing them once into .tools/ if need be, and prints `<name>: <path> (<source>)`, one line each.
 * Progress goes to stderr so that stdout holds just those lines.
 */
async function main(): Promise<void> {
  const names: TemporalBinary[] = ['temporal', 'temporal-test-server'];
  for (const name of names) {
    const bin = await requireTemporalBinary(name, { install: true, log: (m) => console.error(m) });
    console.log(`${name}: ${bin.path} (${bin.source})`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
