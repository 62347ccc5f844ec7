/**
 * What a service behind the gateway adds to service-kit: its own database and Kafka consumer
 * (DataServiceModule, runDataService) and calls to the other services (ServiceHttpModule). Kept
 * apart from service-kit so that the gateway, which has neither, loads no ORM, database driver,
 * broker client nor axios.
 */
export * from './booking-status.http-client';
export * from './data-service.module';
export * from './internal-call-headers';
export * from './retrying-transient-faults';
export * from './run-data-service';
export * from './service-http.module';
