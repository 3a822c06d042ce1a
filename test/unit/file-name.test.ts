/** File names from peers: safe to show and to save. */
import { expect } from '@open-wc/testing';
import { safeFileName } from '../../src/transfers/file-name.js';

describe('safeFileName', () => {
  const cases: Array<[string, string]> = [
    ['report.pdf', 'report.pdf'],
    ['../../.bashrc', '_.._.bashrc'],
    ['C:\\Windows\\system32\\evil.dll', 'C__Windows_system32_evil.dll'],
    ['photo\u202Egnp.exe', 'photognp.exe'],
    ['a\u0000b\u001fc\u007f.txt', 'abc.txt'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['  spaced   out  .txt  ', 'spaced out .txt'],
    ['...', 'file'],
    ['', 'file'],
  ];
  for (const [input, expected] of cases) {
    it(`makes ${JSON.stringify(input)} safe`, () => expect(safeFileName(input)).to.equal(expected));
  }

  it('caps long names at 120 characters, keeping the extension and whole code points', () => {
    const long = `${'😀'.repeat(200)}.jpeg`;
    const safe = safeFileName(long);
    expect(Array.from(safe)).to.have.length(120);
    expect(safe.endsWith('….jpeg')).to.equal(true);
    expect(safe.includes('\ud83d…')).to.equal(false);
  });
});
