import {
  emailSubject,
  NOTICE_TEMPLATES,
  type NoticeContent,
  noticeText,
  renderNotice,
} from '../../src/domain/notices';

const title = 'Mô hình "Bếp ăn nghĩa tình" (xã Đức Tài): 2025';
const due = '2026-10-15T00:00:00.000Z';
const cutoff = '2026-10-20T00:00:00.000Z';

/**
 * Every notice the nomination workflow sends (workflows/nomination.deadlines.ts, nomination.handlers.ts),
 * with the Vietnamese text it wrote before notices had templates: users read the same words as before.
 */
const WORKFLOW_NOTICES: { kind: string; content: NoticeContent; message: string; en: string }[] = [
  {
    kind: 'decided',
    message: `Yêu cầu bổ sung, chỉnh sửa mô hình "${title}": Bổ sung số liệu: năm "2025"`,
    content: { template: 'revision_requested', params: { title, comment: 'Bổ sung số liệu: năm "2025"' } },
    en: `A revision of "${title}" was requested: Bổ sung số liệu: năm "2025"`,
  },
  {
    kind: 'deadline_extended',
    message: `"${title}" (district_review): gia hạn đến ${due}, hạn chót ${cutoff}. Lũ lụt. Xin thêm 5 ngày`,
    content: {
      template: 'deadline_extended',
      params: {
        title,
        stage: 'district_review',
        dueAt: due,
        cutoffAt: cutoff,
        reason: 'Lũ lụt. Xin thêm 5 ngày',
      },
    },
    en: `"${title}" (District review): extended to ${due}, cut-off ${cutoff}. Lũ lụt. Xin thêm 5 ngày`,
  },
  {
    kind: 'reassigned',
    message: `Trần Thị Bình đã giao cho bạn xử lý "${title}" (provincial_review), hạn ${due}.`,
    content: {
      template: 'task_reassigned',
      params: { by: 'Trần Thị Bình', title, stage: 'provincial_review', dueAt: due },
    },
    en: `Trần Thị Bình assigned "${title}" (Provincial review) to you, due ${due}.`,
  },
  {
    kind: 'reminder',
    message: `"${title}" (district_registration): còn 24 giờ đến hạn ${due}.`,
    content: {
      template: 'task_reminder',
      params: { title, stage: 'district_registration', revision: false, hoursLeft: 24, dueAt: due },
    },
    en: `"${title}" (District registration): 24 hours left until the due date ${due}.`,
  },
  {
    kind: 'reminder',
    message: `"${title}" (bổ sung, chỉnh sửa): còn 72 giờ đến hạn ${due}.`,
    content: {
      template: 'task_reminder',
      params: { title, stage: 'district_review', revision: true, hoursLeft: 72, dueAt: due },
    },
    en: `"${title}" (revision): 72 hours left until the due date ${due}.`,
  },
  {
    kind: 'overdue',
    message: `"${title}" (recognition): quá hạn ${due}.`,
    content: {
      template: 'task_overdue',
      params: { title, stage: 'recognition', revision: false, dueAt: due, lateHours: null },
    },
    en: `"${title}" (Recognition): overdue since ${due}.`,
  },
  {
    kind: 'escalated',
    message: `"${title}" (recognition): quá hạn ${due} (48 giờ).`,
    content: {
      template: 'task_overdue',
      params: { title, stage: 'recognition', revision: false, dueAt: due, lateHours: 48 },
    },
    en: `"${title}" (Recognition): overdue since ${due} (48 hours).`,
  },
  {
    kind: 'closed_at_cutoff',
    message: `"${title}" (provincial_proposal): quá hạn chót, đã đóng (recognized_district).`,
    content: {
      template: 'closed_at_cutoff',
      params: { title, stage: 'provincial_proposal', revision: false, outcome: 'recognized_district' },
    },
    en: `"${title}" (Proposal to the province): the cut-off passed; closed (Recognized by the district).`,
  },
];

describe('notices: a template and its parameters, rendered in the reader’s language', () => {
  it.each(WORKFLOW_NOTICES)(
    'renders the workflow’s $kind notice ($content.template) as before in Vietnamese, and in English',
    ({ content, message, en }) => {
      expect(renderNotice(content, 'vi')).toBe(message);
      expect(renderNotice(content, 'en')).toBe(en);
    },
  );

  it('reads a row stored without a template (written before templates) as its text in every language', () => {
    expect(noticeText({ template: null, params: null, message: 'Còn 24 giờ.' }, 'en')).toBe('Còn 24 giờ.');
  });

  it('renders the campaign’s notices in both languages', () => {
    const count = {
      stage: 'district_registration' as const,
      done: 1,
      total: 3,
      missing: ['Huyện A', 'Huyện B'],
    };
    expect(
      renderNotice(
        {
          template: 'unit_stage_reminder',
          params: { unit: 'Huyện A', stage: 'district_registration', hoursLeft: 72, cutoffAt: cutoff },
        },
        'vi',
      ),
    ).toBe(`Huyện A chưa đăng ký mô hình nào; còn 3 ngày (hạn chót ${cutoff}).`);
    expect(
      renderNotice({ template: 'stage_reminder_summary', params: { ...count, hoursLeft: 30 } }, 'en'),
    ).toBe('District registration: 1 of 3 units have registered; not yet: Huyện A, Huyện B; 30 hours left.');
    expect(renderNotice({ template: 'stage_closed_summary', params: count }, 'vi')).toBe(
      'Kết thúc giai đoạn district_registration: 1/3 đơn vị đã đăng ký; không đăng ký: Huyện A, Huyện B.',
    );
  });

  it('has a Vietnamese and an English text for every template, and email subjects in both', () => {
    expect(NOTICE_TEMPLATES).toHaveLength(9);
    expect(emailSubject('reminder', 'Mô hình X', 'vi')).toBe('[Dân vận khéo] Nhắc hạn: Mô hình X');
    expect(emailSubject('reminder', 'Mô hình X', 'en')).toBe(
      '[Skilled Mass Mobilization] Reminder: Mô hình X',
    );
  });
});
