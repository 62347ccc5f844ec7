import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@storage/ddd';
import { CurrentActor, UuidParam } from '@storage/service-kit';
import type { BookingView } from '../../../domain';
import { QueryMypageHandler } from '../../../application/query-mypage/query-mypage.handler';
import { BookingDetailResponse, BookingViewResponse, MypageListQuery, NoticeResponse } from './mypage.dto';

function present<T extends BookingView>(view: T): Omit<T, 'unitChangedAt'> {
  const { unitChangedAt: _internal, ...visible } = view;
  return visible;
}

/** The customer's own page: read from this service's materialized views only (CQRS). */
@ApiTags('mypage')
@Controller('mypage')
export class MypageHttpController {
  constructor(private readonly queries: QueryMypageHandler) {}

  @Get('bookings')
  @ApiOperation({ summary: 'My bookings with status, payment and unit, most recent activity first' })
  @ApiResponse({ status: 200, type: [BookingViewResponse] })
  async bookings(
    @Query() query: MypageListQuery,
    @CurrentActor() actor: Actor,
  ): Promise<BookingViewResponse[]> {
    const views = await this.queries.bookings(query, actor);
    return views.map(present);
  }

  @Get('bookings/:id')
  @ApiOperation({ summary: 'One booking with its full timeline' })
  @ApiResponse({ status: 200, type: BookingDetailResponse })
  async booking(@UuidParam('id') id: string, @CurrentActor() actor: Actor): Promise<BookingDetailResponse> {
    return present(await this.queries.booking(id, actor));
  }

  @Get('notices')
  @ApiOperation({ summary: 'Notices, one per status change, newest first' })
  @ApiResponse({ status: 200, type: [NoticeResponse] })
  notices(@Query() query: MypageListQuery, @CurrentActor() actor: Actor): Promise<NoticeResponse[]> {
    return this.queries.notices(query, actor);
  }
}
