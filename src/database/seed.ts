import * as bcrypt from 'bcryptjs';
import type { DataSource } from 'typeorm';
import type { Calendar } from '../domain/calendar';
import type { AppConfig } from '../config/config';
import { STAGES } from '../domain/nomination';

export const DEMO_PROVINCE = 'Tỉnh Bình Thuận';
/** Binh Thuan's 14 district-level units: 10 districts and towns, 4 party committees under the province. */
export const DEMO_DISTRICT_UNITS = [
  'Thành phố Phan Thiết',
  'Thị xã La Gi',
  'Huyện Tuy Phong',
  'Huyện Bắc Bình',
  'Huyện Hàm Thuận Bắc',
  'Huyện Hàm Thuận Nam',
  'Huyện Hàm Tân',
  'Huyện Đức Linh',
  'Huyện Tánh Linh',
  'Huyện Phú Quý',
  'Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh',
  'Đảng ủy Quân sự tỉnh',
  'Đảng ủy Công an tỉnh',
  'Đảng ủy Bộ đội Biên phòng tỉnh',
];

const DAY_MS = 24 * 3600 * 1000;

/** A demo round that opens today: each stage due some weeks after the previous one, cut off 5 days later. */
export function demoCalendar(opensAt: Date): Calendar {
  const stages = {} as Calendar['stages'];
  STAGES.forEach((stage, i) => {
    const due = new Date(opensAt.getTime() + (30 + 20 * i) * DAY_MS);
    stages[stage] = {
      dueAt: due.toISOString(),
      cutoffAt: new Date(due.getTime() + 5 * DAY_MS).toISOString(),
    };
  });
  return { stages, reminderOffsetsHours: [72, 24], revisionWindowHours: 168 };
}

export interface SeedResult {
  seeded: boolean;
  provinceUnitId?: string;
  campaignId?: string;
}

/**
 * On an empty database (no users yet): the first administrator from ADMIN_USERNAME / ADMIN_PASSWORD,
 * a demo province with its district-level units, and a campaign for the current year.
 */
export async function seedIfEmpty(ds: DataSource, config: AppConfig, now = new Date()): Promise<SeedResult> {
  return ds.transaction(async (m) => {
    // Serialises two processes seeding the same empty database at once.
    await m.query('LOCK TABLE users IN EXCLUSIVE MODE');
    const [{ count }] = await m.query('SELECT count(*)::int AS count FROM users');
    if (count > 0) return { seeded: false };

    const [province] = await m.query(`INSERT INTO units (name, level) VALUES ($1, 'province') RETURNING id`, [
      DEMO_PROVINCE,
    ]);
    for (const name of DEMO_DISTRICT_UNITS) {
      await m.query(`INSERT INTO units (name, level, parent_id) VALUES ($1, 'district', $2)`, [
        name,
        province.id,
      ]);
    }
    const year = now.getUTCFullYear();
    const [campaign] = await m.query(
      `INSERT INTO campaigns (name, year, province_unit_id, calendar, registration_opens_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [`Dân vận khéo ${year}`, year, province.id, JSON.stringify(demoCalendar(now)), now.toISOString()],
    );
    await m.query(
      `INSERT INTO users (username, password_hash, display_name, role, unit_id) VALUES ($1, $2, $3, 'admin', $4)`,
      [config.admin.username, await bcrypt.hash(config.admin.password, 10), 'Quản trị viên', province.id],
    );
    return { seeded: true, provinceUnitId: province.id, campaignId: campaign.id };
  });
}
