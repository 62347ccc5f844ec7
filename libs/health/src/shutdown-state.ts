/** Flipped on SIGTERM so readiness fails first and load balancers stop sending traffic. */
export class ShutdownState {
  private draining = false;

  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
