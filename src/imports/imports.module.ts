import { Module } from '@nestjs/common';
import { NominationsModule } from '../nominations/nominations.module';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

/** Bulk registration: `POST /campaigns/:id/nominations/import` with a CSV file. */
@Module({
  imports: [NominationsModule],
  controllers: [ImportsController],
  providers: [ImportsService],
})
export class ImportsModule {}
