/**
 * The one way a test here is skipped: with the reason in the suite's title, which the tier reporter
 * (tier-reporter.js) prints in the run's closing summary. A skip nobody sees reads as a pass.
 */
export function describeUnless(skipReason: string | undefined, name: string, fn: () => void): void {
  if (skipReason === undefined) describe(name, fn);
  else describe.skip(`${name} — skipped: ${skipReason}`, fn);
}

/** Why a test that needs root cannot run here, or undefined when it can. */
export function needsRoot(what: string): string | undefined {
  return process.getuid?.() === 0 ? undefined : `${what} needs uid 0 (run as root, as .ci/run does)`;
}
