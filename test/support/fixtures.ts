import * as bcrypt from 'bcryptjs';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { campaignWorkflowId } from '../../src/domain/campaign';
import type { Role } from '../../src/domain/nomination';
import { demoCalendar } from '../../src/database/seed';
import type { Actor } from '../../src/contracts/nomination.messages';

export interface Org {
  provinceId: string;
  districtId: string;
  campaignId: string;
}

/** A province with one district and a campaign, made by each test for itself. */
export async function createOrg(ds: DataSource, name = 'Tỉnh Thử nghiệm'): Promise<Org> {
  const [province] = await ds.query(`INSERT INTO units (name, level) VALUES ($1, 'province') RETURNING id`, [
    name,
  ]);
  const [district] = await ds.query(
    `INSERT INTO units (name, level, parent_id) VALUES ('Huyện Đức Linh', 'district', $1) RETURNING id`,
    [province.id],
  );
  const now = new Date();
  const campaignId = randomUUID();
  await ds.query(
    `INSERT INTO campaigns (id, name, year, province_unit_id, calendar, registration_opens_at, workflow_id)
     VALUES ($1, 'Dân vận khéo', $2, $3, $4, $5, $6)`,
    [
      campaignId,
      now.getUTCFullYear(),
      province.id,
      JSON.stringify(demoCalendar(now)),
      now.toISOString(),
      campaignWorkflowId(campaignId),
    ],
  );
  return { provinceId: province.id, districtId: district.id, campaignId };
}

export async function createUser(
  ds: DataSource,
  u: {
    username: string;
    password?: string;
    displayName: string;
    role: Role;
    unitId: string;
    email?: string;
    active?: boolean;
  },
): Promise<Actor> {
  const hash = await bcrypt.hash(u.password ?? 'correct horse battery', 4);
  const [row] = await ds.query(
    `INSERT INTO users (username, password_hash, display_name, role, unit_id, email, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [u.username, hash, u.displayName, u.role, u.unitId, u.email ?? null, u.active ?? true],
  );
  return { userId: row.id, displayName: u.displayName, role: u.role, unitId: u.unitId };
}
