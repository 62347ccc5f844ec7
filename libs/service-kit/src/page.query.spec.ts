import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PageQuery } from './page.query';

const validated = (query: Record<string, unknown>) => {
  const page = plainToInstance(PageQuery, query);
  return { page, errors: validateSync(page) };
};
const problems = (query: Record<string, unknown>) =>
  validated(query).errors.map((error) => [error.property, ...Object.values(error.constraints ?? {})]);

describe('PageQuery', () => {
  it.each(['10000000000000000000', '1e21', '-1', '1.5', 'abc', '0x10', ' 1', '1e2', '', '+1'])(
    'refuses offset=%j, naming offset and what it must be',
    (offset) => {
      expect(problems({ offset })).toEqual([
        ['offset', 'offset must be a whole number from 0 to 1000000, given once'],
      ]);
    },
  );

  it.each(['0', '201', '0x10', '2.0', 'ten'])('refuses limit=%j with one message', (limit) => {
    expect(problems({ limit })).toEqual([
      ['limit', 'limit must be a whole number from 1 to 200, given once'],
    ]);
  });

  it('refuses a parameter given twice', () => {
    expect(problems({ limit: ['1', '2'] })).toEqual([
      ['limit', 'limit must be a whole number from 1 to 200, given once'],
    ]);
  });

  it('reads plain decimal digits, and defaults what is left out', () => {
    expect(validated({ offset: '100', limit: '20' })).toMatchObject({
      page: { offset: 100, limit: 20 },
      errors: [],
    });
    expect(validated({ offset: '007', limit: '200' })).toMatchObject({
      page: { offset: 7, limit: 200 },
      errors: [],
    });
    expect(validated({})).toMatchObject({ page: { offset: 0, limit: 50 }, errors: [] });
  });
});
