/**
 * What a notice says, in each language: one template per notice kind, beside the vocabulary whose words
 * they use. A notification is stored as its template and parameters (notifications.template, .params)
 * and rendered when it is read: in the reader's language by GET /notifications, in Vietnamese by the
 * email sender when it sends.
 *
 * The Vietnamese texts are word for word those the notices had when they were stored pre-rendered
 * (stage codes and ISO times included): the emails and the in-app messages read as before. The English
 * texts name stages and outcomes by their labels.
 */
import type { Outcome, Stage } from './nomination';
import { type Lang, labelOf, type Label, SUBMISSION_WORDS, type UnitStage } from './vocabulary';

/** Which of a nomination's tasks a notice is about: its stage, or the revision its submitter owes. */
interface TaskRef {
  title: string;
  stage: Stage;
  /** The submitter's revision task, not the stage's review. */
  revision: boolean;
}

interface UnitCount {
  stage: UnitStage;
  /** District-level units that have submitted at the stage, of `total`. */
  done: number;
  total: number;
  /** The names of the units that have not. */
  missing: string[];
}

export interface NoticeParams {
  /** To the submitters: a reviewer asked for a revision. */
  revision_requested: { title: string; comment: string };
  /** To the task's assignees: an administrator gave it new dates. */
  deadline_extended: { title: string; stage: Stage; dueAt: string; cutoffAt: string; reason: string };
  /** To the new holder of a reassigned task. */
  task_reassigned: { by: string; title: string; stage: Stage; dueAt: string };
  task_reminder: TaskRef & { hoursLeft: number; dueAt: string };
  /** `lateHours` null: the first notice, when the due date passed. */
  task_overdue: TaskRef & { dueAt: string; lateHours: number | null };
  closed_at_cutoff: TaskRef & { outcome: Outcome };
  /** To a district-level unit that has submitted nothing some hours before a unit stage's cut-off. */
  unit_stage_reminder: { unit: string; stage: UnitStage; hoursLeft: number; cutoffAt: string };
  /** To the province's administrators, with the same reminders. */
  stage_reminder_summary: UnitCount & { hoursLeft: number };
  /** To the province's administrators, when a unit stage closed at its cut-off. */
  stage_closed_summary: UnitCount;
}
export type NoticeTemplate = keyof NoticeParams;

/** A notice as it is stored: which template, with what. */
export type NoticeContent = {
  [T in NoticeTemplate]: { template: T; params: NoticeParams[T] };
}[NoticeTemplate];

type Templates = { [T in NoticeTemplate]: Record<Lang, (p: NoticeParams[T]) => string> };

const task = (p: TaskRef, lang: Lang) =>
  lang === 'vi'
    ? `"${p.title}" (${p.revision ? 'bổ sung, chỉnh sửa' : p.stage})`
    : `"${p.title}" (${p.revision ? 'revision' : labelOf('stage', p.stage, 'en')})`;

/** "3 ngày" for whole days, else "30 giờ"; "3 days", "30 hours". */
export function timeLeft(hours: number, lang: Lang): string {
  const days = hours % 24 === 0 ? hours / 24 : undefined;
  if (lang === 'vi') return days !== undefined ? `${days} ngày` : `${hours} giờ`;
  if (days !== undefined) return `${days} day${days === 1 ? '' : 's'}`;
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

const hours = (n: number) => `${n} hour${n === 1 ? '' : 's'}`;
const verb = (stage: UnitStage, lang: Lang) => SUBMISSION_WORDS[stage][lang];

const TEMPLATES: Templates = {
  revision_requested: {
    vi: (p) => `Yêu cầu bổ sung, chỉnh sửa mô hình "${p.title}": ${p.comment}`,
    en: (p) => `A revision of "${p.title}" was requested: ${p.comment}`,
  },
  deadline_extended: {
    vi: (p) => `"${p.title}" (${p.stage}): gia hạn đến ${p.dueAt}, hạn chót ${p.cutoffAt}. ${p.reason}`,
    en: (p) =>
      `"${p.title}" (${labelOf('stage', p.stage, 'en')}): extended to ${p.dueAt}, cut-off ${p.cutoffAt}. ${p.reason}`,
  },
  task_reassigned: {
    vi: (p) => `${p.by} đã giao cho bạn xử lý "${p.title}" (${p.stage}), hạn ${p.dueAt}.`,
    en: (p) => `${p.by} assigned "${p.title}" (${labelOf('stage', p.stage, 'en')}) to you, due ${p.dueAt}.`,
  },
  task_reminder: {
    vi: (p) => `${task(p, 'vi')}: còn ${p.hoursLeft} giờ đến hạn ${p.dueAt}.`,
    en: (p) => `${task(p, 'en')}: ${hours(p.hoursLeft)} left until the due date ${p.dueAt}.`,
  },
  task_overdue: {
    vi: (p) => `${task(p, 'vi')}: quá hạn ${p.dueAt}${p.lateHours === null ? '' : ` (${p.lateHours} giờ)`}.`,
    en: (p) =>
      `${task(p, 'en')}: overdue since ${p.dueAt}${p.lateHours === null ? '' : ` (${hours(p.lateHours)})`}.`,
  },
  closed_at_cutoff: {
    vi: (p) => `${task(p, 'vi')}: quá hạn chót, đã đóng (${p.outcome}).`,
    en: (p) => `${task(p, 'en')}: the cut-off passed; closed (${labelOf('outcome', p.outcome, 'en')}).`,
  },
  unit_stage_reminder: {
    vi: (p) =>
      `${p.unit} chưa ${verb(p.stage, 'vi')} mô hình nào; còn ${timeLeft(p.hoursLeft, 'vi')} (hạn chót ${p.cutoffAt}).`,
    en: (p) =>
      `${p.unit} has ${verb(p.stage, 'en')} no model yet; ${timeLeft(p.hoursLeft, 'en')} left (cut-off ${p.cutoffAt}).`,
  },
  stage_reminder_summary: {
    vi: (p) =>
      `Giai đoạn ${p.stage}: ${p.done}/${p.total} đơn vị đã ${verb(p.stage, 'vi')}; chưa ${verb(p.stage, 'vi')}: ${p.missing.join(', ')}; còn ${timeLeft(p.hoursLeft, 'vi')}.`,
    en: (p) =>
      `${labelOf('stage', p.stage, 'en')}: ${p.done} of ${p.total} units have ${verb(p.stage, 'en')}; not yet: ${p.missing.join(', ')}; ${timeLeft(p.hoursLeft, 'en')} left.`,
  },
  stage_closed_summary: {
    vi: (p) =>
      `Kết thúc giai đoạn ${p.stage}: ${p.done}/${p.total} đơn vị đã ${verb(p.stage, 'vi')}; không ${verb(p.stage, 'vi')}: ${p.missing.join(', ')}.`,
    en: (p) =>
      `${labelOf('stage', p.stage, 'en')} closed: ${p.done} of ${p.total} units ${verb(p.stage, 'en')}; did not: ${p.missing.join(', ')}.`,
  },
};

export const NOTICE_TEMPLATES = Object.keys(TEMPLATES) as NoticeTemplate[];

export function isNoticeTemplate(value: unknown): value is NoticeTemplate {
  return typeof value === 'string' && Object.hasOwn(TEMPLATES, value);
}

/** The notice's text in a language. */
export function renderNotice(n: NoticeContent, lang: Lang): string {
  return (TEMPLATES[n.template][lang] as (p: NoticeParams[NoticeTemplate]) => string)(n.params);
}

/**
 * A stored notification's text: rendered from its template when it has one; else the text it was
 * stored with (notifications written before notices had templates, in Vietnamese whatever the reader's
 * language).
 */
export function noticeText(
  row: { template: string | null; params: unknown; message: string | null },
  lang: Lang,
): string {
  if (isNoticeTemplate(row.template) && row.params && typeof row.params === 'object') {
    return renderNotice({ template: row.template, params: row.params } as NoticeContent, lang);
  }
  return row.message ?? '';
}

/** Emails' subject lines, by the kind of step that raised the notice. */
const EMAIL_SUBJECTS: Record<string, Label> = {
  registered: { vi: 'Đăng ký mô hình', en: 'Registration' },
  // The one notice a decision raises is the revision request to the submitters.
  decided: { vi: 'Yêu cầu bổ sung, chỉnh sửa', en: 'Revision requested' },
  resubmitted: { vi: 'Hồ sơ đã bổ sung', en: 'Resubmitted' },
  withdrawn: { vi: 'Hồ sơ đã rút', en: 'Withdrawn' },
  reminder: { vi: 'Nhắc hạn', en: 'Reminder' },
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  escalated: { vi: 'Quá hạn', en: 'Overdue' },
  deadline_changed: { vi: 'Thay đổi thời hạn', en: 'Deadline changed' },
  closed_at_cutoff: { vi: 'Đã đóng do quá hạn chót', en: 'Closed at the cut-off' },
  stage_reminder: { vi: 'Đơn vị chưa nộp', en: 'Units yet to submit' },
  stage_closed: { vi: 'Kết thúc giai đoạn', en: 'Stage closed' },
  reassigned: { vi: 'Được giao xử lý', en: 'Assigned to you' },
  deadline_extended: { vi: 'Gia hạn', en: 'Deadline extended' },
  cancelled: { vi: 'Hồ sơ bị hủy', en: 'Cancelled' },
};

const APP_NAME: Label = { vi: 'Dân vận khéo', en: 'Skilled Mass Mobilization' };

/** "[Dân vận khéo] Nhắc hạn: <the nomination's title or the campaign's name>" */
export function emailSubject(kind: string, about: string, lang: Lang): string {
  const subject = Object.hasOwn(EMAIL_SUBJECTS, kind) ? EMAIL_SUBJECTS[kind][lang] : kind;
  return `[${APP_NAME[lang]}] ${subject}: ${about}`;
}
