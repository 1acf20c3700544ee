export interface Answer {
  status: number;
  // Parsed JSON: the harness reads a few known fields.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** How many times this request was sent again after a network error, a timeout or a 503. */
  retries: number;
}

/** What the client saw over the whole run. */
export class ClientStats {
  requests = 0;
  retries = 0;
  networkErrors = 0;
  timeouts = 0;
  readonly statuses = new Map<number, number>();
  /** Per answered request, retries included: how long the person waited for an answer. */
  readonly latenciesMs: number[] = [];
  /** 5xx answers other than 503, which a client must never get. */
  readonly serverErrors: { status: number; method: string; path: string; body: string }[] = [];
}

const RETRYABLE = new Set([503]);

/**
 * A client as a real one behaves after a crash: every request is sent again, with the same
 * Idempotency-Key and the same body, on a network error, a timeout or a 503, until `giveUpAt`.
 */
export class RetryingClient {
  token?: string;
  constructor(
    private readonly baseUrl: string,
    readonly stats: ClientStats,
    private readonly timeoutMs: number,
  ) {}

  async send(
    method: string,
    path: string,
    body?: unknown,
    opts: { idempotencyKey?: string; giveUpAt?: number } = {},
  ): Promise<Answer> {
    const giveUpAt = opts.giveUpAt ?? Date.now() + 10 * 60_000;
    let retries = 0;
    const sentAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        retries++;
        this.stats.retries++;
        await sleep(Math.min(200 * 2 ** Math.min(attempt, 4), 3_000) * (0.5 + Math.random()));
      }
      this.stats.requests++;
      let res: Response;
      try {
        res = await fetch(this.baseUrl + path, {
          method,
          headers: {
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
            ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        if ((err as Error).name === 'TimeoutError') this.stats.timeouts++;
        else this.stats.networkErrors++;
        if (Date.now() > giveUpAt)
          throw new Error(`${method} ${path}: gave up after ${retries} retries (${(err as Error).message})`);
        continue;
      }
      let text: string;
      try {
        text = await res.text();
      } catch {
        // The connection broke while the answer arrived: as good as no answer.
        this.stats.networkErrors++;
        continue;
      }
      this.stats.statuses.set(res.status, (this.stats.statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500 && !RETRYABLE.has(res.status)) {
        this.stats.serverErrors.push({ status: res.status, method, path, body: text.slice(0, 200) });
      }
      if ((RETRYABLE.has(res.status) || res.status >= 500) && Date.now() < giveUpAt) continue;
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON: keep the text.
      }
      this.stats.latenciesMs.push(Date.now() - sentAt);
      return { status: res.status, body: parsed, retries };
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
