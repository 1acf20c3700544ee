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
import { DataSource } from 'typeorm';
import { isWithin } from '../units/scope.repository';
import { provincialCampaign } from '../pipeline/campaign-access';
import type { CurrentUser } from '../auth/current-user';
import { unprocessable } from '../common/http-errors';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { campaignWorkflowId, quotaProblems, SUBMISSION_WORDS, UNIT_STAGES } from '../domain/campaign';
import { type Calendar, calendarProblems } from '../domain/calendar';
import { jsonLog } from '../logging/logger';
import { actorOf } from '../nominations/nominations.service';
import { refusalToHttp } from '../temporal/update-errors';
import { TemporalCalls } from '../temporal/temporal-calls';
import { requestUpdateId } from '../temporal/update-ids';
import type { campaignWorkflow } from '../../workflows/campaign.workflow';
import { type CampaignInput, changeCalendarUpdate } from '../contracts/campaign.messages';
import { Campaign } from './campaign.entity';
import {
  type CampaignDto,
  type CampaignEventDto,
  type CampaignUnitsDto,
  type CreateCampaignDto,
  toCampaignDto,
  toCampaignEventDto,
  toUnitStatusDto,
} from './campaign.dto';
import { CampaignsRepository } from './campaigns.repository';
import { may } from '../domain/access-policy';

@Injectable()
export class CampaignsService implements OnApplicationBootstrap {
  private readonly repo: CampaignsRepository;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: TemporalCalls,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.repo = new CampaignsRepository(dataSource);
  }

  /**
   * Every campaign not yet over has its workflow: campaigns seeded on an empty database, created before
   * campaign workflows existed, or whose start was lost, get one now. Starting one that runs is a no-op.
   */
  async onApplicationBootstrap(): Promise<void> {
    const open = await this.repo.findOpen();
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
  async list(user: CurrentUser): Promise<CampaignDto[]> {
    return (await this.repo.seenFrom(user.unitId)).map(toCampaignDto);
  }

  /** One campaign of the caller's province; any other is answered as if it did not exist. */
  async get(user: CurrentUser, id: string): Promise<CampaignDto> {
    return toCampaignDto(await this.visible(user, id));
  }

  private async visible(user: CurrentUser, id: string): Promise<Campaign> {
    const campaign = await this.byId(id);
    if (!(await isWithin(this.dataSource.manager, user.unitId, campaign.provinceUnitId))) {
      throw new NotFoundException('campaign not found');
    }
    return campaign;
  }

  /** A campaign the caller sees, when the caller is an admin at its province (else 403). */
  private async adminAtProvince(
    user: CurrentUser,
    id: string,
    action: 'campaign.calendar' | 'campaign.quotas',
    what: string,
  ): Promise<Campaign> {
    const campaign = await this.visible(user, id);
    if (!may(user, action, { unitId: campaign.provinceUnitId })) {
      throw new ForbiddenException(`only an admin of the campaign's province may ${what}`);
    }
    return campaign;
  }

  /** What the province watches (unit status, the campaign's audit): the rule of the pipeline and report. */
  private async watchedByProvince(user: CurrentUser, id: string, what: string): Promise<Campaign> {
    await provincialCampaign(this.dataSource.manager, user, id, 'campaign.watch', what);
    return this.byId(id);
  }

  private async byId(id: string): Promise<Campaign> {
    const campaign = await this.repo.byId(id);
    if (!campaign) throw new NotFoundException('campaign not found');
    return campaign;
  }

  /**
   * Creates the campaign and starts its workflow. The row is reference data (the workflow then owns
   * the calendar); if Temporal refuses the start the row is removed again, so nothing half-made stays.
   */
  async create(user: CurrentUser, dto: CreateCampaignDto): Promise<CampaignDto> {
    const problems = [...calendarProblems(dto.calendar), ...quotaProblems(dto.quotas)];
    const province = await this.repo.unitLevel(dto.provinceUnitId);
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

    const repo = this.repo;
    if (await repo.existsFor(dto.provinceUnitId, dto.year)) {
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
      await repo.delete(id);
      throw err;
    }
    jsonLog('info', 'campaign created', {
      component: 'campaigns',
      campaignId: id,
      workflowId: campaign.workflowId,
      userId: user.id,
    });
    return toCampaignDto(await this.byId(id));
  }

  /**
   * Asks the campaign workflow to move the dates. Its validator refuses what cannot be (a closed stage
   * moved, an open stage's cut-off put in the past); once accepted, the answer comes after the calendar is
   * saved and every open nomination has been told. A campaign whose workflow is missing gets it started.
   */
  async changeCalendar(user: CurrentUser, id: string, calendar: Calendar) {
    const campaign = await this.adminAtProvince(user, id, 'campaign.calendar', 'change its calendar');
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
    return { campaign: toCampaignDto(await this.byId(id)), signalled: state.lastFanOut?.signalled ?? 0 };
  }

  /** Caps on proposals apply from the next proposal on; proposals already made stay. */
  async changeQuotas(user: CurrentUser, id: string, quotas: unknown): Promise<CampaignDto> {
    const campaign = await this.adminAtProvince(user, id, 'campaign.quotas', 'change its quotas');
    const problems = quotaProblems(quotas);
    if (problems.length) throw unprocessable(problems);
    await this.repo.updateQuotas(id, quotas as Campaign['quotas']);
    jsonLog('info', 'campaign quotas changed', {
      component: 'campaigns',
      campaignId: id,
      workflowId: campaign.workflowId,
      userId: user.id,
    });
    return toCampaignDto(await this.byId(id));
  }

  /**
   * Per district-level unit of the campaign's province: its funnel counts, the work it owes, whether it
   * has submitted at each unit stage, and its proposals against the quotas; per stage, who is missing.
   */
  async unitStatus(user: CurrentUser, id: string): Promise<CampaignUnitsDto> {
    const campaign = await this.watchedByProvince(user, id, "see every unit's status");
    const rows = await this.repo.unitStatus(id, campaign.provinceUnitId);
    const closed = await this.repo.closedStages(id);
    const quotas = campaign.quotas ?? {};
    const units = rows.map((r) => toUnitStatusDto(r, quotas));
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
    return (await this.repo.events(id)).map(toCampaignEventDto);
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
