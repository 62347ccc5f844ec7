import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { PAYMENTS_PATH, type ChargeRequestV1, type PaymentV1 } from '@storage/contracts';
import { DependencyUnavailableError, type Admission, type ResiliencePolicy } from '@storage/resilience';
import { internalCallHeaders } from '@storage/data-service';
import { PaymentUnavailableError } from '../../../domain';
import {
  PaymentGateway,
  type ChargeRequest,
  type ChargeResult,
  type PaymentSlot,
} from '../../../application/ports/payment-gateway.port';

export interface PaymentClientOptions {
  baseUrl: string;
  internalSecret?: string;
  policy: ResiliencePolicy;
  /** How long a refusal at the door may be repeated by the edge for every new booking (0: never). */
  edgeHoldMs: number;
}

/**
 * POST /payments through the shared resilience policy. The booking id is the idempotency key,
 * which is what makes the policy's retry safe: a repeated charge returns the first one.
 */
@Injectable()
export class PaymentHttpClient extends PaymentGateway {
  constructor(
    private readonly http: HttpService,
    private readonly options: PaymentClientOptions,
  ) {
    super();
  }

  async reserve(): Promise<PaymentSlot> {
    let admission: Admission;
    try {
      admission = await this.options.policy.admit();
    } catch (error) {
      throw error instanceof DependencyUnavailableError
        ? new PaymentUnavailableError(
            error.retryAfterSeconds,
            error.reason,
            this.options.edgeHoldMs > 0 ? this.options.edgeHoldMs : undefined,
          )
        : error;
    }
    return {
      // The slot limits calls to payment: it is free again as soon as the call ends.
      charge: (request) => this.charge(admission, request).finally(() => admission.release()),
      release: () => admission.release(),
    };
  }

  private async charge(admission: Admission, request: ChargeRequest): Promise<ChargeResult> {
    let payment: PaymentV1;
    try {
      // axiosRef, not HttpService's observable (see ServiceHttpModule).
      const response = await admission.execute((signal) =>
        this.http.axiosRef.post<PaymentV1>(
          `${this.options.baseUrl}${PAYMENTS_PATH}`,
          request satisfies ChargeRequestV1,
          { signal, headers: internalCallHeaders(this.options.internalSecret) },
        ),
      );
      payment = response.data;
    } catch (error) {
      if (error instanceof DependencyUnavailableError) {
        throw new PaymentUnavailableError(error.retryAfterSeconds, error.reason);
      }
      if (isAxiosError(error) && error.response && error.response.status < 500) {
        // Payment refused the request itself (e.g. a conflicting earlier charge): not accepted.
        const body = error.response.data as { error?: string } | undefined;
        return {
          outcome: 'declined',
          paymentId: null,
          reason: body?.error ?? `HTTP_${error.response.status}`,
        };
      }
      throw error;
    }
    if (payment.status === 'APPROVED') {
      return { outcome: 'approved', paymentId: payment.id };
    }
    return { outcome: 'declined', paymentId: payment.id, reason: payment.declineReason ?? payment.status };
  }
}
