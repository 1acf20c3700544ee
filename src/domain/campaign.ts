/**
 * Pure rules of a campaign (one province's round for one year): which stages its district-level units
 * must act in, when the campaign workflow reminds and closes each stage, quotas on proposals, and when
 * registration is open. Imported by workflows/, activities/ and src/ alike: no I/O, no clock.
 */
import { type Calendar, HOUR_MS } from './calendar';
import { FIELDS, type Field, type Stage, STAGES } from './nomination';
import { UNIT_STAGES, type UnitStage } from './vocabulary';

// The unit stages and their words belong to the vocabulary; re-exported for the code that reads them here.
export { SUBMISSION_WORDS, UNIT_STAGES, type UnitStage } from './vocabulary';

export function isUnitStage(stage: Stage): stage is UnitStage {
  return (UNIT_STAGES as readonly string[]).includes(stage);
}

/** Per stage, the reminders already sent and whether it is closed, for the cut-off they were for. */
export interface StageProgress {
  cutoffAt: string;
  remindersSent: number[];
  closed: boolean;
}
export type CampaignProgress = Partial<Record<Stage, StageProgress>>;

export type CampaignEvent =
  | { kind: 'stage_reminder'; stage: UnitStage; at: number; offsetHours: number }
  | { kind: 'stage_closed'; stage: Stage; at: number };

/**
 * The next thing the campaign workflow does if nobody changes the calendar: remind the units that
 * have submitted nothing some hours before a unit stage's cut-off, or close a stage at its cut-off.
 * Reminders whose time had passed before the workflow started are skipped (no "3 days left" sent with
 * one hour left); a stage is closed once, and a moved cut-off counts afresh. Undefined once every stage
 * is closed: the round is over.
 *
 * `floor`, when given, is the moment the last calendar change was applied: reminders before it are
 * skipped too, so a cut-off moved to 30 hours away gets its 24-hour reminder, not a late 72-hour one.
 * Without it, the rule of workflows recorded before the floor existed: only `startedAt` counts.
 */
export function nextCampaignEvent(
  calendar: Pick<Calendar, 'stages' | 'reminderOffsetsHours'>,
  progress: CampaignProgress,
  startedAt: number,
  floor?: number,
): CampaignEvent | undefined {
  const remindFrom = floor === undefined ? startedAt : Math.max(startedAt, floor);
  const events: CampaignEvent[] = [];
  for (const stage of STAGES) {
    const cutoffAt = calendar.stages[stage].cutoffAt;
    const p = stageProgress(progress, stage, cutoffAt);
    if (p.closed) continue;
    const cutoff = Date.parse(cutoffAt);
    events.push({ kind: 'stage_closed', stage, at: cutoff });
    if (!isUnitStage(stage)) continue;
    for (const offsetHours of calendar.reminderOffsetsHours) {
      const at = cutoff - offsetHours * HOUR_MS;
      if (at >= remindFrom && at < cutoff && !p.remindersSent.includes(offsetHours)) {
        events.push({ kind: 'stage_reminder', stage, at, offsetHours });
      }
    }
  }
  if (events.length === 0) return undefined;
  // Earliest first; at the same moment, close a stage before reminding about the next one.
  return events.reduce((a, b) => (b.at < a.at || (b.at === a.at && b.kind === 'stage_closed') ? b : a));
}

/** A stage whose cut-off moved is tracked afresh, except that a closed stage stays closed. */
export function stageProgress(progress: CampaignProgress, stage: Stage, cutoffAt: string): StageProgress {
  const p = progress[stage];
  if (p?.closed) return p;
  return p && p.cutoffAt === cutoffAt ? p : { cutoffAt, remindersSent: [], closed: false };
}

export function advanceCampaignProgress(
  progress: CampaignProgress,
  calendar: Pick<Calendar, 'stages'>,
  event: CampaignEvent,
): CampaignProgress {
  const p = stageProgress(progress, event.stage, calendar.stages[event.stage].cutoffAt);
  const next =
    event.kind === 'stage_closed'
      ? { ...p, closed: true }
      : { ...p, remindersSent: [...p.remindersSent, event.offsetHours] };
  return { ...progress, [event.stage]: next };
}

export function closedStages(progress: CampaignProgress): Stage[] {
  return STAGES.filter((s) => progress[s]?.closed);
}

function sameInstant(a: string, b: string): boolean {
  return Date.parse(a) === Date.parse(b);
}

/**
 * What a calendar change may not do, given what has already happened: a closed stage's dates are
 * history (its nominations have been closed at that cut-off); an open stage's cut-off cannot be put in
 * the past, which would close it on the spot without the warning its units are owed.
 */
export function calendarChangeProblems(
  current: Pick<Calendar, 'stages'>,
  next: Pick<Calendar, 'stages'>,
  progress: CampaignProgress,
  now: number,
): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  for (const stage of STAGES) {
    const before = current.stages[stage];
    const after = next.stages[stage];
    const base = `calendar.stages.${stage}`;
    if (progress[stage]?.closed) {
      // Compared as instants: a calendar saved before times were kept in one spelling may say
      // `+07:00` where the same calendar sent again says `Z`.
      if (!sameInstant(before.dueAt, after.dueAt) || !sameInstant(before.cutoffAt, after.cutoffAt)) {
        problems.push({
          field: base,
          reason: `closed at ${before.cutoffAt}; its dates can no longer change`,
        });
      }
    } else if (!sameInstant(after.cutoffAt, before.cutoffAt) && Date.parse(after.cutoffAt) <= now) {
      problems.push({ field: `${base}.cutoffAt`, reason: 'must be in the future for a stage still open' });
    }
  }
  return problems;
}

/**
 * Caps on how many models each district-level unit may propose to the province in a campaign:
 * overall and per field. Absent means no cap.
 */
export interface Quotas {
  perUnit?: number;
  perField?: Partial<Record<Field, number>>;
}

export function quotaProblems(q: unknown): { field: string; reason: string }[] {
  if (q === undefined) return [];
  if (typeof q !== 'object' || q === null || Array.isArray(q)) {
    return [{ field: 'quotas', reason: 'must be an object' }];
  }
  const problems: { field: string; reason: string }[] = [];
  const isCap = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 100_000;
  const quotas = q as Record<string, unknown>;
  for (const key of Object.keys(quotas)) {
    if (key !== 'perUnit' && key !== 'perField')
      problems.push({ field: `quotas.${key}`, reason: 'is not a quota' });
  }
  if (quotas.perUnit !== undefined && !isCap(quotas.perUnit)) {
    problems.push({ field: 'quotas.perUnit', reason: 'must be a whole number from 0' });
  }
  const perField = quotas.perField;
  if (perField !== undefined) {
    if (typeof perField !== 'object' || perField === null || Array.isArray(perField)) {
      problems.push({ field: 'quotas.perField', reason: 'must be an object of field → cap' });
    } else {
      for (const [field, cap] of Object.entries(perField)) {
        if (!(FIELDS as readonly string[]).includes(field)) {
          problems.push({
            field: `quotas.perField.${field}`,
            reason: `is not a field; fields: ${FIELDS.join(', ')}`,
          });
        } else if (!isCap(cap)) {
          problems.push({ field: `quotas.perField.${field}`, reason: 'must be a whole number from 0' });
        }
      }
    }
  }
  return problems;
}

/** A unit's proposals so far in the campaign, as the API counts them before asking the workflow. */
export interface ProposalCount {
  unitName: string;
  field: Field;
  proposed: number;
  proposedInField: number;
}

/** Why one more proposal would break a quota, in words; undefined when it fits. */
export function quotaRefusal(quotas: Quotas, count: ProposalCount): string | undefined {
  if (quotas.perUnit !== undefined && count.proposed >= quotas.perUnit) {
    return `${count.unitName} has proposed ${count.proposed} of its quota of ${quotas.perUnit} models`;
  }
  const fieldCap = quotas.perField?.[count.field];
  if (fieldCap !== undefined && count.proposedInField >= fieldCap) {
    return `${count.unitName} has proposed ${count.proposedInField} of its quota of ${fieldCap} models in field ${count.field}`;
  }
  return undefined;
}

/**
 * Registration is open from the campaign's opening until the registration stage's due date: after it
 * the district reviewers finish accepting what was registered, until the cut-off.
 */
export function registrationProblem(
  campaign: { registrationOpensAt: Date | string; calendar: Pick<Calendar, 'stages'> },
  now: number,
): string | undefined {
  const opens = new Date(campaign.registrationOpensAt).getTime();
  const closes = Date.parse(campaign.calendar.stages.district_registration.dueAt);
  if (now < opens) return `registration opens at ${new Date(opens).toISOString()}`;
  if (now >= closes) return `registration closed at ${new Date(closes).toISOString()}`;
  return undefined;
}

/** Workflow id derived from the campaign id: one campaign workflow per campaign. */
export function campaignWorkflowId(campaignId: string): string {
  return `campaign-${campaignId}`;
}
