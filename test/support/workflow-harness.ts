import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { createActivities } from '../../activities';
import type { CampaignStep, CampaignStepResult, ProjectionRecord } from '../../src/contracts/projection';
import { campaignWorkflowId } from '../../src/domain/campaign';
import { type CampaignInput, campaignStateQuery } from '../../src/contracts/campaign.messages';
import type { campaignWorkflow } from '../../workflows/campaign.workflow';
import { type Calendar, HOUR_MS } from '../../src/domain/calendar';
import { nominationWorkflowId, STAGES } from '../../src/domain/nomination';
import { WORKFLOWS_PATH } from '../../src/temporal/worker-options';
import {
  decideUpdate,
  stateQuery,
  type Actor,
  type DecisionInput,
  type NominationInput,
} from '../../src/contracts/nomination.messages';
import type { nominationWorkflow } from '../../workflows/nomination.workflow';
import { createTestDatabase, type TestDatabase } from './database';
import { createOrg, createUser, type Org } from './fixtures';
import { createTimeSkippingEnv } from './temporal-env';

export const DAY_MS = 24 * HOUR_MS;

/**
 * Everything a workflow test needs: the time-skipping server, a fresh PostgreSQL database with a
 * province, a district and one user per role, and one worker running the real workflow and the real
 * activities — observed, so tests assert on what the workflow asked to be written, and when.
 */
export class WorkflowHarness {
  env!: TestWorkflowEnvironment;
  db!: TestDatabase;
  org!: Org;
  admin!: Actor;
  reviewer!: Actor;
  provincialReviewer!: Actor;
  submitter!: Actor;
  readonly projections: ProjectionRecord[] = [];
  /** What campaign workflows asked to be recorded, with what each step found. */
  readonly campaignSteps: (CampaignStep & { result: CampaignStepResult })[] = [];
  readonly taskQueue = `wf-test-${randomUUID()}`;
  private worker!: Worker;
  private running!: Promise<void>;
  private readonly stepListeners = new Set<() => void>();

  /** `email`: the activities also queue notification emails in the outbox, as with SMTP_URL set. */
  constructor(private readonly options: { email?: boolean } = {}) {}

  async setUp(): Promise<void> {
    [this.env, this.db] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
    const ds = this.db.dataSource;
    this.org = await createOrg(ds);
    const user = (username: string, displayName: string, role: Actor['role'], unitId: string) =>
      createUser(ds, { username, displayName, role, unitId });
    this.admin = await user('admin', 'Quản trị', 'admin', this.org.provinceId);
    this.provincialReviewer = await user(
      'province',
      'Lê Văn Tỉnh',
      'provincial_reviewer',
      this.org.provinceId,
    );
    this.reviewer = await user('reviewer', 'Nguyễn Văn Bình', 'district_reviewer', this.org.districtId);
    this.submitter = await user('submitter', 'Trần Thị Hoa', 'submitter', this.org.districtId);
    const real = createActivities(ds, { client: this.env.client, email: this.options.email });
    this.worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue: this.taskQueue,
      workflowsPath: WORKFLOWS_PATH,
      activities: {
        ...real,
        recordProjection: async (r: ProjectionRecord) => {
          this.projections.push(r);
          for (const listener of [...this.stepListeners]) listener();
          return real.recordProjection(r);
        },
        recordCampaignStep: async (step: CampaignStep) => {
          const result = await real.recordCampaignStep(step);
          this.campaignSteps.push({ ...step, result });
          return result;
        },
      },
    });
    // One worker for the whole file: a test that fails does not take the worker down with it.
    this.running = this.worker.run();
  }

  async tearDown(): Promise<void> {
    this.worker?.shutdown();
    await this.running;
    await this.env?.teardown();
    await this.db?.drop();
  }

  /** A calendar whose stage i is due (i+1)·10 days from `from` and cut off 5 days after that. */
  calendar(from: number, overrides: Partial<Calendar> = {}): Calendar {
    const stages = {} as Calendar['stages'];
    STAGES.forEach((stage, i) => {
      const due = from + (i + 1) * 10 * DAY_MS;
      stages[stage] = { dueAt: iso(due), cutoffAt: iso(due + 5 * DAY_MS) };
    });
    return {
      stages,
      reminderOffsetsHours: [72, 24],
      revisionWindowHours: 168,
      escalationCadenceHours: 24,
      ...overrides,
    };
  }

  async start(
    calendar?: Calendar,
    where: { unitId?: string; districtUnitId?: string; campaignId?: string } = {},
    options: Pick<NominationInput, 'maxHistoryEvents'> = {},
  ): Promise<WorkflowHandle<typeof nominationWorkflow>> {
    const nominationId = randomUUID();
    const handle = await this.env.client.workflow.start<typeof nominationWorkflow>('nominationWorkflow', {
      workflowId: nominationWorkflowId(nominationId),
      taskQueue: this.taskQueue,
      args: [
        {
          nominationId,
          campaignId: where.campaignId ?? this.org.campaignId,
          unitId: where.unitId ?? this.org.districtId,
          districtUnitId: where.districtUnitId,
          provinceUnitId: this.org.provinceId,
          calendar: calendar ?? this.calendar(await this.env.currentTimeMs()),
          title: 'Mô hình "Dân vận khéo" trong bảo vệ môi trường biển',
          description: 'Giữ sạch bờ biển',
          field: 'culture_society',
          kind: 'collective',
          nomineeName: 'Hội Phụ nữ xã Hàm Tiến',
          submittedBy: this.submitter,
          ...options,
        },
      ],
    });
    await handle.query(stateQuery); // the first workflow task has run: the first task is open
    return handle;
  }

  /** Starts the campaign workflow of `campaignId` (default: the harness's own campaign). */
  async startCampaign(
    calendar: Calendar,
    campaignId = this.org.campaignId,
    options: Pick<CampaignInput, 'fanOutPageSize' | 'maxHistoryEvents'> = {},
  ): Promise<WorkflowHandle<typeof campaignWorkflow>> {
    await this.db.dataSource.query(`UPDATE campaigns SET calendar = $2 WHERE id = $1`, [
      campaignId,
      JSON.stringify(calendar),
    ]);
    const handle = await this.env.client.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      workflowId: campaignWorkflowId(campaignId),
      taskQueue: this.taskQueue,
      args: [{ campaignId, provinceUnitId: this.org.provinceId, calendar, ...options }],
    });
    await handle.query(campaignStateQuery);
    return handle;
  }

  async openTaskId(handle: WorkflowHandle): Promise<string> {
    return (await handle.query(stateQuery)).task!.id;
  }

  decide(handle: WorkflowHandle, d: Omit<DecisionInput, 'actor'> & { actor?: Actor }) {
    return handle.executeUpdate(decideUpdate, { args: [{ actor: this.admin, ...d }] });
  }

  /** Decides its way through the given decisions (scores where the stage needs them); returns the open task. */
  async walk(handle: WorkflowHandle, decisions: string[]): Promise<string> {
    let taskId = await this.openTaskId(handle);
    for (const decision of decisions) {
      const score = decision === 'recommend' || decision === 'not_recommend' ? 70 : undefined;
      taskId = (await this.decide(handle, { taskId, decision, score })).nextTaskId!;
    }
    return taskId;
  }

  /** The automatic steps (no person acting) of a nomination: action and workflow time. */
  systemSteps(handle: WorkflowHandle): { action: string; at: string }[] {
    return this.steps(handle)
      .filter((s) => s.actor === null)
      .map((s) => ({ action: s.action, at: s.occurredAt }));
  }

  /**
   * The next step with `action` the workflow asks to record after the `seen` it has: steps after a signal
   * are recorded asynchronously, so a test waits for the recording itself; the time is an upper bound only.
   */
  nextStep(
    handle: WorkflowHandle,
    action: string,
    seen: number,
    timeoutMs = 20_000,
  ): Promise<ProjectionRecord> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const step = this.steps(handle).filter((s) => s.action === action)[seen];
        if (!step) return;
        done();
        resolve(step);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${action} step after ${seen} within ${timeoutMs} ms for ${handle.workflowId}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.stepListeners.delete(check);
      };
      this.stepListeners.add(check);
      check();
    });
  }

  /** What the workflow asked to be written for one nomination, in order. */
  steps(handle: WorkflowHandle): ProjectionRecord[] {
    return this.projections.filter((p) => p.workflowId === handle.workflowId);
  }
}

/**
 * A workflow time within a second of `ms`: a step is recorded by the workflow task that handles its
 * timer, a few milliseconds after the timer's own time.
 */
export function near(ms: number) {
  return {
    asymmetricMatch: (actual: string) => Math.abs(Date.parse(actual) - ms) < 1000,
    toAsymmetricMatcher: () => `near(${iso(ms)})`,
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The reason a workflow's validator gave for refusing an Update. */
export async function refusal(p: Promise<unknown>): Promise<{ type?: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as { type?: string; message: string };
  return { type: cause.type, message: cause.message };
}
