import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AVAILABILITY_PATH } from '@storage/contracts';
import { QueryUnitsHandler } from '../../../application/query-units/query-units.handler';
import { AvailabilityQuery, AvailabilityResponse } from './storage-unit.dto';

@ApiTags('availability')
@Controller(AVAILABILITY_PATH)
export class AvailabilityHttpController {
  constructor(private readonly queries: QueryUnitsHandler) {}

  @Get()
  @ApiOperation({ summary: 'Free units and price per size for a period [from, to)' })
  @ApiResponse({ status: 200, type: AvailabilityResponse })
  availability(@Query() query: AvailabilityQuery): Promise<AvailabilityResponse> {
    return this.queries.availability(query.from, query.to, query.size);
  }
}
