import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeUnless } from './skips';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`, else `chromium`
 * on PATH. Never downloaded (`.ci/run` installs Debian's package).
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const executable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
  return (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, 'chromium'))
    .find(executable);
}

export const CHROMIUM = findChromium();

/** `describe` when Chromium is present; otherwise skipped with the reason, which the run's summary prints. */
export function describeInBrowser(name: string, fn: () => void): void {
  describeUnless(
    CHROMIUM
      ? undefined
      : `no Chromium found (CHROMIUM_PATH=${process.env.CHROMIUM_PATH ?? 'unset'}, /usr/bin/chromium, PATH); ` +
          'install it with `apt-get install chromium` (.ci/run does) or set CHROMIUM_PATH',
    name,
    fn,
  );
}

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('no Chromium found');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A laptop-sized page (tablet with `{ width: 820, height: 1180 }`), in Vietnamese by default. */
export async function newPage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, problems: watchProblems(page) };
}

/**
 * Script errors and Content-Security-Policy refusals on the page. Failed requests are not problems: the
 * pages show the API's refusals on purpose.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  return problems;
}

export const SCREENSHOTS = path.resolve(__dirname, '../../test-results/screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the sign-in page and waits until it has moved on. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/app/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForURL((url) => url.pathname !== '/app/login');
}

/** Waits (auto-retrying, no fixed sleep) until an element of `locator` shows `text`; answers that element. */
export async function waitForText(locator: Locator, text: string | RegExp): Promise<Locator> {
  const match = locator.filter({ hasText: text }).first();
  await match.waitFor({ state: 'visible' });
  return match;
}

/** The same for `<option>`s, which are never "visible" on their own: present in the page is enough. */
export async function waitForOption(select: Locator, text: string | RegExp, selected = true): Promise<void> {
  await select
    .locator(selected ? 'option:checked' : 'option')
    .filter({ hasText: text })
    .first()
    .waitFor({ state: 'attached' });
}
