/** The safety code: long enough that a server in the middle cannot find a matching pair. */
import { expect } from '@open-wc/testing';
import { SAFETY_CODE_DIGITS, safetyCode } from '../../src/engine/safety-code.js';

describe('safetyCode', () => {
  const a = { local: 'sha-256 AA:01', remote: 'sha-256 BB:02' };

  it('has at least 80 bits, in five groups of five digits', () => {
    const code = safetyCode(a);
    expect(code).to.match(/^\d{5}( \d{5}){4}$/);
    expect(SAFETY_CODE_DIGITS * Math.log2(10)).to.be.at.least(80);
  });

  it('is the same on both ends, and differs when either fingerprint does', () => {
    expect(safetyCode({ local: a.remote, remote: a.local })).to.equal(safetyCode(a));
    expect(safetyCode({ local: a.local, remote: 'sha-256 BB:03' })).to.not.equal(safetyCode(a));
    expect(safetyCode(null)).to.equal('');
  });
});
