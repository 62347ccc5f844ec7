export * from './booking-view';
export * from './booking-view.projection';
export * from './tracked-event';
export * from './mypage.errors';
