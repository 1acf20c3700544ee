import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { findPublicDir } from '../../src/web/web.controller';
import {
  describeInBrowser,
  launchChromium,
  newPage,
  screenshot,
  signIn,
  waitForText,
} from '../support/browser';
import { TestApp } from '../support/http-app';

const TITLE = 'Mô hình “Chợ nông sản sạch” ở Thị trấn Võ Xu';
const OTHER = 'Mô hình “Camera an ninh khu phố”';

/**
 * A district reviewer in a real browser (Debian's Chromium through playwright-core) against the real app:
 * sign in, find the task in the inbox by a search without diacritics, claim it, open the nomination,
 * accept it and see the timeline grow; a refused decision shows the workflow's reason.
 */
describeInBrowser('web pages: a district reviewer decides from the inbox', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let nominationId: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([TestApp.start(), launchChromium()]);
    base = t.app.url!;
    await t.login();
    const { campaignId } = await t.demo();
    const [voXu] = (await t.call('GET', `/units?q=${encodeURIComponent('vo xu')}`)).body;
    const res = await t.call('POST', '/nominations', {
      campaignId,
      unitId: voXu.id,
      title: TITLE,
      description: 'Người dân tự tổ chức chợ nông sản sạch mỗi sáng thứ Bảy.',
      field: 'economic',
      kind: 'collective',
      nomineeName: 'Hội Nông dân Thị trấn Võ Xu',
    });
    expect(res.status).toBe(201);
    nominationId = res.body.id;
    const other = await t.call('POST', '/nominations', {
      campaignId,
      unitId: voXu.id,
      title: OTHER,
      description: 'Camera giám sát an ninh do người dân đóng góp.',
      field: 'defense_security',
      kind: 'collective',
      nomineeName: 'Công an Thị trấn Võ Xu',
    });
    expect(other.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the pages beside the API under helmet’s policy, without changing the other routes', async () => {
    const get = (p: string, headers: Record<string, string> = {}) =>
      fetch(base + p, { redirect: 'manual', headers });
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/app/inbox');
    for (const page of [
      'login',
      'inbox',
      'register',
      'dashboard',
      'calendar',
      `nominations/${nominationId}`,
    ]) {
      const res = await get(`/app/${page}`);
      expect([page, res.status, res.headers.get('content-type')]).toEqual([
        page,
        200,
        'text/html; charset=utf-8',
      ]);
      // Same-origin scripts only: no inline script is allowed, and the pages need none.
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
    }
    expect((await get('/app/assets/api.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await get('/app/assets/app.css')).headers.get('content-type')).toMatch(/^text\/css/);
    for (const bad of ['/app/assets/..%2F..%2Fweb.controller.ts', '/app/assets/.env', '/app/nope']) {
      expect([bad, (await get(bad)).status]).toEqual([bad, 404]);
    }
    expect((await get('/app/config.json')).status).toBe(401);
    const config = await get('/app/config.json', { authorization: `Bearer ${t.token}` });
    expect(await config.json()).toEqual({ temporalUiUrl: null, temporalNamespace: 'default' });
    expect((await get('/health')).status).toBe(200);
    expect((await get('/docs')).status).toBe(200);
    expect((await t.call('GET', '/docs-json')).body.paths['/app/config.json']).toBeUndefined();

    // No inline script, event handler or style attribute in any page (the policy would refuse them).
    const dir = path.resolve(__dirname, '../../src/web/public');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.html'))) {
      const html = fs.readFileSync(path.join(dir, file), 'utf8');
      expect([file, html.match(/<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+=|\sstyle=/g)]).toEqual([file, null]);
    }
    // The compiled app (dist/src/web) reads the pages from the source folder.
    expect(findPublicDir(path.resolve(__dirname, '../../dist/src/web'))).toBe(dir);
  });

  it('signs in, finds and claims the task, accepts it, sees the timeline grow and a refusal in words', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      // Not signed in: the inbox sends us to the sign-in page, which refuses a wrong password in words.
      await page.goto(`${base}/app/inbox`);
      await page.waitForURL(/\/app\/login\?next=/);
      expect(await page.getAttribute('html', 'lang')).toBe('vi');
      await page.fill('#username', 'demo.district');
      await page.fill('#password', 'not-the-password');
      await page.click('#login-form button[type=submit]');
      await waitForText(page.locator('#login-message'), 'Sai tên đăng nhập hoặc mật khẩu.');
      await screenshot(page, 'login-refused');
      await signIn(page, base, 'demo.district', 'demo-password');
      expect(new URL(page.url()).pathname).toBe('/app/inbox');
      // The token is kept in sessionStorage, never in the address.
      expect(page.url()).not.toMatch(/token|eyJ/);
      expect(await page.evaluate('sessionStorage.getItem("dvk.accessToken")')).toMatch(/^eyJ/);

      // Both tasks, due first; then a search without diacritics keeps only one.
      await waitForText(page.locator('#inbox tbody tr'), OTHER);
      // Search without diacritics; the row shows what the task is about.
      await page.fill('#q', 'cho nong san');
      await page.locator('#inbox[data-query*="q=cho+nong+san"]').waitFor();
      expect(await page.locator('#inbox tbody tr').filter({ hasText: OTHER }).count()).toBe(0);
      const row = await waitForText(page.locator('#inbox tbody tr'), TITLE);
      for (const text of ['Thị trấn Võ Xu', 'Đăng ký cấp huyện', 'Chưa ai nhận'])
        await waitForText(row, text);
      await screenshot(page, 'inbox');

      await row.getByRole('button', { name: 'Nhận việc' }).click();
      await waitForText(page.locator('#inbox-message'), `Đã nhận việc: ${TITLE}`);
      await waitForText(row.locator('.holder-cell'), 'Nguyễn Văn Bình');

      await row.getByRole('link', { name: TITLE }).click();
      await page.waitForURL(`${base}/app/nominations/${nominationId}`);
      await waitForText(page.locator('#nom-title'), TITLE);
      await waitForText(page.locator('#nom-stage'), 'Đăng ký cấp huyện');
      const events = page.locator('#timeline li.event');
      await waitForText(events, 'Nhận việc');
      const before = await events.count();
      await screenshot(page, 'nomination');

      await page.fill('#comment', 'Hồ sơ đầy đủ, đề nghị tiếp nhận.');
      await page.click('#decisions button[data-decision="accept"]');
      await waitForText(page.locator('#action-message'), 'Đã ghi nhận quyết định “Tiếp nhận”.');
      const accepted = await waitForText(
        page.locator('#timeline li.event[data-decision="accept"]'),
        'Tiếp nhận',
      );
      await waitForText(accepted, 'Hồ sơ đầy đủ, đề nghị tiếp nhận.');
      await waitForText(accepted, 'Nguyễn Văn Bình');
      expect(await events.count()).toBeGreaterThan(before);
      await waitForText(page.locator('#nom-stage'), 'Xét công nhận cấp huyện');

      // The next stage's task: a revision request without a comment is refused by the workflow, in words.
      await page.locator('#decisions button[data-decision="request_revision"]').waitFor();
      await page.click('#decisions button[data-decision="request_revision"]');
      await waitForText(
        page.locator('#action-message'),
        'Quyết định không được chấp nhận: comment is required when requesting a revision',
      );
      await screenshot(page, 'nomination-refused');
      expect(problems).toEqual([]);
    } catch (err) {
      await screenshot(page, 'reviewer-failure');
      console.error(`page at the failure (${page.url()}):\n${await page.locator('main').innerText()}`);
      throw err;
    } finally {
      await context.close();
    }
  });
});
