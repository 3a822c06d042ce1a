import { css } from 'lit';

export const styles = css`
  :host {
    /* Internal properties: the public --peer-chat-* ones, set on this element or any ancestor, win.
       Default colors: light-dark() picks by the color scheme (theme attribute, else the page's preference). */
    color-scheme: light dark;
    --_font: var(--peer-chat-font, system-ui, sans-serif);
    --_background: var(--peer-chat-background, light-dark(#ffffff, #1f1f1f));
    --_foreground: var(--peer-chat-foreground, light-dark(#1d1d1f, #e8eaed));
    --_muted: var(--peer-chat-muted, light-dark(#5f6368, #9aa0a6));
    --_border: var(--peer-chat-border, light-dark(#d0d4d9, #4a4e52));
    --_accent: var(--peer-chat-accent, light-dark(#0b57d0, #8ab4f8));
    --_accent-foreground: var(--peer-chat-accent-foreground, light-dark(#ffffff, #0b1d3a));
    --_own-bubble: var(--peer-chat-own-bubble, light-dark(#dbe7fd, #17324f));
    --_peer-bubble: var(--peer-chat-peer-bubble, light-dark(#f1f3f4, #2d2f31));
    --_error: var(--peer-chat-error, light-dark(#b3261e, #f2b8b5));
    --_online: light-dark(#146c2e, #81c995);
    --_preview-size: var(--peer-chat-preview-size, 12rem);
    --_radius: var(--peer-chat-radius, 10px);
    --_gap: var(--peer-chat-gap, 0.5rem);
    --_height: var(--peer-chat-height, 32rem);

    display: block;
    box-sizing: border-box;
    font-family: var(--_font);
    color: var(--_foreground);
    background: var(--_background);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  :host([hidden]) {
    display: none;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  * {
    box-sizing: border-box;
  }
  [part~='base'] {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    block-size: var(--_height);
    padding: var(--_gap);
    position: relative;
  }
  [part~='header'],
  [part~='connect-form'],
  [part~='composer'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
  }
  [part~='status'] {
    font-size: 0.85em;
    color: var(--_muted);
  }
  [part~='status'][data-state='open'] {
    color: var(--_online);
  }
  [part~='status'][data-state='reconnecting'] {
    color: var(--_error);
  }
  [part~='own-id'] {
    font-family: ui-monospace, monospace;
    user-select: all;
  }
  [part~='peer-list'] {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gap);
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 0.9em;
  }
  [part~='peer'] {
    display: flex;
    min-inline-size: 0;
    max-inline-size: 100%;
    align-items: center;
    gap: 0.25rem;
    padding: 0;
    padding-inline-start: 0.25rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
  }
  [part~='messages'] {
    flex: 1;
    overflow-y: auto;
    margin: 0;
    padding: var(--_gap);
    list-style: none;
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .group {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    /* Skipped, a group keeps the size it last had (one never shown counts 20 entries of 3rem),
       and never shrinks in the log's column: its content no longer holds it open. */
    contain-intrinsic-block-size: auto 70rem;
    flex: none;
    /* The live group too: what changes in it is laid out and painted within it. */
    contain: content;
  }
  /* Groups out of view skip style, layout and paint: the browser watches 5 to 10 groups, not 100
     to 200 entries. Not the last, where entries arrive: it is measured at once, as it is. */
  .group:not(:last-child) {
    content-visibility: auto;
  }
  [part~='message'],
  [part~='transfer'] {
    max-inline-size: 85%;
    padding: 0.4rem 0.6rem;
    border-radius: var(--_radius);
    background: var(--_peer-bubble);
    align-self: flex-start;
    overflow-wrap: anywhere;
  }
  [part~='message-out'],
  [part~='transfer-out'] {
    background: var(--_own-bubble);
    align-self: flex-end;
  }
  [part~='show-earlier'] {
    align-self: center;
  }
  [part~='message-meta'] {
    display: block;
    font-size: 0.75em;
    color: var(--_muted);
  }
  /* Centered by its line, not by a grid: one in every message, and a grid's layout cost each
     new message a quarter of a millisecond more. */
  [part~='avatar'] {
    display: inline-block;
    flex: none;
    inline-size: 1.6em;
    block-size: 1.6em;
    line-height: 1.6em;
    text-align: center;
    margin-inline-end: 0.3em;
    border-radius: 50%;
    background: hsl(var(--_hue) 50% 30%);
    color: #ffffff;
    font-weight: 600;
    font-size: 0.85em;
    vertical-align: middle;
  }
  [part~='message-meta'] [part~='avatar'] {
    font-size: 1em;
  }
  [part~='message-status'][data-status='read'] {
    color: var(--_accent);
  }
  a {
    color: var(--_accent);
  }
  [part~='preview'] {
    display: block;
    margin-block: 0.3rem;
  }
  [part~='preview'] img {
    display: block;
    max-inline-size: 100%;
    max-block-size: var(--_preview-size);
    border-radius: 6px;
  }
  [part~='typing'] {
    min-block-size: 1.2em;
    margin-block: calc(-0.5 * var(--_gap));
    font-size: 0.8em;
    color: var(--_muted);
  }
  [part~='typing'] span + span::before {
    content: ' · ';
  }
  [part~='message-text'] {
    white-space: pre-wrap;
    /* Each paragraph of a peer's text takes its own direction, isolated from what surrounds it. */
    unicode-bidi: plaintext;
  }
  /* Peer-provided names, ids and file names: isolated, on one line, cut with an ellipsis (full
     text in the tooltip). Not the name above each message (.who, a <bdi>): cut in code instead,
     as a box that clips costs every message layout and paint of its own. */
  .peer-name,
  .file-name {
    display: inline-block;
    min-inline-size: 0;
    max-inline-size: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    vertical-align: bottom;
    unicode-bidi: isolate;
  }
  .peer-name {
    /* Shrinks for a long name, but keeps a short label whole ("Peer 4F2A"). */
    flex: 0 1 auto;
    min-inline-size: min(6em, 100%);
  }
  [part~='progress'] {
    inline-size: 100%;
  }
  [part~='composer'] {
    flex-wrap: nowrap;
  }
  [part~='input'],
  [part~='remote-id-input'] {
    flex: 1;
    min-inline-size: 0;
  }
  [part~='disconnect-button'] {
    border-color: transparent;
    border-radius: 999px;
  }
  [part~='input'] {
    resize: block;
    color: inherit;
    background: var(--_background);
    font: inherit;
    padding: 0.4rem;
    border: 1px solid var(--_border);
    border-radius: 6px;
  }
  input,
  textarea,
  button {
    /* Touch targets. */
    min-block-size: 44px;
  }
  input {
    color: inherit;
    background: var(--_background);
    font: inherit;
    padding: 0.3rem 0.4rem;
    border: 1px solid var(--_border);
    border-radius: 6px;
  }
  button {
    min-inline-size: 44px;
    font: inherit;
    padding: 0.3rem 0.7rem;
    border-radius: 6px;
    border: 1px solid var(--_accent);
    background: var(--_background);
    color: var(--_accent);
    cursor: pointer;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  [part~='send-button'],
  [part~='connect-button'] {
    background: var(--_accent);
    color: var(--_accent-foreground);
  }
  [part~='error'] {
    color: var(--_error);
    font-size: 0.85em;
  }
  [part~='connect-error'] {
    margin: 0;
    color: var(--_error);
    font-size: 0.85em;
  }
  [part~='peer-relayed'] {
    padding: 0 0.3em;
    border: 1px solid currentColor;
    border-radius: var(--_radius);
    color: var(--_muted);
    font-size: 0.75em;
  }
  [part~='drop-zone'] {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    background: color-mix(in srgb, var(--_accent) 15%, transparent);
    border: 2px dashed var(--_accent);
    border-radius: var(--_radius);
    pointer-events: none;
  }
  /* Windows high contrast and other forced color schemes: system colors, visible boundaries. */
  @media (forced-colors: active) {
    :host,
    [part~='messages'],
    [part~='message'],
    [part~='transfer'],
    [part~='peer'] {
      border: 1px solid CanvasText;
    }
    button,
    [part~='send-button'],
    [part~='connect-button'] {
      border: 1px solid ButtonText;
      background: ButtonFace;
      color: ButtonText;
      forced-color-adjust: none;
    }
    button:disabled {
      color: GrayText;
      border-color: GrayText;
    }
    [part~='drop-zone'] {
      background: Canvas;
      border-color: Highlight;
    }
  }
  .visually-hidden {
    position: absolute;
    min-inline-size: 0;
    min-block-size: 0;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
