import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '@storage/service-kit';
import { ChangeUnitStatusHandler } from '../../../application/change-unit-status/change-unit-status.handler';
import { QueryUnitsHandler } from '../../../application/query-units/query-units.handler';
import { RegisterUnitHandler } from '../../../application/register-unit/register-unit.handler';
import { RetireUnitHandler } from '../../../application/retire-unit/retire-unit.handler';
import {
  ChangeUnitStatusRequest,
  ListUnitsQuery,
  RegisterUnitRequest,
  RetirementResponse,
  StorageUnitResponse,
} from './storage-unit.dto';
import { ChangeUnitStatusCommand } from '../../../application/change-unit-status/change-unit-status.command';
import { RegisterUnitCommand } from '../../../application/register-unit/register-unit.command';
import { RetireUnitCommand } from '../../../application/retire-unit/retire-unit.command';

/** Staff inventory management (the gateway allows writes to the staff role only). */
@ApiTags('storage-units')
@Controller('storage-units')
export class StorageUnitsHttpController {
  constructor(
    private readonly register: RegisterUnitHandler,
    private readonly changeStatus: ChangeUnitStatusHandler,
    private readonly retire: RetireUnitHandler,
    private readonly queries: QueryUnitsHandler,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a unit (AVAILABLE at once)' })
  @ApiResponse({ status: 201, type: StorageUnitResponse })
  @ApiResponse({ status: 409, description: 'Code already taken' })
  async create(@Body() body: RegisterUnitRequest): Promise<StorageUnitResponse> {
    return StorageUnitResponse.from(
      await this.register.execute(new RegisterUnitCommand(body.code, body.size, body.dailyRate)),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Units, by code' })
  @ApiResponse({ status: 200, type: [StorageUnitResponse] })
  async list(@Query() query: ListUnitsQuery): Promise<StorageUnitResponse[]> {
    return (await this.queries.list(query)).map((unit) => StorageUnitResponse.from(unit));
  }

  @Get(':id')
  @ApiResponse({ status: 200, type: StorageUnitResponse })
  async byId(@UuidParam('id') id: string): Promise<StorageUnitResponse> {
    return StorageUnitResponse.from(await this.queries.byId(id));
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Put a unit under maintenance (open-ended or until a day), or back in service (also after inspection)',
  })
  @ApiResponse({ status: 200, type: StorageUnitResponse })
  @ApiResponse({ status: 409, description: 'Not allowed from the current status (e.g. RETIRED)' })
  @ApiResponse({ status: 422, description: 'The maintenance window does not end after today' })
  async update(
    @UuidParam('id') id: string,
    @Body() body: ChangeUnitStatusRequest,
  ): Promise<StorageUnitResponse> {
    return StorageUnitResponse.from(
      await this.changeStatus.execute(new ChangeUnitStatusCommand(id, body.status, body.until ?? null)),
    );
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Retire a unit: its bookings move to another free unit, or are cancelled and refunded',
  })
  @ApiResponse({ status: 200, type: RetirementResponse })
  async remove(@UuidParam('id') id: string): Promise<RetirementResponse> {
    return this.retire.execute(new RetireUnitCommand(id));
  }
}
