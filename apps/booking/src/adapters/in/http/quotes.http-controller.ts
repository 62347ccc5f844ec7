import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { CURRENCY, UNIT_SIZES } from '@storage/contracts';
import type { UnitSize } from '../../../domain';
import { QueryQuotesHandler } from '../../../application/query-quotes/query-quotes.handler';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class QuoteQuery {
  @ApiProperty({ enum: UNIT_SIZES })
  @IsIn(UNIT_SIZES)
  size!: UnitSize;

  @ApiProperty({ example: '2030-01-01' })
  @Matches(DATE, { message: 'startDate must be YYYY-MM-DD' })
  startDate!: string;

  @ApiProperty({ example: '2030-01-31' })
  @Matches(DATE, { message: 'endDate must be YYYY-MM-DD' })
  endDate!: string;
}

export class QuoteResponse {
  @ApiProperty({ enum: UNIT_SIZES }) size!: UnitSize;
  @ApiProperty() startDate!: string;
  @ApiProperty() endDate!: string;
  @ApiProperty() days!: number;
  @ApiProperty({ description: 'KRW per day' }) dailyRate!: number;
  @ApiProperty({ description: 'KRW' }) amount!: number;
  @ApiProperty({ example: CURRENCY }) currency!: string;
}

@ApiTags('bookings')
@Controller('quotes')
export class QuotesHttpController {
  constructor(private readonly quotes: QueryQuotesHandler) {}

  @Get()
  @ApiOperation({ summary: 'Price of a booking before placing it (same rules, nothing reserved)' })
  @ApiResponse({ status: 200, type: QuoteResponse })
  @ApiResponse({ status: 422, description: 'Start in the past, too long, or size not offered' })
  async get(@Query() query: QuoteQuery): Promise<QuoteResponse> {
    return { ...(await this.quotes.quote(query.size, query.startDate, query.endDate)), currency: CURRENCY };
  }
}
