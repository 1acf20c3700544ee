/* global document, localStorage */
// The pages' words in Vietnamese (the default) and English. One entry per key: [vi, en].
// Add a key here and use it with t('key') in a script or data-i18n="key" in a page.
// The domain's words (stages, decisions, fields, kinds, outcomes, roles, actions, funnel steps…) are not
// written here: they come from the server's vocabulary (src/domain/vocabulary.ts) as vocabulary.js.
import { STAGES as OPEN_STAGES, VOCABULARY } from './vocabulary.js';

const WORDS = {
  'app.name': ['Dân vận khéo', 'Skilled Mass Mobilization'],
  'app.tagline': ['Phong trào thi đua “Dân vận khéo”', 'The “Skilled Mass Mobilization” emulation movement'],
  'nav.inbox': ['Hộp việc', 'Inbox'],
  'nav.register': ['Đăng ký mô hình', 'Register a model'],
  'nav.dashboard': ['Bảng điều khiển', 'Dashboard'],
  'nav.signOut': ['Đăng xuất', 'Sign out'],
  'nav.switchLang': ['English', 'Tiếng Việt'],
  'nav.switchLangTitle': ['Switch to English', 'Chuyển sang tiếng Việt'],
  'common.loading': ['Đang tải…', 'Loading…'],
  'common.none': ['—', '—'],
  'common.cancel': ['Hủy', 'Cancel'],
  'common.ok': ['Đồng ý', 'OK'],
  'error.network': [
    'Không kết nối được máy chủ. Vui lòng thử lại.',
    'Cannot reach the server. Please try again.',
  ],
  'error.generic': ['Lỗi {status}', 'Error {status}'],
  'error.notAvailable': [
    'Chức năng này chưa có trên máy chủ.',
    'This feature is not available on the server yet.',
  ],
  'error.notFound': ['Không tìm thấy.', 'Not found.'],
  'validation.required': ['Không được để trống', 'Must not be empty'],
  'badge.overdue': ['Quá hạn', 'Overdue'],

  'login.title': ['Đăng nhập', 'Sign in'],
  'login.username': ['Tên đăng nhập', 'Username'],
  'login.password': ['Mật khẩu', 'Password'],
  'login.submit': ['Đăng nhập', 'Sign in'],
  'login.wrong': ['Sai tên đăng nhập hoặc mật khẩu.', 'Wrong username or password.'],
  'login.tooMany': [
    'Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây.',
    'Too many sign-in attempts. Please try again in {seconds} seconds.',
  ],
  'login.tooManyLater': [
    'Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.',
    'Too many sign-in attempts. Please try again later.',
  ],
  'login.expired': [
    'Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.',
    'Your session has expired. Please sign in again.',
  ],

  'inbox.title': ['Hộp việc', 'Inbox'],
  'inbox.subtitle': [
    'Việc tôi đang xử lý và việc chưa ai nhận của đơn vị, xếp theo hạn xử lý.',
    'The tasks I hold and my unit’s unclaimed tasks, by due date.',
  ],
  'inbox.unclaimed': ['Chưa ai nhận', 'Unclaimed'],
  'inbox.claim': ['Nhận việc', 'Claim'],
  'inbox.claimed': ['Đã nhận việc: {title}', 'Claimed: {title}'],
  'inbox.open': ['Mở hồ sơ', 'Open'],
  'inbox.empty': ['Không có việc nào.', 'No tasks.'],
  'inbox.more': ['Xem thêm', 'Load more'],
  'inbox.covering': ['Làm thay {name}', 'Covering for {name}'],
  'inbox.count': ['{n} việc', '{n} tasks'],
  'filter.stage': ['Giai đoạn', 'Stage'],
  'filter.allStages': ['Tất cả giai đoạn', 'All stages'],
  'filter.field': ['Lĩnh vực', 'Field'],
  'filter.allFields': ['Tất cả lĩnh vực', 'All fields'],
  'filter.overdue': ['Chỉ việc quá hạn', 'Overdue only'],
  'filter.q': ['Tìm kiếm', 'Search'],
  'filter.qPlaceholder': [
    'Tên mô hình hoặc tập thể/cá nhân (gõ không dấu cũng được)',
    'Title or nominee (accents optional)',
  ],

  'col.title': ['Mô hình', 'Model'],
  'col.unit': ['Đơn vị', 'Unit'],
  'col.stage': ['Giai đoạn', 'Stage'],
  'col.due': ['Hạn xử lý', 'Due'],
  'col.holder': ['Người xử lý', 'Holder'],
  'col.actions': ['Thao tác', 'Actions'],
  'col.row': ['Dòng', 'Row'],
  'col.column': ['Cột', 'Column'],
  'col.reason': ['Lỗi', 'Problem'],
  'col.total': ['Tổng', 'Total'],
  'col.overdue': ['Việc quá hạn', 'Overdue tasks'],
  'col.openTasks': ['Việc đang mở', 'Open tasks'],
  'col.waiting': ['Đã chờ', 'Waiting'],
  'col.waitingFor': ['Đang chờ', 'Waiting for'],
  'col.failure': ['Lỗi ghi nhận', 'Not recorded'],
  'dash.failureHeld': [
    '{action}: chưa ghi được, đang thử lại ({attempts} lần) — {reason}',
    '{action}: not recorded, retrying ({attempts} tries) — {reason}',
  ],
  'dash.failureRefused': [
    '{action}: bị từ chối, hồ sơ giữ nguyên — {reason}',
    '{action}: refused, nomination unchanged — {reason}',
  ],

  'nom.title': ['Hồ sơ mô hình', 'Nomination'],
  'nom.missingId': ['Thiếu mã hồ sơ trong địa chỉ trang.', 'The page address has no nomination id.'],
  'nom.details': ['Thông tin mô hình', 'Details'],
  'nom.stage': ['Giai đoạn hiện tại', 'Current stage'],
  'nom.deadline': ['Hạn xử lý', 'Due'],
  'nom.cutoff': ['Hạn chót', 'Cut-off'],
  'nom.outcome': ['Kết quả', 'Outcome'],
  'nom.unit': ['Đơn vị đăng ký', 'Registering unit'],
  'nom.nominee': ['Tập thể/cá nhân', 'Nominee'],
  'nom.field': ['Lĩnh vực', 'Field'],
  'nom.kind': ['Loại', 'Kind'],
  'nom.description': ['Mô tả', 'Description'],
  'nom.createdAt': ['Ngày đăng ký', 'Registered on'],
  'nom.revisions': ['Số lần yêu cầu bổ sung', 'Revision requests'],
  'nom.campaign': ['Đợt thi đua', 'Campaign'],
  'nom.task': ['Việc đang chờ xử lý', 'Open task'],
  'nom.noTask': [
    'Không có việc nào đang chờ bạn ở hồ sơ này.',
    'Nothing on this nomination is waiting for you.',
  ],
  'nom.holder': ['Người xử lý', 'Holder'],
  'nom.decide': ['Quyết định', 'Decide'],
  'nom.comment': ['Ý kiến', 'Comment'],
  'nom.score': ['Điểm (0–100)', 'Score (0–100)'],
  'nom.decided': ['Đã ghi nhận quyết định “{decision}”.', 'Decision “{decision}” recorded.'],
  'nom.refused': ['Quyết định không được chấp nhận: {reason}', 'The decision was refused: {reason}'],
  'nom.timeline': ['Diễn biến hồ sơ', 'Timeline'],
  'nom.timelineEmpty': ['Chưa có diễn biến nào.', 'Nothing has happened yet.'],
  'nom.onBehalfOf': ['thay cho {name}', 'on behalf of {name}'],
  'nom.system': ['Hệ thống', 'System'],
  'nom.scoreValue': ['Điểm: {score}', 'Score: {score}'],
  'nom.revisionDue': [
    'Hồ sơ được yêu cầu bổ sung. Hạn nộp lại: {due}.',
    'A revision was requested. Resubmit by {due}.',
  ],
  'nom.resubmitTitle': ['Nộp lại hồ sơ đã bổ sung', 'Resubmit after revision'],
  'nom.resubmitComment': ['Nội dung đã bổ sung', 'What changed'],
  'nom.resubmit': ['Nộp lại', 'Resubmit'],
  'nom.resubmitted': ['Đã nộp lại hồ sơ.', 'Resubmitted.'],
  'nom.withdrawTitle': ['Rút hồ sơ', 'Withdraw'],
  'nom.withdrawReason': ['Lý do rút hồ sơ', 'Reason'],
  'nom.withdraw': ['Rút hồ sơ', 'Withdraw'],
  'nom.withdrawn': ['Đã rút hồ sơ.', 'Withdrawn.'],
  'nom.temporal': ['Xem quy trình trên Temporal Web UI', 'Open the workflow in the Temporal Web UI'],
  'nom.claim': ['Nhận việc', 'Claim'],

  'reg.title': ['Đăng ký mô hình', 'Register a model'],
  'reg.subtitle': [
    'Đăng ký mô hình “Dân vận khéo” của đơn vị với Ban Dân vận cấp huyện.',
    'Register your unit’s model with the district’s Mass Mobilization Commission.',
  ],
  'reg.campaign': ['Đợt thi đua', 'Campaign'],
  'reg.unit': ['Đơn vị đăng ký', 'Registering unit'],
  'reg.unitSearch': ['Tìm đơn vị (gõ không dấu cũng được)', 'Search units (accents optional)'],
  'reg.titleField': ['Tên mô hình', 'Model title'],
  'reg.description': ['Mô tả', 'Description'],
  'reg.field': ['Lĩnh vực', 'Field'],
  'reg.kind': ['Loại', 'Kind'],
  'reg.nominee': ['Tên tập thể/cá nhân', 'Nominee name'],
  'reg.submit': ['Đăng ký', 'Register'],
  'reg.choose': ['— Chọn —', '— Choose —'],
  'reg.noCampaign': ['Chưa có đợt thi đua nào.', 'There is no campaign.'],
  'reg.importTitle': ['Nhập nhiều mô hình từ tệp CSV', 'Import models from a CSV file'],
  'reg.importHelp': [
    'Các cột: Tên mô hình, Mô tả, Lĩnh vực, Loại, Tên đơn vị/cá nhân, Đơn vị (tiêu đề tiếng Việt hoặc tiếng Anh). Tệp có lỗi thì không dòng nào được nhập.',
    'Columns: title, description, field, kind, nomineeName, unit (Vietnamese or English headers). A file with errors imports nothing.',
  ],
  'reg.importFile': ['Tệp CSV', 'CSV file'],
  'reg.importSubmit': ['Tải lên và nhập', 'Upload and import'],
  'reg.importNoFile': ['Hãy chọn một tệp CSV.', 'Choose a CSV file.'],
  'reg.importDone': [
    'Đã nhập {imported} dòng: {created} hồ sơ mới, {alreadyPresent} hồ sơ đã có từ trước.',
    'Imported {imported} rows: {created} new, {alreadyPresent} already present.',
  ],
  'reg.importErrors': ['Tệp có lỗi, chưa dòng nào được nhập:', 'The file has errors; nothing was imported:'],

  'dash.title': ['Bảng điều khiển đợt thi đua', 'Campaign dashboard'],
  'dash.campaign': ['Đợt thi đua', 'Campaign'],
  'dash.refresh': ['Làm mới', 'Refresh'],
  'dash.updated': ['Cập nhật lúc {time}', 'Updated at {time}'],
  'dash.funnel': ['Phễu kết quả', 'Funnel'],
  'dash.noSplit': [
    'Chưa có số liệu tách tập thể/cá nhân (báo cáo chưa sẵn sàng).',
    'No collective/individual split yet (the report is not available).',
  ],
  'dash.byStageUnit': ['Số hồ sơ theo giai đoạn và đơn vị', 'Nominations by stage and unit'],
  'dash.byUnit': ['Tiến độ theo đơn vị', 'Progress by unit'],
  'dash.missing': ['Đơn vị chưa nộp ở từng giai đoạn', 'Units that submitted nothing, by stage'],
  'dash.missingLine': ['{submitted}/{total} đơn vị đã nộp', '{submitted} of {total} units submitted'],
  'dash.missingNone': ['Tất cả đơn vị đã nộp.', 'Every unit has submitted.'],
  'dash.stageClosed': ['đã đóng', 'closed'],
  'dash.stuck': ['Hồ sơ chờ lâu nhất', 'Longest-waiting nominations'],
  'dash.stuckEmpty': ['Không có hồ sơ nào đang chờ.', 'No nomination is waiting.'],
  'dash.tasks': ['Việc quá hạn', 'Overdue tasks'],
  'dash.tasksAll': ['Hiện cả việc chưa quá hạn', 'Also show tasks not yet overdue'],
  'dash.tasksEmpty': ['Không có việc nào.', 'No tasks.'],
  'dash.reassign': ['Giao lại', 'Reassign'],
  'dash.reassignTo': ['Giao cho', 'Assign to'],
  'dash.reassigned': ['Đã giao việc cho {name}.', 'Reassigned to {name}.'],
  'dash.noUsers': ['Không có người phù hợp trong đơn vị.', 'Nobody in the unit can take it.'],
  'dash.calendar': ['Lịch và thời hạn', 'Calendar and deadlines'],
  'dash.csv': ['Tải báo cáo (CSV)', 'Download the report (CSV)'],
  'dash.print': ['Mở báo cáo để in', 'Open the printable report'],
  'dash.noCampaign': ['Chưa có đợt thi đua nào.', 'There is no campaign.'],
  'dash.hours': ['{n} giờ', '{n} h'],
  'dash.days': ['{n} ngày', '{n} days'],
  'dash.temporal': ['Temporal', 'Temporal'],

  'funnel.aria': ['Phễu: {summary}', 'Funnel: {summary}'],

  'cal.title': ['Lịch đợt thi đua', 'Campaign calendar'],
  'cal.subtitle': [
    'Dời hạn xử lý và hạn chót của từng giai đoạn. Hồ sơ đang mở được báo ngay và đặt lại lời nhắc.',
    'Move each stage’s due date and cut-off. Open nominations are told at once and re-arm their reminders.',
  ],
  'cal.dueAt': ['Hạn xử lý', 'Due'],
  'cal.cutoffAt': ['Hạn chót', 'Cut-off'],
  'cal.reminders': [
    'Nhắc trước hạn (giờ, cách nhau bởi dấu phẩy)',
    'Reminders before the due date (hours, comma-separated)',
  ],
  'cal.revisionWindow': ['Thời gian bổ sung hồ sơ (giờ)', 'Revision window (hours)'],
  'cal.save': ['Lưu lịch', 'Save the calendar'],
  'cal.saved': [
    'Đã lưu lịch; đã báo cho {n} hồ sơ đang mở.',
    'Calendar saved; {n} open nominations were told.',
  ],
  'cal.back': ['← Bảng điều khiển', '← Dashboard'],
  'cal.unchanged': ['Chưa có gì thay đổi.', 'Nothing changed.'],
};

// `stage.closed`, `field.economic`, … for every list of the vocabulary.
for (const [list, { labels }] of Object.entries(VOCABULARY)) {
  for (const [code, l] of Object.entries(labels)) WORDS[`${list}.${code}`] = [l.vi, l.en];
}
// The funnel chart's legend names the two kinds.
for (const kind of VOCABULARY.kind.values) WORDS[`funnel.${kind}`] = WORDS[`kind.${kind}`];

const LANGS = ['vi', 'en'];
const LANG_KEY = 'dvk.lang';

export function getLang() {
  const saved = localStorage.getItem(LANG_KEY);
  return LANGS.includes(saved) ? saved : 'vi';
}

export function setLang(lang) {
  localStorage.setItem(LANG_KEY, LANGS.includes(lang) ? lang : 'vi');
}

/** The word for `key` in the chosen language, with `{name}` replaced from `params`; the key itself if unknown. */
export function t(key, params = {}) {
  const entry = WORDS[key];
  const text = entry ? entry[LANGS.indexOf(getLang())] : key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** A label for an API value (`stage`, `decision`, `field`, …): the value itself when there is none. */
export function label(kind, value) {
  if (value === null || value === undefined || value === '') return t('common.none');
  const key = `${kind}.${value}`;
  return key in WORDS ? t(key) : String(value);
}

/** Sets `<html lang>` and replaces every `data-i18n` text (and `data-i18n-placeholder`) under `root`. */
export function applyI18n(root = document) {
  document.documentElement.lang = getLang();
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) {
    node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder));
  }
  for (const node of root.querySelectorAll('[data-i18n-title]')) {
    node.setAttribute('title', t(node.dataset.i18nTitle));
  }
}

function locale() {
  return getLang() === 'vi' ? 'vi-VN' : 'en-GB';
}

/** A date and time in the user's language and time zone. */
export function formatDateTime(value) {
  if (!value) return t('common.none');
  return new Intl.DateTimeFormat(locale(), {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(value));
}

export function formatNumber(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

/** "36 giờ" under two days, else "3 ngày". */
export function formatHours(hours) {
  if (hours === null || hours === undefined) return t('common.none');
  return hours < 48
    ? t('dash.hours', { n: formatNumber(Math.round(hours)) })
    : t('dash.days', { n: formatNumber(Math.floor(hours / 24)) });
}

export const STAGES = OPEN_STAGES;
export const FIELDS = VOCABULARY.field.values;
export const KINDS = VOCABULARY.kind.values;
export const FUNNEL_STEPS = VOCABULARY.funnel.values;
