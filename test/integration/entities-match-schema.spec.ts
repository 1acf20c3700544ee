import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The entities describe the schema the migrations build: every table has one, and each entity's columns
 * are the table's, with the same type and nullability. SQL lives in repositories, but this is what keeps
 * the entity list honest for the next migration.
 */
const SYNONYMS: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  bigint: 'int8',
  boolean: 'bool',
  'timestamp with time zone': 'timestamptz',
};
const udt = (t: string) => SYNONYMS[t] ?? t;

describe('entities match the migrated schema', () => {
  let db: TestDatabase;
  let tables: Map<string, Map<string, { type: string; nullable: boolean }>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const rows: { table_name: string; column_name: string; udt_name: string; is_nullable: string }[] =
      await db.dataSource.query(
        `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> 'migrations'`,
      );
    tables = new Map();
    for (const r of rows) {
      const t = tables.get(r.table_name) ?? new Map();
      t.set(r.column_name, { type: r.udt_name, nullable: r.is_nullable === 'YES' });
      tables.set(r.table_name, t);
    }
  });
  afterAll(() => db?.drop());

  it('every table has an entity', () => {
    const mapped = new Set(db.dataSource.entityMetadatas.map((m) => m.tableName));
    expect([...tables.keys()].filter((t) => !mapped.has(t)).sort()).toEqual([]);
  });

  it("every entity's columns are its table's, with the same type and nullability", () => {
    const problems: string[] = [];
    for (const m of db.dataSource.entityMetadatas) {
      const table = tables.get(m.tableName);
      if (!table) {
        problems.push(`${m.tableName}: no such table`);
        continue;
      }
      const seen = new Set<string>();
      for (const c of m.columns) {
        seen.add(c.databaseName);
        const actual = table.get(c.databaseName);
        const declared = typeof c.type === 'string' ? udt(c.type) : String(c.type);
        if (!actual) problems.push(`${m.tableName}.${c.databaseName}: no such column`);
        else if (actual.type !== declared) {
          problems.push(
            `${m.tableName}.${c.databaseName}: ${declared} in the entity, ${actual.type} in the table`,
          );
        } else if (actual.nullable !== c.isNullable) {
          problems.push(
            `${m.tableName}.${c.databaseName}: nullable ${c.isNullable} in the entity, ${actual.nullable} in the table`,
          );
        }
      }
      for (const name of table.keys())
        if (!seen.has(name)) problems.push(`${m.tableName}.${name}: not in the entity`);
    }
    expect(problems).toEqual([]);
  });
});
