import * as bcrypt from 'bcryptjs';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Calendar } from '../domain/calendar';
import { campaignWorkflowId } from '../domain/campaign';
import type { AppConfig } from '../config/config';
import { type Role, STAGES } from '../domain/nomination';
import { ROLE_LABELS } from '../domain/vocabulary';
import { SeedRepository } from './seed.repository';

export const DEMO_PROVINCE = 'Tỉnh Bình Thuận';
/**
 * Binh Thuan's 14 district-level units (10 districts and towns, 4 party committees directly under the
 * province), each with a few of its grassroots units.
 */
export const DEMO_UNITS: Record<string, string[]> = {
  'Thành phố Phan Thiết': ['Phường Phú Thủy', 'Phường Đức Nghĩa', 'Xã Tiến Lợi'],
  'Thị xã La Gi': ['Phường Phước Hội', 'Xã Tân Bình', 'Xã Tân Tiến'],
  'Huyện Tuy Phong': ['Thị trấn Liên Hương', 'Xã Vĩnh Hảo', 'Xã Chí Công'],
  'Huyện Bắc Bình': ['Thị trấn Chợ Lầu', 'Xã Hòa Thắng', 'Xã Phan Rí Thành'],
  'Huyện Hàm Thuận Bắc': ['Thị trấn Ma Lâm', 'Xã Hàm Trí', 'Xã Thuận Minh'],
  'Huyện Hàm Thuận Nam': ['Thị trấn Thuận Nam', 'Xã Tân Lập', 'Xã Hàm Minh'],
  'Huyện Hàm Tân': ['Thị trấn Tân Nghĩa', 'Xã Sơn Mỹ', 'Xã Tân Thắng'],
  'Huyện Đức Linh': ['Thị trấn Võ Xu', 'Thị trấn Đức Tài', 'Xã Nam Chính'],
  'Huyện Tánh Linh': ['Thị trấn Lạc Tánh', 'Xã Gia An', 'Xã Đức Thuận'],
  'Huyện Phú Quý': ['Xã Long Hải', 'Xã Ngũ Phụng', 'Xã Tam Thanh'],
  'Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh': ['Đảng bộ Sở Y tế', 'Đảng bộ Cục Thuế tỉnh'],
  'Đảng ủy Quân sự tỉnh': ['Đảng bộ Bộ Chỉ huy Quân sự tỉnh', 'Chi bộ Ban Chỉ huy Quân sự huyện Đức Linh'],
  'Đảng ủy Công an tỉnh': ['Đảng bộ Phòng Cảnh sát giao thông', 'Chi bộ Công an xã Hàm Tiến'],
  'Đảng ủy Bộ đội Biên phòng tỉnh': [
    'Đảng bộ Đồn Biên phòng Phan Thiết',
    'Đảng bộ Đồn Biên phòng Liên Hương',
  ],
};
export const DEMO_DISTRICT_UNITS = Object.keys(DEMO_UNITS);

/** One demo user per role below the administrator; all share DEMO_PASSWORD. */
export const DEMO_USERS: { username: string; displayName: string; role: Role; unit: string }[] = [
  { username: 'demo.submitter', displayName: 'Trần Thị Hoa', role: 'submitter', unit: 'Thị trấn Võ Xu' },
  {
    username: 'demo.district',
    displayName: 'Nguyễn Văn Bình',
    role: 'district_reviewer',
    unit: 'Huyện Đức Linh',
  },
  {
    username: 'demo.province',
    displayName: 'Lê Thị Thu',
    role: 'provincial_reviewer',
    unit: DEMO_PROVINCE,
  },
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
 * On an empty database (no users yet): the province and its first administrator from ADMIN_USERNAME /
 * ADMIN_PASSWORD; with demo data (DEMO_DATA, on by default outside production) also its district-level
 * and grassroots units, a campaign for the current year, and one demo user per role.
 */
export async function seedIfEmpty(ds: DataSource, config: AppConfig, now = new Date()): Promise<SeedResult> {
  return new SeedRepository(ds).transaction(async (db) => {
    await db.lockUsers();
    if ((await db.countUsers()) > 0) return { seeded: false };

    const provinceId = await db.insertProvince(DEMO_PROVINCE);
    const unitIds = new Map<string, string>([[DEMO_PROVINCE, provinceId]]);
    const addUnit = async (name: string, level: string, parentId: string) => {
      unitIds.set(name, await db.insertUnit(name, level, parentId));
    };
    if (config.demo.enabled) {
      for (const [district, grassroots] of Object.entries(DEMO_UNITS)) {
        await addUnit(district, 'district', provinceId);
        for (const name of grassroots) await addUnit(name, 'grassroots', unitIds.get(district)!);
      }
    }
    const year = now.getUTCFullYear();
    const campaignId = config.demo.enabled ? randomUUID() : undefined;
    if (campaignId) {
      await db.insertCampaign({
        id: campaignId,
        name: `Dân vận khéo ${year}`,
        year,
        provinceUnitId: provinceId,
        calendar: JSON.stringify(demoCalendar(now)),
        registrationOpensAt: now.toISOString(),
        workflowId: campaignWorkflowId(campaignId),
      });
    }
    await db.insertAdmin({
      username: config.admin.username,
      passwordHash: await bcrypt.hash(config.admin.password, 10),
      displayName: ROLE_LABELS.admin.vi,
      unitId: provinceId,
    });
    if (config.demo.enabled) {
      const hash = await bcrypt.hash(config.demo.password, 10);
      for (const u of DEMO_USERS) {
        await db.insertUser({
          username: u.username,
          passwordHash: hash,
          displayName: u.displayName,
          role: u.role,
          unitId: unitIds.get(u.unit),
        });
      }
    }
    return { seeded: true, provinceUnitId: provinceId, campaignId };
  });
}
