// @ts-check
/**
 * Jest reporter for the closing summary: each tier's files, tests and time, every skipped test with the
 * reason its suite gave (the text after "skipped: " in its describe title, see `skipSuite` in
 * skips.ts), and the ten slowest tests. A skipped tier must be visible: a green run that did not test the
 * pages is not the same as one that did. With `TIER_SUMMARY_FILE` set (.ci/run), the summary is also
 * written there for the CI's own closing lines.
 *
 * Plain JavaScript: Jest loads reporters without its transform.
 */
const fs = require('node:fs');
const path = require('node:path');

const SKIP_MARK = 'skipped: ';

class TierReporter {
  /** @param {{ rootDir: string }} globalConfig */
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  /**
   * @param {unknown} _contexts
   * @param {import('@jest/test-result').AggregatedResult} results
   */
  onRunComplete(_contexts, results) {
    /** @type {Map<string, { files: number, tests: number, failed: number, skipped: number, ms: number }>} */
    const tiers = new Map();
    /** @type {Map<string, string[]>} reason → files */
    const skips = new Map();
    /** @type {{ name: string, ms: number }[]} */
    const tests = [];
    for (const file of results.testResults) {
      const relative = path.relative(path.join(this.rootDir, 'test'), file.testFilePath);
      const tier = relative.split(path.sep)[0];
      const row = tiers.get(tier) ?? { files: 0, tests: 0, failed: 0, skipped: 0, ms: 0 };
      row.files += 1;
      row.ms += file.perfStats.end - file.perfStats.start;
      for (const t of file.testResults) {
        row.tests += 1;
        if (t.status === 'failed') row.failed += 1;
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
          row.skipped += 1;
          const marked = t.ancestorTitles.find((title) => title.includes(SKIP_MARK));
          const reason = marked
            ? marked.slice(marked.indexOf(SKIP_MARK) + SKIP_MARK.length)
            : 'no reason given';
          const where = `test/${relative}`;
          const files = skips.get(reason) ?? [];
          if (!files.includes(where)) files.push(where);
          skips.set(reason, files);
        }
        if (typeof t.duration === 'number')
          tests.push({ name: `test/${relative} › ${t.fullName}`, ms: t.duration });
      }
      tiers.set(tier, row);
    }

    const lines = ['', 'Test tiers (time is the sum of the files’ own times; files run two at a time):'];
    for (const [tier, r] of [...tiers].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(
        `  ${tier.padEnd(12)} ${String(r.files).padStart(3)} files ${String(r.tests).padStart(4)} tests ` +
          `${String(r.failed).padStart(3)} failed ${String(r.skipped).padStart(3)} skipped ${(r.ms / 1000).toFixed(1).padStart(7)} s`,
      );
    }
    if (skips.size === 0) lines.push('Skipped: nothing.');
    for (const [reason, files] of skips) lines.push(`SKIPPED ${files.join(', ')}: ${reason}`);
    lines.push('Slowest tests:');
    for (const t of tests.sort((a, b) => b.ms - a.ms).slice(0, 10)) {
      lines.push(`  ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.name}`);
    }
    const text = lines.join('\n') + '\n';
    process.stdout.write(text);
    if (process.env.TIER_SUMMARY_FILE) fs.writeFileSync(process.env.TIER_SUMMARY_FILE, text);
  }
}

module.exports = TierReporter;
