import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from '@temporalio/client';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { stateQuery } from '../../src/contracts/nomination.messages';
import { TestApp } from '../support/http-app';

/**
 * Issue 11 item 10: arbitrary requests over every route, as every role — arbitrary path parameters, query
 * strings, JSON (and non-JSON) bodies and headers. Promised: no 5xx, no request without an answer, and
 * every nomination workflow still answers its state query afterwards. Bounded in count and time; the seed
 * is printed, and FUZZ_SEED / FUZZ_RUNS / FUZZ_TIME_MS replay or widen a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_MS ?? 30_000);
const REQUEST_TIMEOUT_MS = 10_000;

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string; schema?: Schema }[];
        requestBody?: { content: Record<string, { schema?: Schema }> };
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}
interface Route {
  method: string;
  path: string;
  params: string[];
  query: { name: string; schema?: Schema }[];
  body?: Schema;
}
interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Every byte but the unreserved ones percent-encoded (a lone surrogate becomes U+FFFD, as on the wire). */
const percentEncode = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');

describe('fuzz: every route, every role (no 5xx, no hang, workflows still answer)', () => {
  let t: TestApp;
  let routes: Route[];
  const tokens: Record<string, string | undefined> = {};
  /** Real ids per table, so arbitrary requests also reach real rows and workflows; grows as the run goes. */
  const TABLES = ['units', 'campaigns', 'nominations', 'tasks', 'users', 'absences'] as const;
  type Table = (typeof TABLES)[number];
  const pool = Object.fromEntries(TABLES.map((table) => [table, new Set<string>()])) as Record<
    Table,
    Set<string>
  >;
  const workflowIds = new Set<string>();
  async function refreshPool() {
    for (const table of TABLES) {
      const rows: { id: string }[] = await t.db.dataSource.query(
        table === 'users'
          ? // Not the fuzzing accounts themselves: a deactivated admin would end the run early.
            `SELECT id FROM users WHERE username NOT IN ('e2e-admin', 'demo.submitter', 'demo.district', 'demo.province')`
          : `SELECT id FROM ${table} ORDER BY random() LIMIT 200`,
      );
      for (const r of rows) pool[table].add(r.id);
    }
  }
  /** The table an id of this name (a body field, or a path's `:id` under its first segment) belongs to. */
  const tableOf = (name: string): Table | undefined =>
    ({
      campaignId: 'campaigns',
      provinceUnitId: 'units',
      unitId: 'units',
      parentId: 'units',
      nominationId: 'nominations',
      taskId: 'tasks',
      userId: 'users',
      actingUserId: 'users',
    })[name] as Table | undefined;

  beforeAll(async () => {
    t = await TestApp.start();
    const url = new URL(t.app.url!);
    expect(['localhost', '127.0.0.1', '[::1]']).toContain(url.hostname); // loopback only
    await t.login();
    tokens.admin = t.token;
    for (const [role, username] of [
      ['submitter', 'demo.submitter'],
      ['district_reviewer', 'demo.district'],
      ['provincial_reviewer', 'demo.province'],
    ]) {
      const res = await t.call('POST', '/auth/login', { username, password: 'demo-password' });
      expect(res.status).toBe(200);
      tokens[role] = res.body.accessToken;
    }
    tokens.none = undefined;
    tokens.forged = `${tokens.admin!.slice(0, -4)}AAAA`;

    // A few nominations with open tasks, so decisions, claims and extensions reach real workflows.
    const demo = await t.demo();
    for (let i = 0; i < 4; i++) {
      const res = await t.call('POST', '/nominations', {
        campaignId: demo.campaignId,
        unitId: demo.districtId,
        title: `Mô hình thử ${i}`,
        description: 'Mô tả',
        field: 'economic',
        kind: 'collective',
        nomineeName: 'Hội Nông dân',
      });
      expect(res.status).toBe(201);
    }
    await refreshPool();

    routes = await discoverRoutes();
  });
  afterAll(() => t?.close());

  /** Every route the express router serves, with its parameters and body schema from the OpenAPI document. */
  async function discoverRoutes(): Promise<Route[]> {
    const doc = (await t.call('GET', '/docs-json')).body as OpenApi;
    const express = (t.app.app as NestExpressApplication).getHttpAdapter().getInstance();
    const stack = express.router.stack as unknown as {
      route?: { path: string; methods: Record<string, boolean> };
    }[];
    const found: Route[] = [];
    for (const layer of stack) {
      if (!layer.route || typeof layer.route.path !== 'string') continue;
      const path = layer.route.path;
      // Nest mounts a middleware for every route (the request logger) as `/{*path}` on every method: not an
      // endpoint, and it would crowd the real routes out of the runs.
      if (path === '/{*path}') continue;
      for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
        const op = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method];
        const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
        found.push({
          method: method.toUpperCase(),
          path,
          params,
          query: (op?.parameters ?? [])
            .filter((p) => p.in === 'query')
            .map((p) => ({ name: p.name, schema: p.schema })),
          body: op?.requestBody?.content['application/json']?.schema,
        });
      }
    }
    const resolve = (s: Schema | undefined): Schema | undefined =>
      s?.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s;
    schemaOf = resolve;
    return found;
  }
  let schemaOf: (s: Schema | undefined) => Schema | undefined = (s) => s;

  // ------------------------------------------------------------ arbitraries

  const NASTY = [
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\u001b[31m',
    '\r\n',
    '\ud800',
    'e\u0301',
    '%',
    '_',
    '\\',
    "' OR 1=1 --",
    '__proto__',
    'constructor',
    '-1',
    '0',
    '1e309',
    'NaN',
    'true',
    'null',
    '[]',
    '{}',
    '2026-02-30T00:00:00Z',
    '2026-W05-1',
    '2026-10-15T10:00:00+20:00',
    '2026-10-15',
    '9999-12-31T23:59:59-14:00',
    '0000-01-01T00:00:00Z',
    '00000000-0000-0000-0000-000000000000',
    '------------------------------------',
    'x'.repeat(10_000),
    'Đức Linh',
  ];
  const text = fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 1, arbitrary: fc.base64String({ maxLength: 120 }) },
  );
  const id = (table: Table | undefined) =>
    fc.oneof(
      {
        weight: table ? 6 : 2,
        arbitrary: fc.integer({ min: 0, max: 1e9 }).map((n) => {
          // Read at generation time: the pool grows during the run.
          const ids = [...pool[table ?? 'nominations']];
          return ids.length ? ids[n % ids.length] : '00000000-0000-4000-8000-000000000000';
        }),
      },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: text },
    );
  const time = fc.oneof(
    fc
      .date({ min: new Date('1890-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    fc.integer({ min: -30, max: 400 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString()),
    text,
  );
  const number = fc.oneof(
    fc.integer({ min: -5, max: 250 }),
    fc.double(),
    fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.5, 1e-300),
  );
  const anyJson = fc.jsonValue({ maxDepth: 3 });

  function valueFor(schema: Schema | undefined, depth = 0, name = ''): fc.Arbitrary<unknown> {
    const s = schemaOf(schema);
    if (!s || depth > 4) return anyJson;
    const variants = s.allOf ?? s.oneOf ?? s.anyOf;
    if (variants?.length) return fc.oneof(...variants.map((v) => valueFor(v, depth + 1)));
    let typed: fc.Arbitrary<unknown>;
    if (s.enum) typed = fc.constantFrom(...s.enum);
    else if (s.format === 'uuid') typed = id(tableOf(name));
    else if (s.format === 'date-time') typed = time;
    else if (s.type === 'string')
      typed = s.example !== undefined ? fc.oneof(fc.constant(s.example), text, time) : fc.oneof(text, time);
    else if (s.type === 'integer' || s.type === 'number') typed = number;
    else if (s.type === 'boolean') typed = fc.boolean();
    else if (s.type === 'array') typed = fc.array(valueFor(s.items, depth + 1), { maxLength: 12 });
    else if (s.properties) {
      const props = s.properties;
      typed = fc
        .record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueFor(v, depth + 1, k)])), {
          requiredKeys: [],
        })
        .chain((r) =>
          fc
            .option(fc.tuple(text, anyJson), { freq: 5 })
            .map((extra) => (extra ? { ...r, [extra[0]]: extra[1] } : r)),
        );
    } else typed = anyJson;
    // Mostly the declared type, sometimes anything at all.
    return fc.oneof({ weight: 5, arbitrary: typed }, { weight: 1, arbitrary: anyJson });
  }

  /**
   * A well-formed value of the schema: enum values, real ids, future times, examples. Such bodies get past
   * validation, so the run also registers models, decides, claims and extends on real workflows.
   */
  function validFor(schema: Schema | undefined, depth = 0, name = ''): fc.Arbitrary<unknown> {
    const s = schemaOf(schema);
    if (!s || depth > 4) return fc.constant({});
    const variants = s.allOf ?? s.oneOf ?? s.anyOf;
    if (variants?.length) return fc.oneof(...variants.map((v) => validFor(v, depth + 1, name)));
    if (s.enum) return fc.constantFrom(...s.enum);
    if (s.format === 'uuid') return id(tableOf(name) ?? 'nominations').filter((v) => typeof v === 'string');
    if (s.format === 'date-time' || /At$/.test(name))
      return fc
        .integer({ min: 1, max: 300 })
        .map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
    if (s.type === 'string')
      return s.example !== undefined ? fc.constant(s.example) : fc.stringMatching(/^[a-z][a-z0-9 ]{2,20}$/);
    if (s.type === 'integer' || s.type === 'number') return fc.integer({ min: 0, max: 100 });
    if (s.type === 'boolean') return fc.boolean();
    if (s.type === 'array') return fc.array(validFor(s.items, depth + 1), { maxLength: 3 });
    if (s.properties) {
      const props = s.properties;
      return fc.record(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validFor(v, depth + 1, k)])),
      );
    }
    return s.example !== undefined ? fc.constant(s.example) : fc.constant({});
  }

  /** A well-formed body with one field replaced by something nasty: the shape of most real mistakes. */
  function oneFieldWrong(schema: Schema | undefined): fc.Arbitrary<unknown> {
    return fc.tuple(validFor(schema), fc.nat(), fc.oneof(text, number, anyJson)).map(([v, n, bad]) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      const keys = Object.keys(v);
      return keys.length ? { ...v, [keys[n % keys.length]]: bad } : v;
    });
  }

  const headerText = fc
    .string({ unit: 'binary-ascii', maxLength: 60 })
    .map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());

  function request(route: Route): fc.Arbitrary<{ sent: Sent; role: string }> {
    const segment = route.path.split('/')[1];
    const inSegment = (TABLES as readonly string[]).includes(segment) ? (segment as Table) : undefined;
    const params = fc.tuple(...route.params.map((p) => id(tableOf(p) ?? inSegment)));
    const query = fc.array(
      fc.oneof(
        ...(route.query.length
          ? [
              fc
                .constantFrom(...route.query)
                .chain((q) => fc.tuple(fc.constant(q.name), valueFor(q.schema).map(String))),
            ]
          : []),
        fc.tuple(text, text),
      ),
      { maxLength: 5 },
    );
    const isImport = route.path.endsWith('/import');
    const body = fc.oneof(
      { weight: 4, arbitrary: valueFor(route.body).map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 3, arbitrary: validFor(route.body).map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 2, arbitrary: oneFieldWrong(route.body).map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: text },
      {
        weight: isImport ? 6 : 1,
        arbitrary: fc
          .array(fc.array(text, { maxLength: 7 }), { maxLength: 6 })
          .map((rows) =>
            [
              'title,description,field,kind,nomineeName,unit',
              ...rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')),
            ].join('\n'),
          ),
      },
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-99',
      'text/csv',
      'text/csv; charset=windows-1252',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    );
    const encoding = fc.constantFrom(
      undefined,
      undefined,
      undefined,
      'gzip',
      'gzip-real',
      'deflate',
      'br',
      'identity',
      'x-klingon',
      'gzip, gzip',
    );
    return fc
      .record({
        role: fc.noBias(fc.nat(Object.keys(tokens).length - 1)).map((i) => Object.keys(tokens)[i]),
        params,
        query,
        body: fc.option(body, { freq: 4 }),
        contentType: isImport ? fc.oneof(fc.constant('text/csv'), contentType) : contentType,
        encoding,
        idempotencyKey: fc.option(headerText, { freq: 3 }),
        accept: fc.constantFrom(undefined, 'application/json', 'text/csv', 'text/html', '*/*'),
        // A third of the requests are well-formed (JSON, plain encoding, a valid body), so the run also moves
        // real nominations through their workflows rather than only knocking at the door.
        wellFormed: fc.constantFrom(false, false, true),
        validBody: validFor(route.body).map((v) => JSON.stringify(v) ?? '{}'),
        // Now and then a path that is not valid percent-encoding, or a trailing slash.
        pathTail: fc.constantFrom('', '', '', '', '', '', '/', '%', '%zz', '%E0%A4%A', '/..%2f'),
      })
      .map(
        ({
          role,
          params,
          query,
          body,
          contentType,
          encoding,
          idempotencyKey,
          accept,
          wellFormed,
          validBody,
          pathTail,
        }) => {
          if (wellFormed) {
            [body, contentType, encoding] = [
              isImport ? body : validBody,
              isImport ? 'text/csv' : 'application/json',
              undefined,
            ];
            query = query.slice(0, 1);
            if (role === 'none' || role === 'forged') role = 'admin';
          }
          let i = 0;
          const path =
            route.path.replace(/:(\w+)/g, () => percentEncode(String(params[i++]))) +
            (wellFormed ? '' : pathTail);
          const qs = new URLSearchParams(
            query.map(([k, v]) => [String(k), String(v)] as [string, string]),
          ).toString();
          const headers: Record<string, string> = {};
          if (tokens[role]) headers.authorization = `Bearer ${tokens[role]}`;
          if (accept) headers.accept = accept;
          if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
          let payload: string | Buffer | undefined;
          if (body !== null && route.method !== 'GET' && route.method !== 'HEAD') {
            payload = body;
            if (contentType) headers['content-type'] = contentType;
            if (encoding === 'gzip-real') {
              payload = gzipSync(body);
              headers['content-encoding'] = 'gzip';
            } else if (encoding) headers['content-encoding'] = encoding;
          }
          return {
            role,
            sent: { method: route.method, url: `${path}${qs ? `?${qs}` : ''}`, headers, body: payload },
          };
        },
      );
  }

  // ------------------------------------------------------------ the run

  it('answers every request below 500, in time, and leaves every workflow answering its query', async () => {
    const statuses: Record<string, number> = {};
    const perRoute = new Map<string, number>();
    const failures: string[] = [];
    let requests = 0;
    const started = Date.now();

    const send = async ({ sent }: { sent: Sent; role: string }) => {
      requests++;
      let status: number;
      let text = '';
      try {
        const res = await fetch(t.app.url + sent.url, {
          method: sent.method,
          headers: sent.headers,
          body: sent.body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        failures.push(
          `${sent.method} ${sent.url.slice(0, 200)}: no answer (${(err as Error).name}: ${(err as Error).message})`,
        );
        return false;
      }
      const klass = `${Math.floor(status / 100)}xx`;
      statuses[klass] = (statuses[klass] ?? 0) + 1;
      if (process.env.FUZZ_DEBUG && sent.method === 'POST' && /^\/nominations(\?|$)/.test(sent.url))
        console.log(status, text.slice(0, 200), String(sent.body).slice(0, 200));
      // Learn the ids the API hands out, so later requests reach real rows and workflows.
      if (status < 300 && text.startsWith('{')) {
        try {
          const body = JSON.parse(text);
          // A nomination (it has a stage); a campaign's workflow has its own query.
          if (typeof body.workflowId === 'string' && 'stage' in body) workflowIds.add(body.workflowId);
        } catch {
          // not JSON after all: nothing to learn
        }
      }
      if (status >= 500) {
        failures.push(
          `${sent.method} ${sent.url.slice(0, 200)} ${JSON.stringify(sent.headers)} ${String(sent.body ?? '').slice(0, 300)} → ${status} ${text.slice(0, 300)}`,
        );
        return false;
      }
      return true;
    };

    // Unbiased (constantFrom favours its first values); the routes that change something count twice.
    const weighted = [...routes, ...routes.filter((r) => r.method !== 'GET')];
    const routeArb = fc
      .noBias(fc.nat(weighted.length - 1))
      .map((i) => weighted[i])
      .chain((route) => request(route).map((r) => ({ ...r, route })));
    const result = await fc.check(
      fc.asyncProperty(routeArb, async (r) => {
        const key = `${r.route.method} ${r.route.path}`;
        perRoute.set(key, (perRoute.get(key) ?? 0) + 1);
        if (requests % 100 === 99) await refreshPool();
        return send(r);
      }),
      {
        seed: SEED,
        numRuns: RUNS,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
        endOnFailure: true,
      },
    );
    const fuzzMs = Date.now() - started;

    // Every nomination workflow of this test (the read model's, and any the API answered with) still answers.
    const rows: { workflow_id: string }[] = await t.db.dataSource.query(
      `SELECT workflow_id FROM nominations`,
    );
    for (const r of rows) workflowIds.add(r.workflow_id);
    const client = t.app.app.get(Client);
    const unanswered: string[] = [];
    for (const workflowId of workflowIds) {
      try {
        await client.workflow.getHandle(workflowId).query(stateQuery);
      } catch (err) {
        unanswered.push(`${workflowId}: ${(err as Error).message}`);
      }
    }

    const missed = routes
      .filter((r) => !perRoute.get(`${r.method} ${r.path}`))
      .map((r) => `${r.method} ${r.path}`);
    console.log(
      JSON.stringify({
        fuzz: 'routes',
        seed: SEED,
        requests,
        statuses,
        routes: routes.length,
        routesNotReached: missed,
        ...(process.env.FUZZ_DEBUG ? { perRoute: Object.fromEntries(perRoute) } : {}),
        fuzzSeconds: Math.round(fuzzMs / 100) / 10,
        workflowsQueried: workflowIds.size,
        interrupted: result.interrupted,
        replay: `FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`,
      }),
    );
    expect(failures).toEqual([]);
    expect(result.failed).toBe(false);
    expect(unanswered).toEqual([]);
    expect(requests).toBeGreaterThan(200);
  }, 150_000);
});
