/** Attributes into settings: defaults, validation, and each invalid value reported once. */
import { expect } from '@open-wc/testing';
import { DEFAULT_ICE_SERVERS, SettingsReader, type RawSettings } from '../../src/settings.js';

const raw = (overrides: Partial<RawSettings> = {}): RawSettings => ({
  host: '',
  port: undefined,
  path: '/peerjs',
  key: 'peerjs',
  secure: undefined,
  peerId: '',
  iceServers: '',
  name: '',
  acceptFiles: 'ask',
  maxFileSize: undefined,
  reconnectTimeout: undefined,
  maxHistory: undefined,
  ...overrides,
});
const page = { protocol: 'https:', hostname: 'chat.example', port: '' };

describe('SettingsReader', () => {
  it('fills in the defaults from the page', () => {
    const settings = new SettingsReader(() => {}).read(raw(), page);
    expect(settings).to.deep.include({ host: 'chat.example', port: 443, secure: true, path: '/peerjs', iceServers: DEFAULT_ICE_SERVERS, maxHistory: 1000, maxFileSize: Infinity });
  });

  it('reports an invalid value once, not again when another attribute changes, and again after it was fixed and broken', () => {
    const reports: string[] = [];
    const reader = new SettingsReader((message) => reports.push(message));
    reader.read(raw({ port: NaN, acceptFiles: 'sometimes' }), page);
    expect(reports).to.have.length(2);
    reader.read(raw({ port: NaN, acceptFiles: 'sometimes', name: 'Ann' }), page);
    expect(reports).to.have.length(2);
    reader.read(raw({ port: NaN, acceptFiles: 'never' }), page);
    expect(reports).to.have.length(2);
    reader.read(raw({ port: NaN, acceptFiles: 'sometimes' }), page);
    expect(reports).to.have.length(3);
    expect(reports[2]).to.equal('accept-files: "sometimes" is not one of ask, always, never');
  });

  it('checks every attribute it parses', () => {
    const reports: string[] = [];
    const settings = new SettingsReader((message) => reports.push(message)).read(
      raw({ secure: 'maybe', peerId: 'no/slashes', iceServers: '{"urls":1}', maxFileSize: '-1', reconnectTimeout: 'soon', maxHistory: '0' }),
      page,
    );
    expect(reports.map((message) => message.slice(0, message.indexOf(':')))).to.deep.equal(['secure', 'peer-id', 'ice-servers', 'max-file-size', 'reconnect-timeout', 'max-history']);
    expect(settings).to.deep.include({ secure: true, peerId: '', maxFileSize: Infinity, reconnectTimeout: 60000, maxHistory: 1000 });
  });
});
