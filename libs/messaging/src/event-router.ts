import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { EventEnvelopeDto, type EventDefinition, type EventEnvelope } from '@storage/contracts';
import { PoisonMessageError } from './event-errors';

type Handler<T> = (payload: T, envelope: EventEnvelope<T>) => Promise<void>;

export type DispatchOutcome = 'handled' | 'ignored';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flatten(error.children ?? [], `${path}.`)];
  });
}

async function validated<T extends object>(type: new () => T, plain: unknown, what: string): Promise<T> {
  const instance = plainToInstance(type, plain);
  const errors = await validate(instance, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new PoisonMessageError(`Invalid ${what}`, flatten(errors));
  }
  return instance;
}

/**
 * Validates what arrives on a topic against the publisher's contract and hands it to the use case
 * registered for its type. Types this consumer has no interest in are acknowledged and skipped;
 * anything malformed, or a known type in a version it cannot read, is poison.
 */
export class EventRouter {
  private readonly routes = new Map<
    string,
    Map<number, { definition: EventDefinition; handler: Handler<never> }>
  >();

  on<T extends object>(definition: EventDefinition<T>, handler: Handler<T>): this {
    const versions =
      this.routes.get(definition.type) ??
      new Map<number, { definition: EventDefinition; handler: Handler<never> }>();
    versions.set(definition.version, { definition, handler: handler });
    this.routes.set(definition.type, versions);
    return this;
  }

  async dispatch(message: unknown): Promise<DispatchOutcome> {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw new PoisonMessageError('Message is not a JSON event envelope');
    }
    const envelope = await validated(EventEnvelopeDto, message, 'event envelope');
    const versions = this.routes.get(envelope.type);
    if (!versions) {
      return 'ignored';
    }
    const route = versions.get(envelope.version);
    if (!route) {
      throw new PoisonMessageError(
        `Unsupported version ${envelope.version} of ${envelope.type} (readable: ${[...versions.keys()].join(', ')})`,
      );
    }
    const payload = await validated(route.definition.payload, envelope.payload, `${envelope.type} payload`);
    await route.handler(payload as never, { ...envelope, payload } as never);
    return 'handled';
  }
}
