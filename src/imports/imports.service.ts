import {
  ConflictException,
  HttpException,
  HttpStatus,
  Injectable,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CurrentUser } from '../auth/current-user';
import { uuidFromName } from '../common/idempotency';
import { registrationProblem } from '../domain/campaign';
import { nominationWorkflowId } from '../domain/nomination';
import { jsonLog } from '../logging/logger';
import { NominationsService } from '../nominations/nominations.service';
import { type BoundedOutcome, runBounded } from './bounded';
import { ImportsRepository } from './imports.repository';
import {
  checkImportRows,
  type ImportProblem,
  type ImportRow,
  parseImportCsv,
  rowErrorsMessage,
  UnitDirectory,
  type UnitEntry,
} from './import-csv';

/**
 * How many registrations run at once: enough that thousands of rows take minutes, not hours; few enough
 * that one import does not crowd out everyone else's requests to Temporal and the database.
 */
export const IMPORT_CONCURRENCY = 8;

export interface ImportedRow {
  row: number;
  id: string;
  title: string;
}

export interface ImportResult {
  imported: number;
  created: number;
  alreadyPresent: number;
  nominations: ImportedRow[];
}

/**
 * Registers many models from one CSV file: every row is checked before anything starts, and a file
 * with any bad row starts nothing. Each row's nomination id is derived from (campaign, unit, title,
 * nominee), so importing a file again, or a file repeating rows already imported, registers nothing twice.
 */
@Injectable()
export class ImportsService {
  private readonly repo: ImportsRepository;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly nominations: NominationsService,
  ) {
    this.repo = new ImportsRepository(dataSource);
  }

  async importCsv(user: CurrentUser, campaignId: string, file: Buffer): Promise<ImportResult> {
    const campaign = await this.nominations.campaignFor(user, campaignId);
    const closed = registrationProblem(campaign, Date.now());
    if (closed) throw new ConflictException(`campaignId: ${closed}`);

    const parsed = await parseImportCsv(file);
    if (!parsed.ok) throw invalidFile(parsed.problem.message, parsed.problem.errors);
    const { csv } = parsed;
    const directory = await this.unitDirectory(
      user,
      csv.rows.map((r) => r.values.unit),
    );
    const checked = checkImportRows(csv, directory);
    const districtOf = await this.registrationUnits(user, checked.rows);
    const errors = [...checked.errors];
    for (const row of checked.rows) {
      const d = districtOf.get(row.unitId)!;
      if ('reason' in d) errors.push({ row: row.line, column: csv.headers.unit, reason: d.reason });
    }
    if (errors.length) {
      errors.sort((a, b) => a.row - b.row);
      jsonLog('info', 'import refused', {
        component: 'imports',
        campaignId,
        userId: user.id,
        rows: csv.rows.length,
        rowsWithErrors: new Set(errors.map((e) => e.row)).size,
      });
      throw invalidFile(rowErrorsMessage(errors), errors);
    }

    const planned = checked.rows.map((row) => ({
      row,
      id: uuidFromName(`import:${campaignId}:${row.key}`),
    }));
    const existing = new Set(await this.repo.existingNominationIds(planned.map((p) => p.id)));
    const toStart = planned.filter((p) => !existing.has(p.id));
    jsonLog('info', 'import started', {
      component: 'imports',
      campaignId,
      userId: user.id,
      rows: planned.length,
      toCreate: toStart.length,
      alreadyPresent: existing.size,
    });

    const outcomes = await runBounded(toStart, IMPORT_CONCURRENCY, ({ row, id }) =>
      this.nominations
        .startRegistration(
          user,
          campaign,
          {
            campaignId,
            unitId: row.unitId,
            title: row.title,
            description: row.description,
            field: row.field,
            kind: row.kind,
            nomineeName: row.nomineeName,
            districtUnitId: (districtOf.get(row.unitId) as { districtUnitId: string }).districtUnitId,
          },
          id,
        )
        .catch((err: unknown) => {
          jsonLog('error', 'import: a registration failed to start', {
            component: 'imports',
            campaignId,
            row: row.line,
            nominationId: id,
            workflowId: nominationWorkflowId(id),
            err,
          });
          throw err;
        }),
    );

    const failure = outcomes.findIndex((o) => o.status === 'failed');
    if (failure >= 0) {
      const failed = new Map(
        outcomes.flatMap((o, i) => (o.status === 'failed' ? [[toStart[i].id, o.error] as const] : [])),
      );
      const notStarted = new Set(toStart.filter((_, i) => outcomes[i].status !== 'done').map((p) => p.id));
      const started = planned.filter((p) => !notStarted.has(p.id));
      const created = createdBy(outcomes);
      const alreadyPresent = started.length - created;
      const first = toStart[failure];
      const cause = failed.get(first.id);
      const reason = cause instanceof Error ? cause.message : String(cause);
      // A row the workflow refused (its data could not be recorded) is the file's fault: keep its 4xx.
      const status =
        cause instanceof HttpException && cause.getStatus() < 500
          ? cause.getStatus()
          : temporalUnavailable(cause)
            ? HttpStatus.SERVICE_UNAVAILABLE
            : HttpStatus.BAD_GATEWAY;
      jsonLog('error', 'import interrupted', {
        component: 'imports',
        campaignId,
        userId: user.id,
        rows: planned.length,
        created,
        alreadyPresent,
        notStarted: notStarted.size,
        failedRow: first.row.line,
        nominationId: first.id,
        workflowId: nominationWorkflowId(first.id),
        err: cause,
      });
      throw new HttpException(
        {
          message:
            `the import stopped: row ${first.row.line} could not be registered (${reason}); ` +
            `${started.length} of ${planned.length} rows are registered, ${notStarted.size} are not. ` +
            'Importing the same file again registers the rest and none twice',
          created,
          alreadyPresent,
          started: started.map(rowOf),
          notStarted: planned
            .filter((p) => notStarted.has(p.id))
            .map((p) => {
              const err = failed.get(p.id);
              return err === undefined
                ? rowOf(p)
                : { ...rowOf(p), reason: err instanceof Error ? err.message : String(err) };
            }),
        },
        status,
      );
    }

    // Rows another upload of the same file registered meanwhile were joined, not created, by this one.
    const created = createdBy(outcomes);
    const result: ImportResult = {
      imported: planned.length,
      created,
      alreadyPresent: planned.length - created,
      nominations: planned.map(rowOf),
    };
    jsonLog('info', 'import finished', {
      component: 'imports',
      campaignId,
      userId: user.id,
      rows: result.imported,
      created: result.created,
      alreadyPresent: result.alreadyPresent,
    });
    return result;
  }

  /**
   * The caller's units (their own and every one under it), to match the file's unit names against; the
   * names the file uses are folded by PostgreSQL exactly as `search_name` is.
   */
  private async unitDirectory(user: CurrentUser, values: string[]): Promise<UnitDirectory> {
    const units: UnitEntry[] = (await this.repo.unitsWithin(user.unitId)).map((u) => ({
      id: u.id,
      name: u.name,
      level: u.level,
      active: u.active,
      searchName: u.search_name,
      parentName: u.parent_name,
      parentSearchName: u.parent_search_name,
    }));
    const keys = [...new Set(values.filter((v) => v !== '').flatMap((v) => UnitDirectory.foldKeys(v)))];
    const folded = new Map((await this.repo.folded(keys)).map((r) => [r.k, r.f]));
    return new UnitDirectory(units, (s) => folded.get(s) ?? s);
  }

  /**
   * Each distinct unit of the file, checked by the same rule as a single registration (active,
   * district-level or grassroots): its district-level unit, or why it may not register.
   */
  private async registrationUnits(
    user: CurrentUser,
    rows: ImportRow[],
  ): Promise<Map<string, { districtUnitId: string } | { reason: string }>> {
    const unitIds = [...new Set(rows.map((r) => r.unitId))];
    const outcomes = await runBounded(unitIds, IMPORT_CONCURRENCY, (unitId) =>
      this.nominations.registrationUnit(user, unitId).then(
        (districtUnitId) => ({ districtUnitId }),
        (err: unknown) => {
          if (!(err instanceof UnprocessableEntityException)) throw err;
          return { reason: err.message.replace(/^unitId: /, '') };
        },
      ),
    );
    return new Map(
      unitIds.map((id, i) => {
        const o = outcomes[i];
        if (o.status === 'failed') throw o.error;
        if (o.status === 'not_started') throw new Error(`unit ${id} was not checked`);
        return [id, o.value];
      }),
    );
  }
}

const createdBy = (outcomes: BoundedOutcome<'started' | 'joined'>[]): number =>
  outcomes.filter((o) => o.status === 'done' && o.value === 'started').length;

const rowOf = (p: { row: ImportRow; id: string }): ImportedRow => ({
  row: p.row.line,
  id: p.id,
  title: p.row.title,
});

function invalidFile(message: string, errors: ImportProblem[]): UnprocessableEntityException {
  return new UnprocessableEntityException({ message, errors });
}

/** Temporal could not be reached (gRPC UNAVAILABLE or DEADLINE_EXCEEDED, or no connection at all). */
function temporalUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (code === 14 || code === 4 || name === 'ConnectionError') return true;
  }
  return false;
}
