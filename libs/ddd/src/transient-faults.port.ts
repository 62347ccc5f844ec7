/**
 * Waits out faults of the infrastructure that pass by themselves (the database restarting or
 * unreachable for a moment, a conflict lost to concurrent work) for work that is safe to repeat,
 * within a deadline. For a write that must not be given up at the first failure: one that records
 * what already happened elsewhere (money taken).
 */
export abstract class TransientFaults {
  /**
   * Runs `work`, again while it fails with such a fault, until `withinMs` has passed; then fails
   * as its last attempt did. Any other failure is thrown at once. `attempt` counts from 1.
   */
  abstract waitOut<T>(work: (attempt: number) => Promise<T>, withinMs: number): Promise<T>;
}
