/** One dependency a service needs before it may take traffic. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<{ up: boolean; details?: Record<string, unknown> }>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
