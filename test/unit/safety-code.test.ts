/** The safety code: long enough that a server in the middle cannot find a matching pair. */
import { expect } from '@open-wc/testing';
import { SAFETY_CODE_DIGITS, safetyCode } from '../../src/engine/safety-code.js';

describe('safetyCode', () => {
  const a = { local: 'sha-256 AA:01', remote: 'sha-256 BB:02' };
  const hex = (bytes: number[]) => `sha-256 ${bytes.map((byte) => byte.toString(16).padStart(2, '0').toUpperCase()).join(':')}`;
  const real = {
    local: hex(Array.from({ length: 32 }, (_, i) => i * 7 + 3)),
    remote: hex(Array.from({ length: 32 }, (_, i) => 255 - i * 5)),
  };

  it('has at least 80 bits, in five groups of five digits', async () => {
    const code = await safetyCode(a);
    expect(code).to.match(/^\d{5}( \d{5}){4}$/);
    expect(SAFETY_CODE_DIGITS * Math.log2(10)).to.be.at.least(80);
  });

  it('is the same on both ends, and differs when either fingerprint does', async () => {
    expect(await safetyCode({ local: a.remote, remote: a.local })).to.equal(await safetyCode(a));
    expect(await safetyCode({ local: a.local, remote: 'sha-256 BB:03' })).to.not.equal(await safetyCode(a));
  });

  // Codes people compared must not change with a release: these are the codes of version 0.2.0.
  it('is the code earlier versions showed, with WebCrypto and without (insecure contexts)', async () => {
    for (const subtle of [crypto.subtle, undefined]) {
      expect(await safetyCode(a, subtle)).to.equal('78067 35884 27399 47157 58474');
      expect(await safetyCode(real, subtle)).to.equal('02314 31604 35009 90017 13450');
      expect(await safetyCode({ local: real.remote, remote: real.local }, subtle)).to.equal('02314 31604 35009 90017 13450');
    }
  });
});
