import { Body, Controller, Get, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PAYMENTS_PATH } from '@storage/contracts';
import type { Actor } from '@storage/ddd';
import { CurrentActor, UuidParam } from '@storage/service-kit';
import { AuthorizePaymentCommand } from '../../../application/authorize-payment/authorize-payment.command';
import { AuthorizePaymentHandler } from '../../../application/authorize-payment/authorize-payment.handler';
import { QueryPaymentsHandler } from '../../../application/query-payments/query-payments.handler';
import { CreatePaymentRequest, ListPaymentsQuery, PaymentResponse } from './payment.dto';

@ApiTags('payments')
@Controller(PAYMENTS_PATH)
export class PaymentsHttpController {
  constructor(
    private readonly authorize: AuthorizePaymentHandler,
    private readonly queries: QueryPaymentsHandler,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Charge a booking (idempotent on bookingId); a decline is a normal outcome' })
  @ApiResponse({ status: 201, type: PaymentResponse, description: 'New payment (APPROVED or DECLINED)' })
  @ApiResponse({ status: 200, type: PaymentResponse, description: 'This booking was already charged' })
  @ApiResponse({ status: 409, description: 'Same booking, different amount' })
  @ApiResponse({ status: 503, description: 'Provider unavailable; retry with the same bookingId' })
  async create(
    @Body() body: CreatePaymentRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PaymentResponse> {
    const { payment, created } = await this.authorize.execute(
      new AuthorizePaymentCommand(body.bookingId, body.customerId, body.amount, body.method),
    );
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return PaymentResponse.from(payment);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One payment' })
  @ApiResponse({ status: 200, type: PaymentResponse })
  @ApiResponse({ status: 404, description: 'Unknown, or another customer’s' })
  async byId(@UuidParam('id') id: string, @CurrentActor() actor: Actor): Promise<PaymentResponse> {
    return PaymentResponse.from(await this.queries.byId(id, actor));
  }

  @Get()
  @ApiOperation({
    summary: 'Payments, newest first, by booking or customer (a customer sees only their own)',
  })
  @ApiResponse({ status: 200, type: [PaymentResponse] })
  async list(@Query() query: ListPaymentsQuery, @CurrentActor() actor: Actor): Promise<PaymentResponse[]> {
    return (await this.queries.list(query, actor)).map((payment) => PaymentResponse.from(payment));
  }
}
