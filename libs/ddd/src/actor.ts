/**
 * Who acts: a customer (they see and change only what is theirs) or someone trusted to see
 * everything (staff, another service). Every use case that reads or changes a customer's data
 * takes one; the HTTP adapters make it from the verified identity (service-kit's CurrentActor).
 */
export type Actor = { kind: 'customer'; customerId: string } | { kind: 'trusted' };

export const TRUSTED: Actor = { kind: 'trusted' };

/**
 * Whether the actor may see data of `customerId` (another customer's data is "not found"); null
 * when the owner is not known yet (a read model that has not heard of the booking): trusted only.
 */
export function canSee(actor: Actor, customerId: string | null): boolean {
  return actor.kind === 'trusted' || actor.customerId === customerId;
}

/**
 * The customer a request is about: a customer's own id whatever they asked for; for a trusted
 * actor the one asked for (undefined: everyone's).
 */
export function customerScope(actor: Actor, requested?: string): string | undefined {
  return actor.kind === 'customer' ? actor.customerId : requested;
}
