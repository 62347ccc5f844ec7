import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PageQuery } from './page.query';

const problems = (query: Record<string, string>) =>
  validateSync(plainToInstance(PageQuery, query)).map((error) => error.property);

describe('PageQuery', () => {
  it.each(['10000000000000000000', '1e21', '-1', '1.5', 'abc'])(
    'refuses offset=%s, naming offset',
    (offset) => {
      expect(problems({ offset })).toEqual(['offset']);
    },
  );

  it('accepts ordinary paging', () => {
    expect(problems({ offset: '100', limit: '20' })).toEqual([]);
    expect(problems({})).toEqual([]);
  });
});
