import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign.activities';
import {
  advanceCampaignProgress,
  type CampaignEvent,
  type CampaignProgress,
  nextCampaignEvent,
} from '../src/domain/campaign';
import { CampaignIdKey } from '../src/contracts/search-attributes';
import type { CampaignStep, CampaignStepResult } from '../src/contracts/projection';
import { workflowNow, workflowNowMs } from './clock';
import {
  type CalendarChangeRequest,
  type CampaignInput,
  type CampaignState,
  campaignStateQuery,
  changeCalendarUpdate,
} from '../src/contracts/campaign.messages';
import type { StepFailureActivities } from '../activities/step-failures';
import { REFUSAL } from '../src/contracts/failures';
import { validateCalendarChange } from './campaign.validators';
import { refuse } from './refusals';
import { retryDelayMs, unrecordable } from './unrecorded';

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

const { recordStepFailure } = proxyActivities<StepFailureActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Nominations told per activity call: thousands of open nominations mean a handful of activity calls
 * (each signalling its page concurrently), not thousands of round trips in the workflow's history.
 */
export const FAN_OUT_PAGE_SIZE = 500;

/** Guards the reminder floor (nextCampaignEvent's `floor`): no reminder already past when the calendar moved. */
export const CAMPAIGN_REMINDER_FLOOR_PATCH = 'campaign-reminder-floor';

/**
 * One campaign's round (docs/design.md §1): it owns the calendar. Before each unit stage's cut-off it reminds
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
  // Nor those due before the last calendar change was applied (CAMPAIGN_REMINDER_FLOOR_PATCH).
  let changedAt = input.carried?.changedAt;
  let lastFanOut: CampaignState['lastFanOut'] = null;
  let over = false;
  const changes: CalendarChangeRequest[] = [];
  const applied = new Set<CalendarChangeRequest>();
  /** Changes PostgreSQL refused to record, with its reason: the administrator is answered 422. */
  const refused = new Map<CalendarChangeRequest, string>();
  /** A reminder or cut-off PostgreSQL refused is held and tried again (retryDelayMs), never skipped. */
  let held = null as { attempts: number; until: number } | null;

  const state = (): CampaignState => ({ campaignId: input.campaignId, calendar, progress, lastFanOut, over });
  // The campaign and its nominations list together: `temporal workflow list --query "CampaignId='…'"`.
  upsertSearchAttributes([{ key: CampaignIdKey, value: input.campaignId }]);
  setHandler(campaignStateQuery, state);
  setHandler(
    changeCalendarUpdate,
    async (request) => {
      changes.push(request);
      await condition(() => applied.has(request) || refused.has(request));
      const reason = refused.get(request);
      if (reason !== undefined) {
        throw refuse(REFUSAL.unrecorded, `the calendar change could not be recorded: ${reason}`);
      }
      return state();
    },
    {
      validator: (request) =>
        validateCalendarChange(
          request,
          { over, changing: changes.length > 0, calendar, progress },
          workflowNowMs(),
        ),
    },
  );

  /** A step refused for its data wrote nothing: its number is given back. */
  const record = async (step: Omit<CampaignStep, 'workflowId' | 'campaignId' | 'seq' | 'occurredAt'>) => {
    try {
      return await recordCampaignStep({
        ...step,
        workflowId,
        campaignId: input.campaignId,
        seq: ++seq,
        occurredAt: workflowNow(),
      });
    } catch (err) {
      seq--;
      throw err;
    }
  };
  /** Puts a refused step on the stuck list; rethrows anything that is not a data error. */
  const failed = async (err: unknown, action: string, actorUserId: string | null): Promise<string> => {
    const reason = unrecordable(err);
    if (reason === null) throw err;
    await recordStepFailure({
      workflowId,
      nominationId: null,
      campaignId: input.campaignId,
      action,
      reason,
      actorUserId,
      occurredAt: workflowNow(),
    });
    return reason;
  };

  const applyChange = async (request: CalendarChangeRequest) => {
    await record({ action: 'calendar_changed', actor: request.actor, calendar: request.calendar });
    calendar = request.calendar;
    if (patched(CAMPAIGN_REMINDER_FLOOR_PATCH)) changedAt = workflowNowMs();
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
    const event = patched(CAMPAIGN_REMINDER_FLOOR_PATCH)
      ? nextCampaignEvent(calendar, progress, startedAt, changedAt)
      : nextCampaignEvent(calendar, progress, startedAt);
    if (!event && changes.length === 0) break;
    const waitMs = event ? (held?.until ?? event.at) - workflowNowMs() : 0;
    const woken = () => changes.length > 0;
    const changed = waitMs > 0 ? await condition(woken, waitMs) : woken();
    if (changed) {
      const request = changes[0];
      try {
        await applyChange(request);
        applied.add(request);
      } catch (err) {
        refused.set(request, await failed(err, 'calendar_changed', request.actor.userId));
      }
      changes.shift();
    } else if (event) {
      let found: CampaignStepResult;
      try {
        found = await fire(event);
        held = null;
      } catch (err) {
        await failed(err, event.kind, null);
        const attempts = (held?.attempts ?? 0) + 1;
        held = { attempts, until: workflowNowMs() + retryDelayMs(attempts) };
        continue;
      }
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
        carried: { seq, progress, startedAt, ...(changedAt === undefined ? {} : { changedAt }) },
      });
    }
  }

  over = true;
  for (let attempts = 1; ; attempts++) {
    try {
      await record({ action: 'round_closed', actor: null });
      break;
    } catch (err) {
      await failed(err, 'round_closed', null);
      await sleep(retryDelayMs(attempts));
    }
  }
  await condition(allHandlersFinished);
  return { campaignId: input.campaignId };
}
