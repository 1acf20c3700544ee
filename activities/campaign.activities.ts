import { heartbeat, log } from '@temporalio/activity';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { DataSource, EntityManager } from 'typeorm';
import { isUnitStage } from '../src/domain/campaign';
import type { Stage } from '../src/domain/nomination';
import { calendarChangedSignal } from '../src/contracts/nomination.messages';
import type {
  CampaignStep,
  CampaignStepResult,
  FanOutPage,
  Notice,
  UnitRef,
} from '../src/contracts/projection';
import { insertNotices, queueStepEmails } from './notices.repository';
import { refusingBadData } from './data-errors';
import { CampaignProjectionRepository } from './campaign-projection.repository';
import { StepFailuresRepository } from './step-failures.repository';

/** Signals sent at once within one page. */
const SIGNAL_CONCURRENCY = 20;

/**
 * Side effects of campaign workflows: the campaign's audit log, its calendar in the read model, the
 * units that have submitted nothing, and telling open nominations that the calendar moved.
 */
export class CampaignActivities {
  constructor(
    private readonly dataSource: DataSource,
    private readonly client?: Client,
    /** Also queue the step's notifications as emails in the outbox (the worker's email sender delivers them). */
    private readonly email = false,
  ) {}

  /**
   * Records one step in one transaction, first the audit event keyed by (workflow_id, seq). A retried
   * step finds its event and returns what the first attempt found, so the workflow sees one answer
   * even if the units' submissions changed in between.
   */
  recordCampaignStep = (s: CampaignStep): Promise<CampaignStepResult> =>
    refusingBadData(() => this.recordStep(s));

  private recordStep = async (s: CampaignStep): Promise<CampaignStepResult> => {
    let emails = 0;
    const result = await this.dataSource.transaction(async (m) => {
      const found =
        s.stage && (s.action === 'stage_reminder' || s.action === 'stage_closed')
          ? await unitsWithoutSubmission(m, s.campaignId, s.stage)
          : { missingUnits: [], totalUnits: 0 };
      const details = { ...found, offsetHours: s.offsetHours, cutoffAt: s.cutoffAt, calendar: s.calendar };
      const db = new CampaignProjectionRepository(m);
      if (!(await db.insertEvent(s, details))) {
        // Applied before, perhaps with email off: queue what was not emailed (a no-op when it was queued).
        if (this.email) emails = await queueStepEmails(m, s);
        const previous = await db.eventDetails(s.workflowId, s.seq);
        return { applied: false, ...previous } as CampaignStepResult;
      }
      if (s.calendar) await db.setCalendar(s.campaignId, s.calendar);
      if (s.action === 'round_closed') await db.closeRound(s.campaignId, s.occurredAt);
      const provinceUnitId = await db.provinceUnitId(s.campaignId);
      const notices = stepNotices(s, found, provinceUnitId);
      await insertNotices(m, s, notices);
      if (this.email && notices.length) emails = await queueStepEmails(m, s);
      await new StepFailuresRepository(m).resolve(s.workflowId, s.occurredAt, null);
      return { applied: true, ...found };
    });
    log.info(result.applied ? 'campaign step recorded' : 'campaign step already recorded', {
      campaignId: s.campaignId,
      workflowId: s.workflowId,
      seq: s.seq,
      action: s.action,
      stage: s.stage,
      missingUnits: result.missingUnits.length,
      ...(emails ? { emailsQueued: emails } : {}),
    });
    return result;
  };

  /**
   * Tells one page of the campaign's open nominations that the calendar moved, signalling them
   * concurrently. A nomination that closed in the meantime is counted, not retried; any other failure
   * fails the page, which Temporal retries (a nomination told twice re-arms the same dates: no change).
   */
  fanOutCalendarChange = async (
    p: FanOutPage,
  ): Promise<{ signalled: number; closedMeanwhile: number; next: string | null }> => {
    if (!this.client) throw new Error('fanOutCalendarChange needs a Temporal client');
    const client = this.client;
    const rows = await new CampaignProjectionRepository(this.dataSource).openNominationWorkflowIds(
      p.campaignId,
      p.after,
      p.pageSize,
    );
    let signalled = 0;
    let closedMeanwhile = 0;
    for (let i = 0; i < rows.length; i += SIGNAL_CONCURRENCY) {
      const chunk = rows.slice(i, i + SIGNAL_CONCURRENCY);
      const results = await Promise.allSettled(
        chunk.map((workflowId) =>
          client.workflow
            .getHandle(workflowId)
            .signal(calendarChangedSignal, { calendar: p.calendar, changedBy: p.changedBy }),
        ),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') signalled++;
        else if (r.reason instanceof WorkflowNotFoundError) closedMeanwhile++;
        else throw r.reason;
      }
      heartbeat({ done: i + chunk.length });
    }
    log.info('calendar change fanned out', {
      campaignId: p.campaignId,
      signalled,
      closedMeanwhile,
      page: rows.length,
    });
    const next = rows.length === p.pageSize ? rows[rows.length - 1] : null;
    return { signalled, closedMeanwhile, next };
  };
}

/**
 * The campaign's active district-level units that have submitted nothing at a unit stage: no
 * registration, no district recognition, no proposal. At the provincial stages there is no such list.
 */
async function unitsWithoutSubmission(
  m: EntityManager,
  campaignId: string,
  stage: Stage,
): Promise<{ missingUnits: UnitRef[]; totalUnits: number }> {
  if (!isUnitStage(stage)) return { missingUnits: [], totalUnits: 0 };
  const rows = await new CampaignProjectionRepository(m).unitSubmissions(campaignId, stage);
  return {
    missingUnits: rows.filter((r) => !r.submitted).map(({ id, name }) => ({ id, name })),
    totalUnits: rows.length,
  };
}

/** Who is told about a step: each unit that has submitted nothing, and the province's administrators. */
function stepNotices(
  s: CampaignStep,
  found: { missingUnits: UnitRef[]; totalUnits: number },
  provinceUnitId: string,
): Notice[] {
  if (!s.stage || !isUnitStage(s.stage) || found.missingUnits.length === 0) return [];
  const stage = s.stage;
  const count = {
    stage,
    done: found.totalUnits - found.missingUnits.length,
    total: found.totalUnits,
    missing: found.missingUnits.map((u) => u.name),
  };
  if (s.action === 'stage_closed') {
    return [
      {
        unitId: provinceUnitId,
        role: 'admin',
        kind: s.action,
        content: { template: 'stage_closed_summary', params: count },
      },
    ];
  }
  const hoursLeft = s.offsetHours ?? 0;
  // Registration is the submitters' work; recognizing and proposing are the district reviewers'.
  const role = stage === 'district_registration' ? 'submitter' : 'district_reviewer';
  return [
    ...found.missingUnits.map((u): Notice => ({
      unitId: u.id,
      role,
      kind: s.action,
      content: {
        template: 'unit_stage_reminder',
        params: { unit: u.name, stage, hoursLeft, cutoffAt: s.cutoffAt ?? '' },
      },
    })),
    {
      unitId: provinceUnitId,
      role: 'admin',
      kind: s.action,
      content: { template: 'stage_reminder_summary', params: { ...count, hoursLeft } },
    },
  ];
}
