/** Attributes into settings: defaults, validation, and each invalid value reported once. */
import { expect } from '@open-wc/testing';
import { DEFAULT_ICE_SERVERS, SettingsReader, type RawSettings } from '../../src/settings.js';

const raw = (overrides: Partial<RawSettings> = {}): RawSettings => ({
  host: '',
  port: undefined,
  path: '/peerjs',
  key: 'peerjs',
  secure: undefined,
  iceServers: '',
  iceServersUrl: '',
  iceTransportPolicy: '',
  name: '',
  acceptFiles: 'ask',
  maxFileSize: undefined,
  reconnectTimeout: undefined,
  maxHistory: undefined,
  ...overrides,
});
const page = { protocol: 'https:', hostname: 'chat.example', port: '', href: 'https://chat.example/rooms/1' };

describe('SettingsReader', () => {
  it('fills in the defaults from the page', () => {
    const settings = new SettingsReader(() => {}).read(raw(), '', page);
    expect(settings).to.deep.include({ host: 'chat.example', port: 443, secure: true, path: '/peerjs', iceServers: DEFAULT_ICE_SERVERS, maxHistory: 1000, maxFileSize: Infinity });
  });

  it('reports an invalid value once, not again when another attribute changes, and again after it was fixed and broken', () => {
    const reports: string[] = [];
    const reader = new SettingsReader((message) => reports.push(message));
    reader.read(raw({ port: NaN, acceptFiles: 'sometimes' }), '', page);
    expect(reports).to.have.length(2);
    reader.read(raw({ port: NaN, acceptFiles: 'sometimes', name: 'Ann' }), '', page);
    expect(reports).to.have.length(2);
    reader.read(raw({ port: NaN, acceptFiles: 'never' }), '', page);
    expect(reports).to.have.length(2);
    reader.read(raw({ port: NaN, acceptFiles: 'sometimes' }), '', page);
    expect(reports).to.have.length(3);
    expect(reports[2]).to.equal('accept-files: "sometimes" is not one of ask, always, never');
  });

  it('checks every attribute it parses', () => {
    const reports: string[] = [];
    const settings = new SettingsReader((message) => reports.push(message)).read(
      raw({ secure: 'maybe', iceServers: '{"urls":1}', maxFileSize: '-1', reconnectTimeout: 'soon', maxHistory: '0' }),
      'no/slashes',
      page,
    );
    expect(reports.map((message) => message.slice(0, message.indexOf(':')))).to.deep.equal(['secure', 'peer-id', 'ice-servers', 'max-file-size', 'reconnect-timeout', 'max-history']);
    expect(settings).to.deep.include({ secure: true, peerId: '', maxFileSize: Infinity, reconnectTimeout: 60000, maxHistory: 1000 });
  });

  it('takes a host name or an address as host, and reports one with a scheme, port or path, which PeerJS would make a URL of that the browser refuses', () => {
    const reports: string[] = [];
    const reader = new SettingsReader((message) => reports.push(message));
    for (const host of ['signal.example', '10.0.0.7', '[::1]', 'localhost']) expect(reader.read(raw({ host }), '', page).host).to.equal(host);
    for (const host of ['localhost:9000', 'https://signal.example', 'signal.example/peerjs', 'a b', '::1']) expect(reader.read(raw({ host }), '', page).host).to.equal('chat.example');
    expect(reports).to.deep.equal([
      'host: "localhost:9000" is not a host name (port, path and secure are attributes of their own)',
      'host: "https://signal.example" is not a host name (port, path and secure are attributes of their own)',
      'host: "signal.example/peerjs" is not a host name (port, path and secure are attributes of their own)',
      'host: "a b" is not a host name (port, path and secure are attributes of their own)',
      'host: "::1" is not a host name (port, path and secure are attributes of their own)',
    ]);
  });

  it('checks a list of ICE servers set as the property, as it checks the attribute’s JSON', () => {
    const reports: string[] = [];
    const reader = new SettingsReader((message) => reports.push(message));
    const servers = [{ urls: 'turn:turn.example', username: 'u', credential: 'c' }];
    expect(reader.read(raw({ iceServers: servers }), '', page).iceServers).to.equal(servers);
    expect(reader.read(raw({ iceServers: [{ urls: 'turn:turn.example' }] }), '', page).iceServers).to.equal(DEFAULT_ICE_SERVERS);
    expect(reports).to.have.length(1);
    expect(reports[0]).to.match(/^ice-servers: each entry needs "urls"/);
  });

  it('resolves ice-servers-url against the page and checks ice-transport-policy', () => {
    const reports: string[] = [];
    const reader = new SettingsReader((message) => reports.push(message));
    expect(reader.read(raw({ iceServersUrl: '../peerjs/ice', iceTransportPolicy: 'relay' }), '', page)).to.deep.include({
      iceServersUrl: 'https://chat.example/peerjs/ice',
      iceTransportPolicy: 'relay',
    });
    expect(reader.read(raw(), '', page)).to.deep.include({ iceServersUrl: '', iceTransportPolicy: 'all' });
    expect(reports).to.deep.equal([]);
    expect(reader.read(raw({ iceServersUrl: 'ftp://x/ice', iceTransportPolicy: 'turn-only' }), '', page)).to.deep.include({ iceServersUrl: '', iceTransportPolicy: 'all' });
    expect(reports).to.deep.equal([
      'ice-servers-url: "ftp://x/ice" is not an http(s) URL (absolute, or relative to the page)',
      'ice-transport-policy: "turn-only" is not one of all, relay',
    ]);
  });
});
