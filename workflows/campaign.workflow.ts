import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities, CampaignStep, CampaignStepResult } from '../activities/campaign.activities';
import {
  advanceCampaignProgress,
  type CampaignEvent,
  type CampaignProgress,
  calendarChangeProblems,
  nextCampaignEvent,
} from '../src/domain/campaign';
import { calendarProblems } from '../src/domain/calendar';
import { CampaignIdKey } from '../src/domain/search-attributes';
import { workflowNow, workflowNowMs } from './clock';
import {
  type CalendarChangeRequest,
  type CampaignInput,
  type CampaignState,
  campaignStateQuery,
  changeCalendarUpdate,
} from './campaign.messages';
import { REFUSAL } from './messages';

const { recordCampaignStep } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const { fanOutCalendarChange } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '10 minutes',
  // A page of signals reports progress; a worker that died mid-page is noticed within a minute.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Nominations told per activity call: thousands of open nominations mean a handful of activity calls
 * (each signalling its page concurrently), not thousands of round trips in the workflow's history.
 */
export const FAN_OUT_PAGE_SIZE = 500;

/**
 * One campaign's round (DESIGN.md §1): it owns the calendar. Before each unit stage's cut-off it reminds
 * the district-level units that have submitted nothing (and the province's administrators); at each
 * cut-off it records the stage as closed with the units that never submitted; a calendar change is
 * saved, audited and fanned out to the open nominations, in pages. It ends when the last stage closes.
 */
export async function campaignWorkflow(input: CampaignInput): Promise<{ campaignId: string }> {
  const { workflowId } = workflowInfo();
  let calendar = input.calendar;
  let seq = input.carried?.seq ?? 0;
  let progress: CampaignProgress = input.carried?.progress ?? {};
  // Reminders due before the workflow first started are not sent late; carried over continue-as-new.
  const startedAt = input.carried?.startedAt ?? workflowNowMs();
  let lastFanOut: CampaignState['lastFanOut'] = null;
  let over = false;
  const changes: CalendarChangeRequest[] = [];
  const applied = new Set<CalendarChangeRequest>();

  const state = (): CampaignState => ({ campaignId: input.campaignId, calendar, progress, lastFanOut, over });
  // The campaign and its nominations list together: `temporal workflow list --query "CampaignId='…'"`.
  upsertSearchAttributes([{ key: CampaignIdKey, value: input.campaignId }]);
  setHandler(campaignStateQuery, state);
  setHandler(
    changeCalendarUpdate,
    async (request) => {
      changes.push(request);
      await condition(() => applied.has(request));
      return state();
    },
    {
      validator: (request) => {
        if (over) throw refuse(REFUSAL.conflict, 'the campaign is over; its calendar can no longer change');
        if (changes.length > 0) throw refuse(REFUSAL.conflict, 'another calendar change is being applied');
        if (!(request.actor.role === 'admin'))
          throw refuse(REFUSAL.forbidden, 'only an admin may change the calendar');
        const problems = calendarProblems(request.calendar);
        if (problems.length === 0) {
          problems.push(...calendarChangeProblems(calendar, request.calendar, progress, workflowNowMs()));
        }
        if (problems.length)
          throw refuse(REFUSAL.invalid, problems.map((p) => `${p.field} ${p.reason}`).join('; '));
      },
    },
  );

  const record = (step: Omit<CampaignStep, 'workflowId' | 'campaignId' | 'seq' | 'occurredAt'>) =>
    recordCampaignStep({
      ...step,
      workflowId,
      campaignId: input.campaignId,
      seq: ++seq,
      occurredAt: workflowNow(),
    });

  const applyChange = async (request: CalendarChangeRequest) => {
    await record({ action: 'calendar_changed', actor: request.actor, calendar: request.calendar });
    calendar = request.calendar;
    const told = { signalled: 0, closedMeanwhile: 0 };
    let after: string | null = null;
    do {
      const page: { signalled: number; closedMeanwhile: number; next: string | null } =
        await fanOutCalendarChange({
          campaignId: input.campaignId,
          calendar,
          changedBy: request.actor.displayName,
          after,
          pageSize: input.fanOutPageSize ?? FAN_OUT_PAGE_SIZE,
        });
      told.signalled += page.signalled;
      told.closedMeanwhile += page.closedMeanwhile;
      after = page.next;
    } while (after);
    lastFanOut = told;
    log.info('campaign calendar changed', { campaignId: input.campaignId, ...told });
  };

  /** What happens when a stage's time runs out: the units that did nothing are named, never skipped over. */
  const fire = async (event: CampaignEvent): Promise<CampaignStepResult> => {
    const cutoffAt = calendar.stages[event.stage].cutoffAt;
    return event.kind === 'stage_reminder'
      ? record({
          action: 'stage_reminder',
          actor: null,
          stage: event.stage,
          offsetHours: event.offsetHours,
          cutoffAt,
        })
      : record({ action: 'stage_closed', actor: null, stage: event.stage, cutoffAt });
  };

  for (;;) {
    const event = nextCampaignEvent(calendar, progress, startedAt);
    if (!event && changes.length === 0) break;
    const waitMs = event ? event.at - workflowNowMs() : 0;
    const woken = () => changes.length > 0;
    const changed = waitMs > 0 ? await condition(woken, waitMs) : woken();
    if (changed) {
      const request = changes[0];
      await applyChange(request);
      applied.add(request);
      changes.shift();
    } else if (event) {
      const found = await fire(event);
      progress = advanceCampaignProgress(progress, calendar, event);
      log.info('campaign step', {
        campaignId: input.campaignId,
        kind: event.kind,
        stage: event.stage,
        missingUnits: found.missingUnits.length,
      });
    }
    // A round lasts months and a calendar may move often: start afresh before the history grows large,
    // between steps, once every pending change has been answered.
    const { continueAsNewSuggested, historyLength } = workflowInfo();
    const long = continueAsNewSuggested || historyLength > (input.maxHistoryEvents ?? Infinity);
    if (long && changes.length === 0) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof campaignWorkflow>({
        ...input,
        calendar,
        carried: { seq, progress, startedAt },
      });
    }
  }

  over = true;
  await record({ action: 'round_closed', actor: null });
  await condition(allHandlersFinished);
  return { campaignId: input.campaignId };
}

function refuse(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
