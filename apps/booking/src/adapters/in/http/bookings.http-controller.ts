import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { customerScope, type Actor } from '@storage/ddd';
import { CurrentActor, UuidParam } from '@storage/service-kit';
import { CancelBookingHandler } from '../../../application/cancel-booking/cancel-booking.handler';
import { CheckOutBookingHandler } from '../../../application/check-out-booking/check-out-booking.handler';
import { PlaceBookingCommand } from '../../../application/place-booking/place-booking.command';
import { PlaceBookingHandler } from '../../../application/place-booking/place-booking.handler';
import { QueryBookingsHandler } from '../../../application/query-bookings/query-bookings.handler';
import { BookingResponse, ListBookingsQuery, PlaceBookingRequest } from './booking.dto';
import { CancelBookingCommand } from '../../../application/cancel-booking/cancel-booking.command';
import { CheckOutBookingCommand } from '../../../application/check-out-booking/check-out-booking.command';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,200}$/;

@ApiTags('bookings')
@Controller('bookings')
export class BookingsHttpController {
  constructor(
    private readonly place: PlaceBookingHandler,
    private readonly cancel: CancelBookingHandler,
    private readonly checkOut: CheckOutBookingHandler,
    private readonly queries: QueryBookingsHandler,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Book a unit size for a period; pays synchronously' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key, same booking; never a second charge',
  })
  @ApiResponse({
    status: 201,
    type: BookingResponse,
    description: 'Paid and accepted; the unit is assigned shortly',
  })
  @ApiResponse({
    status: 200,
    type: BookingResponse,
    description: 'Replay of an earlier request with this key',
  })
  @ApiResponse({ status: 400, description: 'Invalid input (the message names the field)' })
  @ApiResponse({ status: 402, description: 'Payment declined; nothing accepted' })
  @ApiResponse({
    status: 409,
    description:
      'No unit free for the period, or the same key is in flight (Retry-After: 1, then its answer)',
  })
  @ApiResponse({ status: 422, description: 'Start in the past, too long, or size not offered' })
  @ApiResponse({ status: 503, description: 'Payment busy; nothing charged. Retry-After says when to retry' })
  async create(
    @Body() body: PlaceBookingRequest,
    @CurrentActor() actor: Actor,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BookingResponse> {
    // Through the gateway the customer is the token's subject, whatever the body says.
    const customerId = customerScope(actor, body.customerId);
    if (!customerId) {
      throw new BadRequestException({ error: 'VALIDATION_FAILED', message: 'customerId: required' });
    }
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException({
        error: 'VALIDATION_FAILED',
        message: 'Idempotency-Key: 8-200 characters of letters, digits and _ . : -',
      });
    }
    const { booking, created } = await this.place.execute(
      new PlaceBookingCommand(
        customerId,
        body.size,
        body.startDate,
        body.endDate,
        body.paymentMethod ?? 'card',
        idempotencyKey ?? null,
      ),
    );
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return BookingResponse.from(booking);
  }

  @Get(':id')
  @ApiResponse({ status: 200, type: BookingResponse })
  @ApiResponse({ status: 404, description: 'Unknown, or another customer’s' })
  async byId(@UuidParam('id') id: string, @CurrentActor() actor: Actor): Promise<BookingResponse> {
    return BookingResponse.from(await this.queries.byId(id, actor));
  }

  @Get()
  @ApiOperation({ summary: 'Bookings, newest first (a customer sees only their own)' })
  @ApiResponse({ status: 200, type: [BookingResponse] })
  async list(@Query() query: ListBookingsQuery, @CurrentActor() actor: Actor): Promise<BookingResponse[]> {
    const bookings = await this.queries.list(query, actor);
    return bookings.map((booking) => BookingResponse.from(booking));
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel before the start date: unit released, payment refunded' })
  @ApiResponse({ status: 200, type: BookingResponse })
  @ApiResponse({ status: 409, description: 'Not cancellable now (the message says why)' })
  async cancelBooking(@UuidParam('id') id: string, @CurrentActor() actor: Actor): Promise<BookingResponse> {
    return BookingResponse.from(await this.cancel.execute(new CancelBookingCommand(id, actor)));
  }

  @Post(':id/check-out')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'End the rental: COMPLETED, the unit goes to inspection' })
  @ApiResponse({ status: 200, type: BookingResponse })
  @ApiResponse({ status: 409, description: 'Not confirmed, or the rental has not started' })
  async checkOutBooking(@UuidParam('id') id: string, @CurrentActor() actor: Actor): Promise<BookingResponse> {
    return BookingResponse.from(await this.checkOut.execute(new CheckOutBookingCommand(id, actor)));
  }
}
