import { randomUUID } from 'node:crypto';
import { FIELDS, type Field, type Kind } from '../../src/domain/nomination';
import { TestApp } from '../support/http-app';

const STEPS = ['registered', 'districtRecognized', 'proposed', 'recognized'] as const;
type Step = (typeof STEPS)[number];

/** One nomination to write into the read model, as far as it went in the round. */
interface Row {
  unitId: string;
  districtUnitId: string;
  field: Field;
  kind: Kind;
  /** 0 registered only … 3 provincially recognized */
  depth: number;
}

interface Unit {
  id: string;
  name: string;
  children: { id: string; name: string }[];
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The campaign report over HTTP, on rounds written straight into the read model: a round whose figures
 * are known in advance (Bình Thuận 2023: 746 registered, 155 district-recognized by 13 of 14 units, 39
 * proposed by all but Đức Linh, 22 recognized — 20 collective, 2 individual) in JSON, CSV and HTML, and a
 * random round whose every total must be the sum of its parts. Real API and PostgreSQL.
 */
describe('campaign report over HTTP', () => {
  let t: TestApp;
  let provinceId: string;
  let districts: Unit[];
  let adminId: string;

  beforeAll(async () => {
    t = await TestApp.start();
    await t.login();
    const [province] = (await t.call('GET', '/units')).body;
    provinceId = province.id;
    districts = province.children;
    [{ id: adminId }] = await t.db.dataSource.query(`SELECT id FROM users WHERE role = 'admin' LIMIT 1`);
  });
  afterAll(() => t?.close());

  async function createCampaign(year: number, name: string): Promise<string> {
    const id = randomUUID();
    // A past round: closed, so no campaign workflow is ever started for it.
    await t.db.dataSource.query(
      `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id, closed_at)
       VALUES ($1, $2, $3, $4, '{}', $5, $6, $7)`,
      [
        id,
        name,
        year,
        provinceId,
        `${year}-09-01T00:00:00Z`,
        `campaign-${id}`,
        `${year + 1}-01-20T00:00:00Z`,
      ],
    );
    return id;
  }

  /** Writes closed nominations with the milestones of their depth, in one statement. */
  async function insert(campaignId: string, rows: Row[], year: number): Promise<void> {
    await t.db.dataSource.query(
      `INSERT INTO nominations (id, campaign_id, unit_id, district_unit_id, title, description, field, kind,
                                nominee_name, stage, outcome, workflow_id, created_by, created_at, updated_at,
                                closed_at, stage_entered_at, accepted_at, district_recognized_at, proposed_at,
                                recommended_at, recognized_at)
       SELECT id, $1, r.unit_id, r.district_id, 'Mô hình số ' || r.i, 'Mô tả', r.field, r.kind, 'Đơn vị ' || r.i,
              'closed',
              CASE WHEN r.depth = 3 THEN 'recognized_provincial' WHEN r.depth > 0 THEN 'recognized_district'
                   ELSE 'not_recognized' END,
              'report-' || id, $2, $3::timestamptz, $3::timestamptz, $3::timestamptz + interval '90 days',
              $3::timestamptz + interval '90 days', $3::timestamptz + interval '2 days',
              CASE WHEN r.depth >= 1 THEN $3::timestamptz + interval '20 days' END,
              CASE WHEN r.depth >= 2 THEN $3::timestamptz + interval '40 days' END,
              CASE WHEN r.depth >= 3 THEN $3::timestamptz + interval '60 days' END,
              CASE WHEN r.depth >= 3 THEN $3::timestamptz + interval '80 days' END
         FROM (SELECT gen_random_uuid() AS id, u.*
                 FROM unnest($4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::int[]) WITH ORDINALITY
                      AS u(unit_id, district_id, field, kind, depth, i)) r`,
      [
        campaignId,
        adminId,
        `${year}-09-15T00:00:00Z`,
        rows.map((r) => r.unitId),
        rows.map((r) => r.districtUnitId),
        rows.map((r) => r.field),
        rows.map((r) => r.kind),
        rows.map((r) => r.depth),
      ],
    );
  }

  /** The funnel counts of some rows, as the report must show them. */
  function funnel(rows: Row[]) {
    const out = {} as Record<Step, { total: number; collective: number; individual: number }>;
    STEPS.forEach((step, depth) => {
      const at = rows.filter((r) => r.depth >= depth);
      out[step] = {
        total: at.length,
        collective: at.filter((r) => r.kind === 'collective').length,
        individual: at.filter((r) => r.kind === 'individual').length,
      };
    });
    return out;
  }

  /** Raw bytes of a response, so the BOM is seen (`Response.text()` strips it). */
  async function raw(path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const res = await fetch(t.app.url + path, { headers: { authorization: `Bearer ${t.token}` } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  describe('a round with known figures', () => {
    let campaignId: string;
    let plan: Map<string, Row[]>;
    const name = 'Dân vận khéo 2023 – "Bình Thuận" <tổng kết> & khen thưởng';

    beforeAll(async () => {
      campaignId = await createCampaign(2023, name);
      // Per unit (in seed order): registered, district-recognized, proposed, recognized; Đức Linh (index 7)
      // registers but recognizes nothing, so proposes nothing.
      const ducLinh = districts.findIndex((d) => d.name === 'Huyện Đức Linh');
      expect(ducLinh).toBeGreaterThanOrEqual(0);
      const others = districts.map((_, i) => i).filter((i) => i !== ducLinh);
      const counts = districts.map((_, i) => {
        const k = others.indexOf(i);
        return {
          registered: 53 + (i < 4 ? 1 : 0),
          districtRecognized: k < 0 ? 0 : 11 + (k < 12 ? 1 : 0),
          proposed: k < 0 ? 0 : 3,
          recognized: k >= 0 && k < 11 ? 2 : 0,
        };
      });
      plan = new Map();
      let individualsRecognized = 0;
      districts.forEach((d, i) => {
        const c = counts[i];
        const rows: Row[] = [];
        for (let j = 0; j < c.registered; j++) {
          const depth = j < c.recognized ? 3 : j < c.proposed ? 2 : j < c.districtRecognized ? 1 : 0;
          // Exactly two of the recognized are individuals; elsewhere every fifth model is one.
          const individual = depth === 3 ? j === 0 && individualsRecognized++ < 2 : j % 5 === 4;
          rows.push({
            // Half registered by a grassroots unit, reviewed by its district-level unit.
            unitId: j % 2 && d.children.length ? d.children[j % d.children.length].id : d.id,
            districtUnitId: d.id,
            field: FIELDS[(i + j) % 4],
            kind: individual ? 'individual' : 'collective',
            depth,
          });
        }
        plan.set(d.id, rows);
      });
      await insert(campaignId, [...plan.values()].flat(), 2023);
      await t.db.dataSource.query(
        `INSERT INTO campaign_events (campaign_id, workflow_id, seq, action, actor_type, actor_name, stage, details, occurred_at)
         VALUES ($1, $2, 1, 'stage_closed', 'system', 'Hệ thống', 'provincial_proposal', '{}', '2023-12-01T10:00:00Z')`,
        [campaignId, `campaign-${campaignId}`],
      );
    });

    it('reports the funnel, per unit and per field, with the units that submitted nothing and the rates', async () => {
      const res = await t.call('GET', `/campaigns/${campaignId}/report`);
      expect(res.status).toBe(200);
      const r = res.body;
      expect(r.campaign).toMatchObject({ id: campaignId, name, year: 2023, provinceName: 'Tỉnh Bình Thuận' });
      expect(r.totals).toEqual({
        registered: { total: 746, collective: expect.any(Number), individual: expect.any(Number) },
        districtRecognized: { total: 155, collective: expect.any(Number), individual: expect.any(Number) },
        proposed: { total: 39, collective: expect.any(Number), individual: expect.any(Number) },
        recognized: { total: 22, collective: 20, individual: 2 },
        conversion: {
          districtRecognizedOfRegistered: 20.8,
          proposedOfDistrictRecognized: 25.2,
          recognizedOfProposed: 56.4,
        },
      });
      const all = [...plan.values()].flat();
      expect(r.totals).toMatchObject(funnel(all));

      // Every district-level unit, each with exactly its own rows.
      expect(r.units).toHaveLength(14);
      for (const u of r.units) {
        expect(u).toMatchObject({ ...funnel(plan.get(u.unitId)!), active: true });
        expect(u.name).toBe(districts.find((d) => d.id === u.unitId)!.name);
      }
      const ducLinh = r.units.find((u: { name: string }) => u.name === 'Huyện Đức Linh');
      expect(ducLinh).toMatchObject({
        registered: { total: 53 },
        districtRecognized: { total: 0 },
        proposed: { total: 0 },
        recognized: { total: 0 },
        conversion: {
          districtRecognizedOfRegistered: 0,
          proposedOfDistrictRecognized: null,
          recognizedOfProposed: null,
        },
      });
      expect(
        r.units.filter((u: { districtRecognized: { total: number } }) => u.districtRecognized.total > 0),
      ).toHaveLength(13);

      expect(
        r.stages.map(
          (s: { stage: string; submitted: number; total: number; missing: { name: string }[] }) => [
            s.stage,
            s.submitted,
            s.total,
            s.missing.map((m) => m.name),
          ],
        ),
      ).toEqual([
        ['district_registration', 14, 14, []],
        ['district_review', 13, 14, ['Huyện Đức Linh']],
        ['provincial_proposal', 13, 14, ['Huyện Đức Linh']],
      ]);
      expect(r.stages[2]).toMatchObject({
        closedAt: '2023-12-01T10:00:00.000Z',
        summary: '13/14 đơn vị đã đề xuất; chưa đề xuất: Huyện Đức Linh',
      });
      expect(r.stages[0].closedAt).toBeNull();

      // Per field: what was planned, and together the totals.
      expect(r.fields.map((f: { field: string }) => f.field)).toEqual([...FIELDS]);
      for (const f of r.fields) expect(f).toMatchObject(funnel(all.filter((x) => x.field === f.field)));
      for (const step of STEPS) {
        for (const part of ['total', 'collective', 'individual'] as const) {
          const sum = (rows: Record<Step, Record<typeof part, number>>[]) =>
            rows.reduce((s, x) => s + x[step][part], 0);
          expect(sum(r.fields)).toBe(r.totals[step][part]);
          expect(sum(r.units)).toBe(r.totals[step][part]);
          expect(sum(r.kinds)).toBe(r.totals[step][part]);
        }
      }
    });

    it('exports CSV: UTF-8 with a BOM, one line per unit then the total, Vietnamese names exact', async () => {
      const res = await raw(`/campaigns/${campaignId}/report?format=csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="bao-cao-2023.csv"');
      expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(res.bytes);
      expect(text.startsWith('\uFEFFĐơn vị,Đăng ký,')).toBe(true);
      const lines = text.slice(1).split('\r\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(1 + 14 + 1);
      const json = (await t.call('GET', `/campaigns/${campaignId}/report`)).body;
      lines.slice(1, 15).forEach((line, i) => {
        const u = json.units[i];
        expect(line).toBe(
          [
            u.name,
            ...STEPS.flatMap((s) => [u[s].total, u[s].collective, u[s].individual]),
            ...Object.values(u.conversion).map((v) => (v === null ? '' : String(v))),
          ].join(','),
        );
      });
      expect(lines.map((l) => l.split(',')[0])).toEqual(
        expect.arrayContaining([
          'Huyện Đức Linh',
          'Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh',
          'Thị xã La Gi',
        ]),
      );
      const total = lines[15].split(',');
      expect([total[0], total[1], total[4], total[7], ...total.slice(10)]).toEqual([
        'Tổng cộng',
        '746',
        '155',
        '39',
        '22',
        '20',
        '2',
        '20.8',
        '25.2',
        '56.4',
      ]);
      // The total line is the column sums of the unit lines.
      const cells = lines.slice(1, 15).map((l) => l.split(',').slice(1, 13).map(Number));
      expect(lines[15].split(',').slice(1, 13).map(Number)).toEqual(
        cells.reduce((a, b) => a.map((x, i) => x + b[i])),
      );
    });

    it('renders a printable HTML page with every name escaped', async () => {
      const res = await t.call('GET', `/campaigns/${campaignId}/report?format=html`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html: string = res.body;
      expect(html).toContain('<meta charset="utf-8">');
      expect(html).toContain('@media print');
      expect(html).toContain('Dân vận khéo 2023 – &quot;Bình Thuận&quot; &lt;tổng kết&gt; &amp; khen thưởng');
      expect(html).not.toContain('<tổng kết>');
      expect(html).toContain('Báo cáo kết quả phong trào thi đua “Dân vận khéo” năm 2023');
      for (const d of districts) expect(html).toContain(`<td>${d.name}</td>`);
      expect(html).toContain('chưa nộp: Huyện Đức Linh');
      expect(html).toContain('Phát triển kinh tế');
      expect(html).toContain('<td class="n">746</td>');
    });

    it('is for the province’s administrators and provincial reviewers only; 404 outside the province', async () => {
      const admin = t.token;
      try {
        await t.login('demo.province', 'demo-password');
        expect((await t.call('GET', `/campaigns/${campaignId}/report`)).status).toBe(200);
        await t.login('demo.district', 'demo-password');
        expect(await t.call('GET', `/campaigns/${campaignId}/report`)).toMatchObject({
          status: 403,
          body: { message: expect.stringContaining("campaign's province") },
        });
        expect((await t.call('GET', `/campaigns/${campaignId}/report?format=csv`)).status).toBe(403);
      } finally {
        t.token = admin;
      }
      expect(await t.call('GET', `/campaigns/${randomUUID()}/report`)).toMatchObject({
        status: 404,
        body: { message: 'campaign not found' },
      });
      expect((await t.call('GET', `/campaigns/not-a-uuid/report`)).status).toBe(400);
      expect((await t.call('GET', `/campaigns/${campaignId}/report?format=pdf`)).status).toBe(400);
      // A campaign of another province is answered as if it did not exist.
      const [other] = await t.db.dataSource.query(
        `INSERT INTO units (name, level) VALUES ('Tỉnh Ninh Thuận', 'province') RETURNING id`,
      );
      const otherCampaign = randomUUID();
      await t.db.dataSource.query(
        `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id, closed_at)
         VALUES ($1, 'Ninh Thuận 2023', 2023, $2, '{}', now(), $3, now())`,
        [otherCampaign, other.id, `campaign-${otherCampaign}`],
      );
      expect((await t.call('GET', `/campaigns/${otherCampaign}/report`)).status).toBe(404);
    });
  });

  it('adds every total up from its parts on a random round, zero units included', async () => {
    const campaignId = await createCampaign(2021, 'Dân vận khéo 2021');
    const next = random(20240601);
    const rows: Row[] = [];
    // Two units register nothing at all; the others a random number per field, kind and depth.
    const silent = new Set([districts[3].id, districts[10].id]);
    for (const d of districts) {
      if (silent.has(d.id)) continue;
      for (const field of FIELDS) {
        for (const kind of ['collective', 'individual'] as const) {
          for (let depth = 0; depth <= 3; depth++) {
            const n = Math.floor(next() * (depth === 0 ? 7 : 3));
            for (let k = 0; k < n; k++) {
              const unitId = next() < 0.5 && d.children.length ? d.children[0].id : d.id;
              rows.push({ unitId, districtUnitId: d.id, field, kind, depth });
            }
          }
        }
      }
    }
    await insert(campaignId, rows, 2021);
    const r = (await t.call('GET', `/campaigns/${campaignId}/report`)).body;

    const [direct] = await t.db.dataSource.query(
      `SELECT count(*)::int AS registered, count(district_recognized_at)::int AS "districtRecognized",
              count(proposed_at)::int AS proposed, count(recognized_at)::int AS recognized
         FROM nominations WHERE campaign_id = $1`,
      [campaignId],
    );
    expect(direct.registered).toBe(rows.length);
    for (const step of STEPS) {
      expect(r.totals[step].total).toBe(direct[step]);
      for (const part of ['total', 'collective', 'individual'] as const) {
        for (const group of [r.units, r.fields, r.kinds]) {
          expect(
            group.reduce((s: number, x: Record<Step, Record<string, number>>) => s + x[step][part], 0),
          ).toBe(r.totals[step][part]);
        }
      }
      for (const x of [r.totals, ...r.units, ...r.fields, ...r.kinds]) {
        expect(x[step].total).toBe(x[step].collective + x[step].individual);
      }
    }
    expect(r.totals).toMatchObject(funnel(rows));
    expect(r.units).toHaveLength(14);
    for (const u of r.units)
      expect(u).toMatchObject(funnel(rows.filter((x) => x.districtUnitId === u.unitId)));
    const silentRows = r.units.filter((u: { unitId: string }) => silent.has(u.unitId));
    expect(silentRows).toHaveLength(2);
    for (const u of silentRows) {
      expect(u.registered).toEqual({ total: 0, collective: 0, individual: 0 });
      expect(u.conversion.districtRecognizedOfRegistered).toBeNull();
    }
    expect(r.stages[0].missing.map((m: { unitId: string }) => m.unitId).sort()).toEqual([...silent].sort());
    expect(r.stages[0].submitted).toBe(12);

    // The CSV's total line is the sum of its unit lines, column by column.
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(
      (await raw(`/campaigns/${campaignId}/report?format=csv`)).bytes,
    );
    const lines = csv.slice(1).trimEnd().split('\r\n').slice(1);
    const numbers = lines.map((l) => l.split(',').slice(1, 13).map(Number));
    expect(numbers.pop()).toEqual(numbers.reduce((a, b) => a.map((x, i) => x + b[i])));
  });
});
