/** How big and how long a fault-suite run is; `full` has the figures of issue 11, item 9. */
export interface Profile {
  name: 'small' | 'full';
  nominations: number;
  /** Nominations driven at once. */
  concurrency: number;
  /** A worker is killed (SIGKILL) this often, the two in turn, and restarted at once. */
  workerKillEveryMs: number;
  /** How long the SMTP server stays down. */
  smtpDownMs: number;
  /** Give up driving after this long and report what did not finish. */
  runDeadlineMs: number;
  /** Each HTTP request's own timeout before the client retries it. */
  requestTimeoutMs: number;
}

export const PROFILES: Record<Profile['name'], Profile> = {
  small: {
    name: 'small',
    nominations: 100,
    concurrency: 10,
    workerKillEveryMs: 10_000,
    smtpDownMs: 20_000,
    runDeadlineMs: 10 * 60_000,
    requestTimeoutMs: 20_000,
  },
  full: {
    name: 'full',
    nominations: 2_000,
    concurrency: 24,
    workerKillEveryMs: 10_000,
    smtpDownMs: 60_000,
    runDeadlineMs: 90 * 60_000,
    requestTimeoutMs: 30_000,
  },
};

export function profileFromEnv(env = process.env): Profile {
  const name = (env.FAULTS_PROFILE || 'small') as Profile['name'];
  const profile = PROFILES[name];
  if (!profile) throw new Error(`FAULTS_PROFILE must be small or full, got '${env.FAULTS_PROFILE}'`);
  const n = env.FAULTS_NOMINATIONS ? Number(env.FAULTS_NOMINATIONS) : profile.nominations;
  if (!Number.isInteger(n) || n < 1) throw new Error('FAULTS_NOMINATIONS must be a positive whole number');
  return { ...profile, nominations: n };
}
