import {
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { DataSource, In, IsNull } from 'typeorm';
import { ANCESTORS_CTE, isWithin } from '../units/scope';
import { provincialCampaign } from '../pipeline/campaign-access';
import type { CurrentUser } from '../auth/current-user';
import { unprocessable } from '../common/http-errors';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { campaignWorkflowId, quotaProblems, SUBMISSION_WORDS, UNIT_STAGES } from '../domain/campaign';
import { type Calendar, calendarProblems } from '../domain/calendar';
import { FIELDS } from '../domain/nomination';
import { jsonLog } from '../logging/json-log';
import { actorOf } from '../nominations/nominations.service';
import { refusalToHttp } from '../temporal/update-errors';
import { TemporalCalls } from '../temporal/temporal-calls';
import { requestUpdateId } from '../temporal/update-ids';
import type { campaignWorkflow } from '../../workflows/campaign.workflow';
import { type CampaignInput, changeCalendarUpdate } from '../contracts/campaign.messages';
import { Campaign } from './campaign.entity';
import type { CampaignEventDto, CampaignUnitsDto, CreateCampaignDto, UnitStatusDto } from './campaign.dto';

@Injectable()
export class CampaignsService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalCalls,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Every campaign not yet over has its workflow: campaigns seeded on an empty database, created before
   * campaign workflows existed, or whose start was lost, get one now. Starting one that runs is a no-op.
   */
  async onApplicationBootstrap(): Promise<void> {
    const open = await this.dataSource.getRepository(Campaign).findBy({ closedAt: IsNull() });
    for (const campaign of open) {
      try {
        await this.temporal.run('call', (client) =>
          client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', this.startOptions(campaign)),
        );
        jsonLog('info', 'campaign workflow running', {
          component: 'campaigns',
          campaignId: campaign.id,
          workflowId: campaign.workflowId,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
  }

  /** The campaigns of the caller's province: a campaign is seen from anywhere inside its province. */
  async list(user: CurrentUser): Promise<Campaign[]> {
    const ids: { id: string }[] = await this.dataSource.query(
      `${ANCESTORS_CTE} SELECT c.id FROM campaigns c WHERE c.province_unit_id IN (SELECT id FROM above)`,
      [user.unitId],
    );
    if (!ids.length) return [];
    return this.dataSource
      .getRepository(Campaign)
      .find({ where: { id: In(ids.map((r) => r.id)) }, order: { year: 'DESC', createdAt: 'DESC' } });
  }

  /** One campaign of the caller's province; any other is answered as if it did not exist. */
  async get(user: CurrentUser, id: string): Promise<Campaign> {
    const campaign = await this.byId(id);
    if (!(await isWithin(this.dataSource.manager, user.unitId, campaign.provinceUnitId))) {
      throw new NotFoundException('campaign not found');
    }
    return campaign;
  }

  /** A campaign the caller sees, when the caller is an admin at its province (else 403). */
  private async adminAtProvince(user: CurrentUser, id: string, what: string): Promise<Campaign> {
    const campaign = await this.get(user, id);
    if (user.unitId !== campaign.provinceUnitId || user.role !== 'admin') {
      throw new ForbiddenException(`only an admin of the campaign's province may ${what}`);
    }
    return campaign;
  }

  /** What the province watches (unit status, the campaign's audit): the rule of the pipeline and report. */
  private async watchedByProvince(user: CurrentUser, id: string, what: string): Promise<Campaign> {
    await provincialCampaign(this.dataSource.manager, user, id, what);
    return this.byId(id);
  }

  private async byId(id: string): Promise<Campaign> {
    const campaign = await this.dataSource.getRepository(Campaign).findOneBy({ id });
    if (!campaign) throw new NotFoundException('campaign not found');
    return campaign;
  }

  /**
   * Creates the campaign and starts its workflow. The row is reference data (the workflow then owns
   * the calendar); if Temporal refuses the start the row is removed again, so nothing half-made stays.
   */
  async create(user: CurrentUser, dto: CreateCampaignDto): Promise<Campaign> {
    const problems = [...calendarProblems(dto.calendar), ...quotaProblems(dto.quotas)];
    const [province] = await this.dataSource.query(`SELECT level, active FROM units WHERE id = $1`, [
      dto.provinceUnitId,
    ]);
    const inScope = await isWithin(this.dataSource.manager, dto.provinceUnitId, user.unitId);
    if (!province || !inScope) problems.push({ field: 'provinceUnitId', reason: 'no unit with this id' });
    else if (province.level !== 'province')
      problems.push({ field: 'provinceUnitId', reason: 'must be a province' });
    else if (!province.active) problems.push({ field: 'provinceUnitId', reason: 'the unit is deactivated' });
    const opensAt = dto.registrationOpensAt ? new Date(dto.registrationOpensAt) : new Date();
    const registrationDue = dto.calendar?.stages?.district_registration?.dueAt;
    if (registrationDue && !(opensAt.getTime() < Date.parse(registrationDue))) {
      problems.push({
        field: 'registrationOpensAt',
        reason: 'must be before calendar.stages.district_registration.dueAt',
      });
    }
    if (problems.length) throw unprocessable(problems);

    const repo = this.dataSource.getRepository(Campaign);
    if (await repo.existsBy({ provinceUnitId: dto.provinceUnitId, year: dto.year })) {
      throw new ConflictException(`year: this province already has a campaign for ${dto.year}`);
    }
    const id = randomUUID();
    const campaign = repo.create({
      id,
      name: dto.name,
      year: dto.year,
      provinceUnitId: dto.provinceUnitId,
      calendar: dto.calendar,
      registrationOpensAt: opensAt,
      quotas: dto.quotas ?? {},
      workflowId: campaignWorkflowId(id),
      closedAt: null,
    });
    try {
      await repo.insert(campaign);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new ConflictException(`year: this province already has a campaign for ${dto.year}`);
      }
      throw err;
    }
    try {
      await this.temporal.run('call', (client) =>
        client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', this.startOptions(campaign)),
      );
    } catch (err) {
      await repo.delete({ id });
      throw err;
    }
    jsonLog('info', 'campaign created', {
      component: 'campaigns',
      campaignId: id,
      workflowId: campaign.workflowId,
      userId: user.id,
    });
    return this.byId(id);
  }

  /**
   * Asks the campaign workflow to move the dates. Its validator refuses what cannot be (a closed stage
   * moved, an open stage's cut-off put in the past); once accepted, the answer comes after the calendar is
   * saved and every open nomination has been told. A campaign whose workflow is missing gets it started.
   */
  async changeCalendar(user: CurrentUser, id: string, calendar: Calendar) {
    const campaign = await this.adminAtProvince(user, id, 'change its calendar');
    const problems = calendarProblems(calendar);
    if (problems.length) throw unprocessable(problems);
    const start = new WithStartWorkflowOperation<typeof campaignWorkflow>(
      'campaignWorkflow',
      this.startOptions(campaign),
    );
    // The saved calendar joins the id: the same change resent before it was saved attaches to the first.
    const updateId = requestUpdateId('calendar', campaign.workflowId, user.id, 0, [
      campaign.calendar,
      calendar,
    ]);
    const state = await this.temporal
      .run('update', (client) =>
        client.workflow.executeUpdateWithStart(changeCalendarUpdate, {
          startWorkflowOperation: start,
          args: [{ calendar, actor: actorOf(user) }],
          updateId,
        }),
      )
      .catch((err: unknown) => {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          throw new ConflictException('the campaign is over; its calendar can no longer change');
        }
        throw refusalToHttp(err);
      });
    jsonLog('info', 'campaign calendar changed', {
      component: 'campaigns',
      campaignId: id,
      workflowId: campaign.workflowId,
      signalled: state.lastFanOut?.signalled,
      userId: user.id,
    });
    return { campaign: await this.byId(id), signalled: state.lastFanOut?.signalled ?? 0 };
  }

  /** Caps on proposals apply from the next proposal on; proposals already made stay. */
  async changeQuotas(user: CurrentUser, id: string, quotas: unknown): Promise<Campaign> {
    const campaign = await this.adminAtProvince(user, id, 'change its quotas');
    const problems = quotaProblems(quotas);
    if (problems.length) throw unprocessable(problems);
    await this.dataSource.getRepository(Campaign).update({ id }, { quotas: quotas as Campaign['quotas'] });
    jsonLog('info', 'campaign quotas changed', {
      component: 'campaigns',
      campaignId: id,
      workflowId: campaign.workflowId,
      userId: user.id,
    });
    return this.byId(id);
  }

  /**
   * Per district-level unit of the campaign's province: its funnel counts, the work it owes, whether it
   * has submitted at each unit stage, and its proposals against the quotas; per stage, who is missing.
   */
  async unitStatus(user: CurrentUser, id: string): Promise<CampaignUnitsDto> {
    const campaign = await this.watchedByProvince(user, id, "see every unit's status");
    const rows: {
      id: string;
      name: string;
      registered: number;
      district_recognized: number;
      proposed: number;
      recognized: number;
      open_tasks: number;
      overdue_tasks: number;
      proposed_by_field: Record<string, number> | null;
    }[] = await this.dataSource.query(
      `WITH counts AS (
         SELECT district_unit_id AS unit_id, count(*)::int AS registered,
                count(district_recognized_at)::int AS district_recognized, count(proposed_at)::int AS proposed,
                count(recognized_at)::int AS recognized
           FROM nominations WHERE campaign_id = $1 GROUP BY district_unit_id),
       by_field AS (
         SELECT unit_id, jsonb_object_agg(field, n) AS proposed_by_field
           FROM (SELECT district_unit_id AS unit_id, field, count(*)::int AS n FROM nominations
                  WHERE campaign_id = $1 AND proposed_at IS NOT NULL GROUP BY district_unit_id, field) f
          GROUP BY unit_id),
       owed AS (
         SELECT n.district_unit_id AS unit_id, count(*)::int AS open_tasks,
                count(*) FILTER (WHERE t.overdue)::int AS overdue_tasks
           FROM nominations n JOIN tasks t ON t.nomination_id = n.id AND t.status = 'open'
          WHERE n.campaign_id = $1 AND n.stage <> 'closed' AND t.assignee_unit_id <> $2
          GROUP BY n.district_unit_id)
       SELECT u.id, u.name, COALESCE(c.registered, 0) AS registered,
              COALESCE(c.district_recognized, 0) AS district_recognized, COALESCE(c.proposed, 0) AS proposed,
              COALESCE(c.recognized, 0) AS recognized, COALESCE(o.open_tasks, 0) AS open_tasks,
              COALESCE(o.overdue_tasks, 0) AS overdue_tasks, f.proposed_by_field
         FROM units u
         LEFT JOIN counts c ON c.unit_id = u.id
         LEFT JOIN by_field f ON f.unit_id = u.id
         LEFT JOIN owed o ON o.unit_id = u.id
        WHERE u.parent_id = $2 AND u.level = 'district' AND (u.active OR c.registered > 0)
        ORDER BY u.name`,
      [id, campaign.provinceUnitId],
    );
    const closed: { stage: string }[] = await this.dataSource.query(
      `SELECT stage FROM campaign_events WHERE campaign_id = $1 AND action = 'stage_closed'`,
      [id],
    );
    const quotas = campaign.quotas ?? {};
    const units: UnitStatusDto[] = rows.map((r) => ({
      unitId: r.id,
      name: r.name,
      registered: r.registered,
      districtRecognized: r.district_recognized,
      proposed: r.proposed,
      provinciallyRecognized: r.recognized,
      openTasks: r.open_tasks,
      overdueTasks: r.overdue_tasks,
      submitted: {
        district_registration: r.registered > 0,
        district_review: r.district_recognized > 0,
        provincial_proposal: r.proposed > 0,
      },
      quota: {
        overall: { cap: quotas.perUnit ?? null, proposed: r.proposed },
        perField: Object.fromEntries(
          FIELDS.map((f) => [
            f,
            { cap: quotas.perField?.[f] ?? null, proposed: r.proposed_by_field?.[f] ?? 0 },
          ]),
        ),
      },
    }));
    const stages = UNIT_STAGES.map((stage) => {
      const missing = units.filter((u) => !u.submitted[stage]).map((u) => ({ id: u.unitId, name: u.name }));
      const submitted = units.length - missing.length;
      const verb = SUBMISSION_WORDS[stage].en;
      return {
        stage,
        submitted,
        total: units.length,
        missing,
        closed: closed.some((c) => c.stage === stage),
        summary:
          `${submitted} of ${units.length} units ${verb}` +
          (missing.length ? `; missing: ${missing.map((m) => m.name).join(', ')}` : ''),
      };
    });
    return { stages, units };
  }

  /** The campaign's own audit trail: calendar changes, reminders to late units, stages closed. */
  async events(user: CurrentUser, id: string): Promise<CampaignEventDto[]> {
    await this.watchedByProvince(user, id, 'see its audit trail');
    const rows: {
      seq: number;
      action: string;
      actor_type: string;
      actor_user_id: string | null;
      actor_name: string;
      stage: string | null;
      details: Record<string, unknown>;
      occurred_at: Date;
    }[] = await this.dataSource.query(
      `SELECT seq, action, actor_type, actor_user_id, actor_name, stage, details, occurred_at
         FROM campaign_events WHERE campaign_id = $1 ORDER BY occurred_at, seq`,
      [id],
    );
    return rows.map((r) => ({
      seq: r.seq,
      action: r.action,
      actor: { type: r.actor_type, userId: r.actor_user_id, name: r.actor_name },
      stage: r.stage,
      details: r.details,
      occurredAt: r.occurred_at,
    }));
  }

  private startOptions(campaign: Campaign) {
    const input: CampaignInput = {
      campaignId: campaign.id,
      provinceUnitId: campaign.provinceUnitId,
      calendar: campaign.calendar,
    };
    return {
      workflowId: campaign.workflowId,
      taskQueue: this.config.temporal.taskQueue,
      args: [input] as [CampaignInput],
      // A running campaign workflow is used as it is; one that has finished is never started again.
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    };
  }
}
