/**
 * A message that can never succeed, however often it is retried (malformed JSON, a payload that
 * breaks its contract, an unsupported version). It goes to the dead-letter topic at once.
 */
export class PoisonMessageError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message);
    this.name = 'PoisonMessageError';
  }
}
