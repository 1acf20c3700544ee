import { ApiProperty } from '@nestjs/swagger';

export class ImportedRowDto {
  @ApiProperty({ description: 'Line of the file the row starts on (the header is line 1)', example: 2 })
  row!: number;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Tuyến đường tự quản xanh – sạch – đẹp' }) title!: string;
}

export class ImportResultDto {
  @ApiProperty({ description: 'Rows in the file, all of them now registered', example: 3 })
  imported!: number;
  @ApiProperty({ description: 'Registered by this import', example: 2 }) created!: number;
  @ApiProperty({ description: 'Registered before (the same row imported earlier)', example: 1 })
  alreadyPresent!: number;
  @ApiProperty({ type: [ImportedRowDto] }) nominations!: ImportedRowDto[];
}

export class ImportProblemDto {
  @ApiProperty({ description: 'Line of the file (the header is line 1)', example: 4 }) row!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The column as named in the header; null for the row (or the file) as a whole',
    example: 'field',
  })
  column!: string | null;
  @ApiProperty({ example: "'sports' is not a field; use one of economic, culture_society, …" })
  reason!: string;
}

export class ImportErrorDto {
  @ApiProperty({ example: 422 }) statusCode!: number;
  @ApiProperty({ example: 'Unprocessable Entity' }) error!: string;
  @ApiProperty({ example: '2 rows have errors; nothing was imported' }) message!: string;
  @ApiProperty({ type: [ImportProblemDto] }) errors!: ImportProblemDto[];
}
