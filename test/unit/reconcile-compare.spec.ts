import { compareNomination, type ReadModelNomination } from '../../src/reconcile/compare';
import type { NominationState, OpenTask } from '../../src/contracts/nomination.messages';

const task: OpenTask = {
  id: '11111111-1111-4111-8111-111111111111',
  kind: 'review',
  stage: 'district_review',
  allowedDecisions: ['recognize', 'not_recognize', 'request_revision'],
  assigneeRole: 'district_reviewer',
  assigneeUnitId: '22222222-2222-4222-8222-222222222222',
  assigneeUserId: null,
  openedAt: '2026-10-01T00:00:00.000Z',
  dueAt: '2026-10-15T17:00:00.000Z',
  cutoffAt: '2026-10-20T17:00:00.000Z',
};

const content = {
  title: 'Hiến đất làm đường',
  description: 'Vận động 126 hộ hiến đất',
  field: 'economic' as const,
  kind: 'collective' as const,
  nomineeName: 'Ban Mặt trận thôn 2',
};

function workflow(overrides: Partial<NominationState> = {}): NominationState {
  return {
    nominationId: 'n1',
    stage: 'district_review',
    outcome: null,
    task,
    decisions: 1,
    revisions: 0,
    overdue: false,
    deadline: null,
    content,
    ...overrides,
  };
}

function readModel(overrides: Partial<ReadModelNomination> = {}): ReadModelNomination {
  return {
    id: 'n1',
    workflowId: 'nomination-n1',
    stage: 'district_review',
    outcome: null,
    revisions: 0,
    overdue: false,
    ...content,
    projectionSeq: 2,
    // PostgreSQL gives back the same instants in its own spelling.
    openTasks: [
      {
        id: task.id,
        kind: 'review',
        stage: 'district_review',
        dueAt: '2026-10-16T00:00:00+07:00',
        cutoffAt: task.cutoffAt,
        assigneeUserId: null,
      },
    ],
    ...overrides,
  };
}

describe('compareNomination', () => {
  it('finds nothing when the read model shows the workflow’s state (times compared as instants)', () => {
    expect(compareNomination(readModel(), workflow())).toEqual([]);
  });

  it('names each field that differs, with the workflow’s value as the truth', () => {
    const diffs = compareNomination(
      readModel({ stage: 'district_registration', revisions: 1, title: 'Cũ' }),
      workflow({ overdue: true }),
    );
    expect(diffs).toEqual([
      { field: 'stage', readModel: 'district_registration', workflow: 'district_review' },
      { field: 'revisions', readModel: 1, workflow: 0 },
      { field: 'overdue', readModel: false, workflow: true },
      { field: 'title', readModel: 'Cũ', workflow: content.title },
    ]);
  });

  it('compares the open task: its kind, stage, dates and holder', () => {
    const [row] = readModel().openTasks;
    const diffs = compareNomination(
      readModel({
        openTasks: [
          {
            ...row,
            kind: 'revision',
            dueAt: null,
            cutoffAt: '2026-10-21T17:00:00.000Z',
            assigneeUserId: 'u1',
          },
        ],
      }),
      workflow(),
    );
    expect(diffs.map((d) => d.field)).toEqual([
      'task.kind',
      'task.dueAt',
      'task.cutoffAt',
      'task.assigneeUserId',
    ]);
  });

  it('reports a task the read model lacks, and tasks it shows open that the workflow has closed', () => {
    const stale = { ...readModel().openTasks[0], id: '33333333-3333-4333-8333-333333333333' };
    expect(compareNomination(readModel({ openTasks: [stale] }), workflow())).toEqual([
      { field: `task ${stale.id}`, readModel: 'open', workflow: 'not open' },
      { field: `task ${task.id}`, readModel: 'not open', workflow: 'open' },
    ]);
  });

  it('expects no open task once the workflow has closed', () => {
    const diffs = compareNomination(
      readModel({ stage: 'closed', outcome: 'rejected' }),
      workflow({ stage: 'closed', outcome: 'rejected', task: null }),
    );
    expect(diffs).toEqual([{ field: `task ${task.id}`, readModel: 'open', workflow: 'not open' }]);
  });
});
