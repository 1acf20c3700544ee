import * as fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  describeInBrowser,
  launchChromium,
  newPage,
  screenshot,
  signIn,
  waitForOption,
  waitForText,
} from '../support/browser';
import { E2E_ADMIN, TestApp } from '../support/http-app';

const TITLE = 'Mô hình “Tuyến đường tự quản xanh – sạch – đẹp”';
const TEMPORAL_UI = 'http://temporal-ui.example:8233';
const DAY_MS = 24 * 3_600_000;

/**
 * A submitter and an administrator in a real browser, side by side: the submitter registers a model (one
 * bad field first) and imports a CSV file; the administrator's dashboard counts the registration on its
 * own, and the administrator reassigns the task, follows it to Temporal, takes the report as CSV and as a
 * printable page, moves a deadline on the calendar page, and reads it all in English.
 */
describeInBrowser('web pages: a submitter registers, an administrator runs the round', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let campaignId: string;
  let admin: { context: BrowserContext; page: Page; problems: string[] };
  let nominationId: string;

  beforeAll(async () => {
    [t, browser] = await Promise.all([TestApp.start({ TEMPORAL_UI_URL: TEMPORAL_UI }), launchChromium()]);
    base = t.app.url!;
    await t.login();
    ({ campaignId } = await t.demo());
    admin = await newPage(browser);
    await signIn(admin.page, base, E2E_ADMIN.username, E2E_ADMIN.password);
    expect(new URL(admin.page.url()).pathname).toBe('/app/dashboard');
  });
  afterAll(async () => {
    await admin?.context.close();
    await browser?.close();
    await t?.close();
  });

  const registered = (page: Page) => page.locator('svg.funnel-chart g[data-step="registered"]');

  it('a submitter fixes the field the API refused, registers, and the dashboard’s funnel counts it', async () => {
    // The dashboard refreshes itself every 2 seconds while the submitter works in another browser.
    await admin.page.goto(`${base}/app/dashboard?refresh=2`);
    await registered(admin.page).waitFor();
    const before = Number(await registered(admin.page).getAttribute('data-value'));
    await waitForText(admin.page.locator('svg.funnel-chart'), 'Tập thể');
    const registration = admin.page.locator('#missing li[data-stage="district_registration"]');
    await waitForText(registration.locator('li.chip'), 'Huyện Đức Linh');

    // The submitter, on a tablet.
    const { context, page, problems } = await newPage(browser, { width: 820, height: 1180 });
    try {
      await signIn(page, base, 'demo.submitter', 'demo-password');
      await page.getByRole('link', { name: 'Đăng ký mô hình' }).click();
      await page.waitForURL(`${base}/app/register`);
      await waitForOption(page.locator('#unitId'), 'Thị trấn Võ Xu');
      await waitForOption(page.locator('#campaignId'), 'Dân vận khéo');
      await page.fill('#description', 'Người dân tự quản lý, giữ gìn vệ sinh tuyến đường.');
      await page.selectOption('#field', 'culture_society');
      await page.fill('#nomineeName', 'Chi hội Phụ nữ khu phố 1');
      await page.click('#register-form button[type=submit]');
      await waitForText(page.locator('#error-title'), 'Không được để trống');
      expect(await page.getAttribute('#title', 'aria-invalid')).toBe('true');
      expect(await page.locator('.field-error').count()).toBe(1);
      await screenshot(page, 'register-error');

      await page.fill('#title', TITLE);
      await page.click('#register-form button[type=submit]');
      await page.waitForURL(/\/app\/nominations\/[0-9a-f-]{36}$/);
      nominationId = page.url().split('/').pop()!;
      await waitForText(page.locator('#nom-title'), TITLE);
      await waitForText(page.locator('#nom-stage'), 'Đăng ký cấp huyện');
      await waitForText(page.locator('#timeline li.event[data-action="registered"]'), 'Trần Thị Hoa');
      await waitForText(page.locator('#no-task'), 'Không có việc nào đang chờ bạn');
      await waitForText(page.locator('#details'), 'Hạn xử lý');
      await page.locator('#withdraw-form').waitFor();
      await screenshot(page, 'nomination-submitter');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }

    // The funnel grows by one, and Đức Linh is no longer missing at registration — without a reload.
    await registered(admin.page)
      .and(admin.page.locator(`[data-value="${before + 1}"]`))
      .waitFor();
    await admin.page.waitForFunction(
      `!document.querySelector('#missing li[data-stage="district_registration"]').textContent.includes('Đức Linh')`,
    );
    await screenshot(admin.page, 'dashboard');
  });

  it('a submitter uploads a CSV file and sees the report per row, then the result', async () => {
    const { context, page, problems } = await newPage(browser);
    try {
      await signIn(page, base, 'demo.submitter', 'demo-password');
      await page.goto(`${base}/app/register`);
      await waitForOption(page.locator('#import-campaign'), 'Dân vận khéo');
      const header = 'Tên mô hình,Mô tả,Lĩnh vực,Loại,Tên đơn vị/cá nhân,Đơn vị';
      const upload = (rows: string[]) =>
        page.setInputFiles('#file', {
          name: 'mo-hinh.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from([header, ...rows].join('\n'), 'utf8'),
        });
      await upload([
        'Mô hình “Dân vận khéo” trong thu gom rác,Mô tả,Kinh tế,Tập thể,Đoàn Thanh niên,Thị trấn Võ Xu',
        'Mô hình sai lĩnh vực,Mô tả,Thể thao,Tập thể,Hội Cựu chiến binh,Thị trấn Võ Xu',
      ]);
      await page.click('#import-form button[type=submit]');
      const bad = await waitForText(page.locator('#import-errors tbody tr'), 'Thể thao');
      await waitForText(bad.locator('td').first(), '3');
      await waitForText(page.locator('#import-message'), 'Tệp có lỗi, chưa dòng nào được nhập');
      await screenshot(page, 'import-errors');

      await upload([
        'Mô hình “Dân vận khéo” trong thu gom rác,Mô tả,Kinh tế,Tập thể,Đoàn Thanh niên,Thị trấn Võ Xu',
      ]);
      await page.click('#import-form button[type=submit]');
      await waitForText(page.locator('#import-message'), 'Đã nhập 1 dòng: 1 hồ sơ mới');
      await waitForText(page.locator('#imported a'), 'thu gom rác');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('an administrator reassigns a task, follows it to Temporal, takes the report, moves a deadline', async () => {
    const { page, context, problems } = admin;
    await page.goto(`${base}/app/dashboard`);
    await page.check('#all-tasks');
    const row = await waitForText(page.locator('#tasks tbody tr'), TITLE);
    expect(await row.locator('a.temporal-link').getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/nomination-${nominationId}`,
    );
    await row.getByRole('button', { name: 'Giao lại' }).click();
    await waitForOption(row.locator('select.reassign-user'), 'Nguyễn Văn Bình');
    await row.getByRole('button', { name: 'Đồng ý' }).click();
    await waitForText(page.locator('#tasks-message'), 'Đã giao việc cho Nguyễn Văn Bình');
    await waitForText(page.locator('#stuck tbody tr'), TITLE);

    // The report as CSV (fetched with the token, saved as a file) and as a printable page.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(fs.readFileSync((await download.path())!, 'utf8')).toContain('Huyện Đức Linh');
    const [printable] = await Promise.all([context.waitForEvent('page'), page.click('#print')]);
    await printable.waitForURL(/^blob:/);
    await waitForText(printable.locator('body'), 'Huyện Đức Linh');
    await screenshot(printable, 'report-printable');
    await printable.close();

    // The nomination page links to its workflow in the Temporal Web UI.
    await page.goto(`${base}/app/nominations/${nominationId}`);
    await waitForText(page.locator('#timeline li.event[data-action="reassigned"]'), 'Giao lại việc');
    expect(await page.locator('#temporal-link').getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/nomination-${nominationId}`,
    );

    // The calendar page: a cut-off before its due date is refused next to the field; a later one is saved.
    await page.goto(`${base}/app/dashboard`);
    await page.click('#calendar-link');
    await page.waitForURL(/\/app\/calendar\?campaignId=/);
    const cutoff = page.locator('input[name="stages.recognition.cutoffAt"]');
    await page.locator('#calendar-form').waitFor();
    const shown = await cutoff.inputValue();
    const shift = (local: string, ms: number) =>
      new Date(Date.parse(`${local}:00Z`) + ms).toISOString().slice(0, 16);
    await cutoff.fill(shift(shown, -30 * DAY_MS));
    await page.click('#calendar-form button[type=submit]');
    await waitForText(page.locator('#error-stages-recognition-cutoffAt'), 'must not be before dueAt');
    await screenshot(page, 'calendar-refused');

    const old = (await t.call('GET', `/campaigns/${campaignId}`)).body.calendar.stages.recognition.cutoffAt;
    await cutoff.fill(shift(shown, DAY_MS));
    await page.click('#calendar-form button[type=submit]');
    await waitForText(page.locator('#calendar-message'), 'Đã lưu lịch');
    expect(await page.locator('.field-error').count()).toBe(0);
    const now = (await t.call('GET', `/campaigns/${campaignId}`)).body.calendar.stages.recognition.cutoffAt;
    const moved = Date.parse(now) - Date.parse(old);
    expect(moved).toBeGreaterThan(DAY_MS - 60_000);
    expect(moved).toBeLessThanOrEqual(DAY_MS);

    // The English switch: kept for the next pages, and <html lang> follows.
    await page.click('#lang-switch');
    await waitForText(page.locator('h1'), 'Campaign calendar');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.goto(`${base}/app/dashboard`);
    await waitForText(page.locator('h1'), 'Campaign dashboard');
    await waitForText(page.locator('svg.funnel-chart'), 'Registered');
    await screenshot(page, 'dashboard-en');
    expect(problems).toEqual([]);
  });
});
