import { http, type HttpResult } from './http';
import { uniqueCode, uniquePeriod } from './rental-api';
import { waitFor } from './wait-for';

/**
 * The system as a client meets it: the gateway's dev issuer for tokens, `/api/*` calls with them.
 * Tokens are kept by a short name (`as('alice')` gives that caller's headers).
 */
export class GatewayClient {
  private readonly tokens = new Map<string, string>();

  constructor(readonly gatewayUrl: string) {}

  get api(): string {
    return `${this.gatewayUrl}/api`;
  }

  /** Mints a token at the dev issuer and keeps it under `who`. */
  async login(who: string, subject: string, role: 'customer' | 'staff'): Promise<string> {
    const response = await http<{ accessToken: string }>('POST', `${this.gatewayUrl}/auth/token`, {
      body: { subject, role },
    });
    if (response.status !== 200) {
      throw new Error(`POST /auth/token answered ${response.status}`);
    }
    this.tokens.set(who, response.body.accessToken);
    return response.body.accessToken;
  }

  /** The headers of a call as `who` (after login), plus any extra. */
  as(who: string, extra: Record<string, string> = {}): Record<string, string> {
    const token = this.tokens.get(who);
    if (!token) {
      throw new Error(`${who} has not logged in`);
    }
    return { authorization: `Bearer ${token}`, ...extra };
  }

  /** Registers a unit as `staff` and waits until booking prices its size (a quote answers). */
  async registerPricedUnit(staff: string, size: 'S' | 'M' | 'L', dailyRate: number): Promise<void> {
    const unit = await http('POST', `${this.api}/storage-units`, {
      body: { code: uniqueCode(`U${size}`), size, dailyRate },
      headers: this.as(staff),
    });
    if (unit.status !== 201) {
      throw new Error(`registering a unit answered ${unit.status}`);
    }
    await waitFor(
      `size ${size} to be priced`,
      () => http('GET', `${this.api}/quotes?size=${size}&${new URLSearchParams(uniquePeriod(1)).toString()}`),
      (response: HttpResult) => response.status === 200,
    );
  }
}
