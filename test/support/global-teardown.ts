export default async function globalTeardown(): Promise<void> {
  for (const stop of (globalThis.__testInfraStops ?? []).reverse()) await stop();
}
