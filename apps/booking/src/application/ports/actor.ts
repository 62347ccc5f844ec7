/** Who acts: a customer (data scoped to them) or someone trusted to see everything (staff, internal). */
export type Actor = { kind: 'customer'; customerId: string } | { kind: 'trusted' };

export function canSee(actor: Actor, customerId: string): boolean {
  return actor.kind === 'trusted' || actor.customerId === customerId;
}
