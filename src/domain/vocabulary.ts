/**
 * The one vocabulary: every list of domain words (stages, decisions, outcomes, fields, kinds, roles, unit
 * levels, task kinds, audit actions, funnel steps) with its labels in Vietnamese and English, and which
 * decision marks which milestone of the funnel. The import, the report, the pipeline, the notices and the
 * web pages (served as the module `/app/assets/vocabulary.js`) all read these; a unit test
 * (test/unit/vocabulary-copies.spec.ts) fails when a label or a field-keyed table is written anywhere else.
 *
 * Pure data and functions: imported by workflows/, activities/ and src/ alike.
 */
import {
  type Decision,
  DECISIONS,
  FIELDS,
  type Field,
  KINDS,
  type Kind,
  type NominationStage,
  OUTCOMES,
  type Outcome,
  ROLES,
  type Role,
  type Stage,
  STAGES,
} from './nomination';

export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];
/** Vietnamese is the users' language; English is for the English pages and API clients that ask. */
export const DEFAULT_LANG: Lang = 'vi';

export interface Label {
  vi: string;
  en: string;
  /**
   * Other spellings the CSV import accepts for this value besides the code and the two labels (matched,
   * like them, ignoring case, diacritics and punctuation). Kept so files written for an earlier version
   * still import: before the vocabulary was one, the import knew the economic field as "Kinh tế".
   */
  aliases?: readonly string[];
}

export const UNIT_LEVELS = ['province', 'district', 'grassroots'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export const TASK_KINDS = ['review', 'revision'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const NOMINATION_STAGES: readonly NominationStage[] = [...STAGES, 'closed'];

/**
 * The audit actions of src/contracts/audit.ts (the domain imports nothing else of src/, so the list is
 * here and the vocabulary's unit test checks it against that type), as the timeline names them.
 */
export const AUDIT_ACTIONS = [
  'registered',
  'decided',
  'resubmitted',
  'withdrawn',
  'reminder',
  'overdue',
  'escalated',
  'deadline_changed',
  'closed_at_cutoff',
  'deadline_extended',
  'cancelled',
  'claimed',
  'unclaimed',
  'reassigned',
  'released',
] as const;

/** The campaign report's funnel: every registration, then the three milestones a unit is counted by. */
export const FUNNEL_STEPS = ['registered', 'districtRecognized', 'proposed', 'recognized'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

export const STAGE_LABELS: Record<NominationStage, Label> = {
  district_registration: { vi: 'Đăng ký cấp huyện', en: 'District registration' },
  district_review: { vi: 'Xét công nhận cấp huyện', en: 'District review' },
  provincial_proposal: { vi: 'Đề xuất lên tỉnh', en: 'Proposal to the province' },
  provincial_review: { vi: 'Thẩm định cấp tỉnh', en: 'Provincial review' },
  recognition: { vi: 'Công nhận cấp tỉnh', en: 'Recognition' },
  closed: { vi: 'Đã kết thúc', en: 'Closed' },
};

export const DECISION_LABELS: Record<Decision, Label> = {
  accept: { vi: 'Tiếp nhận', en: 'Accept' },
  request_revision: { vi: 'Yêu cầu bổ sung', en: 'Request revision' },
  reject: { vi: 'Từ chối', en: 'Reject' },
  recognize: { vi: 'Công nhận', en: 'Recognize' },
  not_recognize: { vi: 'Không công nhận', en: 'Do not recognize' },
  propose: { vi: 'Đề xuất lên tỉnh', en: 'Propose' },
  not_propose: { vi: 'Không đề xuất', en: 'Do not propose' },
  recommend: { vi: 'Đề nghị công nhận', en: 'Recommend' },
  not_recommend: { vi: 'Không đề nghị', en: 'Do not recommend' },
};

export const OUTCOME_LABELS: Record<Outcome, Label> = {
  recognized_provincial: { vi: 'Được tỉnh công nhận', en: 'Recognized by the province' },
  recognized_district: { vi: 'Được công nhận cấp huyện', en: 'Recognized by the district' },
  not_recognized: { vi: 'Không được công nhận', en: 'Not recognized' },
  rejected: { vi: 'Bị từ chối', en: 'Rejected' },
  withdrawn: { vi: 'Đã rút', en: 'Withdrawn' },
  expired: { vi: 'Quá hạn chót', en: 'Expired' },
};

export const FIELD_LABELS: Record<Field, Label> = {
  economic: { vi: 'Phát triển kinh tế', en: 'Economic development', aliases: ['Kinh tế', 'Economic'] },
  culture_society: {
    vi: 'Văn hóa – xã hội',
    en: 'Culture and society',
    aliases: ['Văn hóa - xã hội', 'Culture - society'],
  },
  defense_security: {
    vi: 'Quốc phòng – an ninh',
    en: 'National defence and security',
    aliases: ['Quốc phòng - an ninh', 'Defense - security', 'National defense and security'],
  },
  political_system: { vi: 'Xây dựng hệ thống chính trị', en: 'Building the political system' },
};

export const KIND_LABELS: Record<Kind, Label> = {
  collective: { vi: 'Tập thể', en: 'Collective' },
  individual: { vi: 'Cá nhân', en: 'Individual' },
};

export const ROLE_LABELS: Record<Role, Label> = {
  submitter: { vi: 'Cán bộ đơn vị', en: 'Submitter' },
  district_reviewer: { vi: 'Cán bộ thẩm định cấp huyện', en: 'District reviewer' },
  provincial_reviewer: { vi: 'Cán bộ thẩm định cấp tỉnh', en: 'Provincial reviewer' },
  admin: { vi: 'Quản trị viên', en: 'Administrator' },
};

export const UNIT_LEVEL_LABELS: Record<UnitLevel, Label> = {
  province: { vi: 'Cấp tỉnh', en: 'Province' },
  district: { vi: 'Cấp huyện', en: 'District level' },
  grassroots: { vi: 'Cấp cơ sở', en: 'Grassroots' },
};

export const TASK_KIND_LABELS: Record<TaskKind, Label> = {
  review: { vi: 'Xét duyệt', en: 'Review' },
  revision: { vi: 'Bổ sung hồ sơ', en: 'Revision' },
};

export const AUDIT_ACTION_LABELS: Record<(typeof AUDIT_ACTIONS)[number], Label> = {
  registered: { vi: 'Đăng ký', en: 'Registered' },
  decided: { vi: 'Quyết định', en: 'Decided' },
  resubmitted: { vi: 'Nộp lại sau bổ sung', en: 'Resubmitted' },
  withdrawn: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
  reminder: { vi: 'Nhắc hạn', en: 'Reminder' },
  overdue: { vi: 'Quá hạn xử lý', en: 'Overdue' },
  escalated: { vi: 'Báo cáo cấp trên', en: 'Escalated' },
  deadline_changed: { vi: 'Đổi thời hạn theo lịch', en: 'Deadline changed' },
  closed_at_cutoff: { vi: 'Đóng khi hết hạn chót', en: 'Closed at the cut-off' },
  deadline_extended: { vi: 'Gia hạn', en: 'Deadline extended' },
  cancelled: { vi: 'Hủy hồ sơ', en: 'Cancelled' },
  claimed: { vi: 'Nhận việc', en: 'Claimed' },
  unclaimed: { vi: 'Trả việc', en: 'Unclaimed' },
  reassigned: { vi: 'Giao lại việc', en: 'Reassigned' },
  released: { vi: 'Trả việc về đơn vị', en: 'Released' },
};

export const FUNNEL_LABELS: Record<FunnelStep, Label> = {
  registered: { vi: 'Đăng ký', en: 'Registered' },
  districtRecognized: { vi: 'Công nhận cấp huyện', en: 'District-recognized' },
  proposed: { vi: 'Đề xuất lên tỉnh', en: 'Proposed to the province' },
  recognized: { vi: 'Tỉnh công nhận', en: 'Recognized by the province' },
};

/** The conversion rates of the funnel: each step over the one before. */
export const CONVERSIONS = [
  { key: 'districtRecognizedOfRegistered', of: 'districtRecognized', over: 'registered' },
  { key: 'proposedOfDistrictRecognized', of: 'proposed', over: 'districtRecognized' },
  { key: 'recognizedOfProposed', of: 'recognized', over: 'proposed' },
] as const satisfies readonly { key: string; of: FunnelStep; over: FunnelStep }[];
export type ConversionKey = (typeof CONVERSIONS)[number]['key'];

export const CONVERSION_LABELS: Record<ConversionKey, Label> = {
  districtRecognizedOfRegistered: {
    vi: 'Công nhận cấp huyện / đăng ký',
    en: 'District-recognized / registered',
  },
  proposedOfDistrictRecognized: { vi: 'Đề xuất / công nhận cấp huyện', en: 'Proposed / district-recognized' },
  recognizedOfProposed: { vi: 'Tỉnh công nhận / đề xuất', en: 'Recognized / proposed' },
};

// ---------------------------------------------------------------- unit stages

/**
 * The stages in which each district-level unit is expected to submit something, and what counts:
 * a registration, a district recognition, a proposal. The provincial stages are the province's own work.
 */
export const UNIT_STAGES = ['district_registration', 'district_review', 'provincial_proposal'] as const;
export type UnitStage = (typeof UNIT_STAGES)[number];

/** Which funnel step counts as "submitted" at each unit stage. */
export const UNIT_STAGE_STEP: Record<UnitStage, FunnelStep> = {
  district_registration: 'registered',
  district_review: 'districtRecognized',
  provincial_proposal: 'proposed',
};

/** What a unit submits at a unit stage, as the report's stage rows name it. */
export const UNIT_STAGE_LABELS: Record<UnitStage, Label> = {
  district_registration: { vi: 'Đăng ký mô hình', en: 'Registration of models' },
  district_review: { vi: 'Công nhận cấp huyện', en: 'District recognition' },
  provincial_proposal: { vi: 'Đề xuất lên tỉnh', en: 'Proposal to the province' },
};

/** What a unit has done when it has "submitted" at a stage, as a verb for messages ("3/14 units have …"). */
export const SUBMISSION_WORDS: Record<UnitStage, Label> = {
  district_registration: { vi: 'đăng ký', en: 'registered' },
  district_review: { vi: 'công nhận', en: 'recognized' },
  provincial_proposal: { vi: 'đề xuất', en: 'proposed' },
};

// ---------------------------------------------------------------- milestones

/**
 * The milestones of a nomination: each is set once, when its decision is recorded, and kept whatever
 * happens later. Three of them are the funnel's steps after registration; the other two close the time
 * spans of the registration and provincial-review stages.
 */
export const MILESTONES = [
  'accepted',
  'districtRecognized',
  'proposed',
  'recommended',
  'recognized',
] as const;
export type Milestone = (typeof MILESTONES)[number];

/** Which decision, taken at which stage, marks each milestone: the one mapping, as data. */
export const MILESTONE_DECISIONS: Record<Milestone, { stage: Stage; decision: Decision }> = {
  accepted: { stage: 'district_registration', decision: 'accept' },
  districtRecognized: { stage: 'district_review', decision: 'recognize' },
  proposed: { stage: 'provincial_proposal', decision: 'propose' },
  recommended: { stage: 'provincial_review', decision: 'recommend' },
  recognized: { stage: 'recognition', decision: 'recognize' },
};

/** The milestone a decision marks, if any. */
export function milestoneOf(stage: string | null | undefined, decision: string | null | undefined) {
  if (!stage || !decision) return undefined;
  return MILESTONES.find(
    (m) => MILESTONE_DECISIONS[m].stage === stage && MILESTONE_DECISIONS[m].decision === decision,
  );
}

/** The milestone a funnel step is counted by; registration is every nomination (its creation). */
export function funnelMilestone(step: FunnelStep): Milestone | undefined {
  return step === 'registered' ? undefined : step;
}

/**
 * Each stage's time span: from the milestone that ends the stage before (registration: the creation) to
 * the one its own advancing decision marks.
 */
export function stageSpan(stage: Stage): { from: Milestone | 'created'; to: Milestone } {
  const to = MILESTONES.find((m) => MILESTONE_DECISIONS[m].stage === stage)!;
  const i = MILESTONES.indexOf(to);
  return { from: i === 0 ? 'created' : MILESTONES[i - 1], to };
}

// ---------------------------------------------------------------- reading

/** Every list and its labels, as the web pages receive them (`/app/assets/vocabulary.js`). */
export const VOCABULARY = {
  stage: { values: NOMINATION_STAGES, labels: STAGE_LABELS },
  decision: { values: DECISIONS, labels: DECISION_LABELS },
  outcome: { values: OUTCOMES, labels: OUTCOME_LABELS },
  field: { values: FIELDS, labels: FIELD_LABELS },
  kind: { values: KINDS, labels: KIND_LABELS },
  role: { values: ROLES, labels: ROLE_LABELS },
  level: { values: UNIT_LEVELS, labels: UNIT_LEVEL_LABELS },
  taskKind: { values: TASK_KINDS, labels: TASK_KIND_LABELS },
  action: { values: AUDIT_ACTIONS, labels: AUDIT_ACTION_LABELS },
  funnel: { values: FUNNEL_STEPS, labels: FUNNEL_LABELS },
  conversion: { values: CONVERSIONS.map((c) => c.key), labels: CONVERSION_LABELS },
  unitStage: { values: UNIT_STAGES, labels: UNIT_STAGE_LABELS },
  submission: { values: UNIT_STAGES, labels: SUBMISSION_WORDS },
} as const;
export type VocabularyList = keyof typeof VOCABULARY;

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The label of a value of a list in a language; the value itself when the list does not know it. */
export function labelOf(list: VocabularyList, value: string, lang: Lang = DEFAULT_LANG): string {
  const labels = VOCABULARY[list].labels as Record<string, Label>;
  return Object.hasOwn(labels, value) ? labels[value][lang] : value;
}

/** A list's labels in one language, keyed by code. */
export function labelsIn<K extends string>(labels: Record<K, Label>, lang: Lang): Record<K, string> {
  return Object.fromEntries(Object.entries<Label>(labels).map(([k, l]) => [k, l[lang]])) as Record<K, string>;
}

/** Lower case, without diacritics (đ → d), whitespace collapsed: how words are compared loosely. */
export function foldName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐðÐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Only the letters and digits of the folded text: "Văn hóa – xã hội" and "van hoa xa hoi" are alike. */
export function looseKey(s: string): string {
  return foldName(s).replace(/[^a-z0-9]/g, '');
}

/**
 * Reads a value of a list as a person may write it: its code, its Vietnamese or English label, or one of
 * its aliases, in any case, with or without diacritics and punctuation. Undefined when nothing matches.
 */
export function valueReader<K extends string>(values: readonly K[], labels: Record<K, Label>) {
  const keys = new Map<string, K>();
  for (const v of values) {
    const l = labels[v];
    for (const text of [v, l.vi, l.en, ...(l.aliases ?? [])]) keys.set(looseKey(text), v);
  }
  return (text: string): K | undefined => keys.get(looseKey(text));
}
