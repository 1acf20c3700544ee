import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UNIT_LEVELS, Unit } from './unit.entity';

export class UnitNodeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Huyện Hàm Thuận Bắc' }) name!: string;
  @ApiProperty({ enum: UNIT_LEVELS }) level!: string;
  @ApiProperty({ format: 'uuid', nullable: true }) parentId!: string | null;
  @ApiProperty({ type: () => [UnitNodeDto] }) children!: UnitNodeDto[];
}

/** Read-only for now: the organisation tree, roots first, children sorted by name. */
@ApiTags('units')
@ApiBearerAuth()
@Controller('units')
export class UnitsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @ApiOkResponse({ type: [UnitNodeDto] })
  async tree(): Promise<UnitNodeDto[]> {
    const units = await this.dataSource.getRepository(Unit).find({ order: { name: 'ASC' } });
    const nodes = new Map(
      units.map((u) => [
        u.id,
        { id: u.id, name: u.name, level: u.level, parentId: u.parentId, children: [] as UnitNodeDto[] },
      ]),
    );
    const roots: UnitNodeDto[] = [];
    for (const node of nodes.values()) {
      const parent = node.parentId ? nodes.get(node.parentId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }
}
