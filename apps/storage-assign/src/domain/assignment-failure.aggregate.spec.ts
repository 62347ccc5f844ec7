import { AssignmentFailure } from './assignment-failure.aggregate';

describe('AssignmentFailure', () => {
  it('raises StorageAssignmentFailed for the booking when reported, once per report', () => {
    const failure = AssignmentFailure.report({ bookingId: 'b-1', size: 'M', reason: 'NO_UNIT_AVAILABLE' });
    expect(failure.pullEvents()).toEqual([
      { type: 'StorageAssignmentFailed', bookingId: 'b-1', size: 'M', reason: 'NO_UNIT_AVAILABLE' },
    ]);
    expect(failure.pullEvents()).toEqual([]);
  });
});
