import { type Answer, RetryingClient, sleep } from './client';
import { type Script, scriptFor, type Step } from './script';

export const FAULTS_PASSWORD = 'faults-password';
const DAY_MS = 24 * 3600_000;

export interface Round {
  campaignId: string;
  districtIds: string[];
  /** The submitter (with an email address) of each district, who is told of revision requests. */
  submitterEmails: Map<string, string>;
}

/**
 * The round the suite drives: the seeded campaign, whose dates lie weeks beyond the run so that no reminder
 * or cut-off adds events the script did not ask for, and one submitter with an email per district.
 */
export async function prepareRound(api: RetryingClient, runId: string): Promise<Round> {
  const [province] = (await must(api.send('GET', '/units'), 200)).body;
  const districtIds: string[] = province.children.map((u: { id: string }) => u.id);
  // One campaign per province and year: the seeded demo round, whose dates lie weeks ahead.
  const [campaign] = (await must(api.send('GET', '/campaigns'), 200)).body;
  const due = Math.min(
    ...Object.values(campaign.calendar.stages as Record<string, { dueAt: string }>).map((s) =>
      Date.parse(s.dueAt),
    ),
  );
  if (due - Date.now() < 7 * DAY_MS)
    throw new Error(`the campaign's first due date ${new Date(due).toISOString()} is too near`);
  const submitterEmails = new Map<string, string>();
  for (const [i, unitId] of districtIds.entries()) {
    const email = `submitter.${i}.${runId}@faults.test`;
    const res = await api.send('POST', '/users', {
      username: `faults.${runId}.submitter.${i}`,
      password: FAULTS_PASSWORD,
      displayName: `Người nộp ${i}`,
      role: 'submitter',
      unitId,
      email,
    });
    // A retried creation after a lost answer finds the user already there.
    if (res.status !== 201 && res.status !== 409)
      throw new Error(`POST /users: ${res.status} ${JSON.stringify(res.body)}`);
    submitterEmails.set(unitId, email);
  }
  return { campaignId: campaign.id, districtIds, submitterEmails };
}

export interface Driven {
  n: number;
  script: Script;
  nominationId?: string;
  unitId: string;
  title: string;
  /** Why driving it stopped before its script ended. */
  failure?: string;
  /**
   * Retried requests answered 409 although the first attempt had been applied (the person is told it
   * failed): the step and the answer's message.
   */
  refusedRetries: string[];
}

/** Drives one nomination through its script; every request is retried as a real client would. */
export async function driveNomination(
  api: RetryingClient,
  round: Round,
  runId: string,
  n: number,
  giveUpAt: number,
): Promise<Driven> {
  const script = scriptFor(n);
  const unitId = round.districtIds[n % round.districtIds.length];
  const title = `Mô hình thử lỗi ${runId} #${n}`;
  const out: Driven = { n, script, unitId, title, refusedRetries: [] };
  try {
    const created = await api.send(
      'POST',
      '/nominations',
      {
        campaignId: round.campaignId,
        unitId,
        title,
        description: 'Vận động người dân hiến đất làm đường giao thông nông thôn.',
        field: (['economic', 'culture_society', 'defense_security', 'political_system'] as const)[n % 4],
        kind: n % 5 === 0 ? 'individual' : 'collective',
        nomineeName: `Ban vận động thôn ${n}`,
      },
      { idempotencyKey: `faults-${runId}-${n}`, giveUpAt },
    );
    if (created.status !== 201)
      throw new Error(`POST /nominations: ${created.status} ${JSON.stringify(created.body)}`);
    const id: string = created.body.id;
    out.nominationId = id;
    for (const [i, step] of script.steps.entries()) {
      await applyStep(api, out, id, step, `faults-${runId}-${n}-${i}`, 2 + i, giveUpAt);
    }
  } catch (err) {
    out.failure = (err as Error).message;
  }
  return out;
}

/** Sends one step until the nomination's history shows it (`eventsAfter` events), however many tries it takes. */
async function applyStep(
  api: RetryingClient,
  out: Driven,
  id: string,
  step: Step,
  key: string,
  eventsAfter: number,
  giveUpAt: number,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > giveUpAt)
      throw new Error(`step ${eventsAfter - 1} (${label(step)}) not applied in time`);
    if (attempt > 0) await sleep(1_000);
    const res = await send(api, id, step, key, giveUpAt);
    if (res === 'no open task') continue;
    if (res.status === 200) return;
    const applied = (await historyLength(api, id, giveUpAt)) >= eventsAfter;
    if (res.status === 409) {
      // A 409 after a retry of a request that was in fact applied: the client is told it failed.
      if (applied && (res.retries > 0 || attempt > 0)) {
        out.refusedRetries.push(`${label(step)}: ${res.body?.message}`);
      }
      if (applied) return;
      continue;
    }
    throw new Error(`${label(step)}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

async function send(
  api: RetryingClient,
  id: string,
  step: Step,
  key: string,
  giveUpAt: number,
): Promise<Answer | 'no open task'> {
  const opts = { idempotencyKey: key, giveUpAt };
  if (step.kind === 'withdraw') {
    return api.send('POST', `/nominations/${id}/withdraw`, { reason: 'Đơn vị rút để hoàn thiện' }, opts);
  }
  if (step.kind === 'resubmit') {
    return api.send(
      'POST',
      `/nominations/${id}/resubmit`,
      { description: 'Vận động 126 hộ hiến 3.400 m² đất làm đường.', comment: 'Đã bổ sung' },
      opts,
    );
  }
  const tasks = await must(
    api.send('GET', `/tasks?nominationId=${id}&status=open`, undefined, { giveUpAt }),
    200,
  );
  const task = (tasks.body as { id: string; kind: string }[]).find((t) => t.kind === 'review');
  if (!task) return 'no open task';
  const body = {
    decision: step.decision,
    ...(step.comment ? { comment: step.comment } : {}),
    ...(step.score !== undefined ? { score: step.score } : {}),
  };
  return api.send('POST', `/tasks/${task.id}/decision`, body, {
    idempotencyKey: `${key}-${task.id}`,
    giveUpAt,
  });
}

async function historyLength(api: RetryingClient, id: string, giveUpAt: number): Promise<number> {
  const res = await must(api.send('GET', `/nominations/${id}/history`, undefined, { giveUpAt }), 200);
  return (res.body as unknown[]).length;
}

function label(step: Step): string {
  return step.kind === 'decision' ? step.decision : step.kind;
}

export async function must(p: Promise<Answer>, status: number): Promise<Answer> {
  const res = await p;
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

export async function login(api: RetryingClient, username: string, password: string): Promise<void> {
  const res = await must(api.send('POST', '/auth/login', { username, password }), 200);
  api.token = res.body.accessToken;
}
