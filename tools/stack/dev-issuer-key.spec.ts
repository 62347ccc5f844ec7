import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devIssuerKey } from './dev-issuer-key';

describe('devIssuerKey', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'dev-issuer-')), 'gateway', 'dev-issuer.pem');

  it('makes a P-256 key once, readable by its owner alone, and gives the same key at every start after', () => {
    const path = file();
    const first = devIssuerKey(path);
    const key = createPrivateKey(first);
    expect({ type: key.asymmetricKeyType, curve: key.asymmetricKeyDetails?.namedCurve }).toEqual({
      type: 'ec',
      curve: 'prime256v1',
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(devIssuerKey(path)).toBe(first);
  });

  it('gives each data folder its own key', () => {
    expect(devIssuerKey(file())).not.toBe(devIssuerKey(file()));
  });
});
