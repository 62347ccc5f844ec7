import { applyDecorators, Catch, Controller, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter replaces any error with a generic "Internal server error"; the
 * KafkaEventServer needs the original to tell poison from transient failures.
 */
@Catch()
export class RethrowRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** Marks a class holding @EventPattern handlers whose errors reach KafkaEventServer intact. */
export function KafkaConsumer(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(RethrowRpcExceptionFilter));
}
