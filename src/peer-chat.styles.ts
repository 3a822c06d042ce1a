import { css } from 'lit';

export const styles = css`
  :host {
    --peer-chat-font: system-ui, sans-serif;
    --peer-chat-background: #ffffff;
    --peer-chat-foreground: #1d1d1f;
    --peer-chat-muted: #5f6368;
    --peer-chat-border: #d0d4d9;
    --peer-chat-accent: #0b57d0;
    --peer-chat-accent-foreground: #ffffff;
    --peer-chat-own-bubble: #dbe7fd;
    --peer-chat-peer-bubble: #f1f3f4;
    --peer-chat-error: #b3261e;
    --peer-chat-radius: 10px;
    --peer-chat-gap: 0.5rem;
    --peer-chat-height: 32rem;

    display: block;
    box-sizing: border-box;
    font-family: var(--peer-chat-font);
    color: var(--peer-chat-foreground);
    background: var(--peer-chat-background);
    border: 1px solid var(--peer-chat-border);
    border-radius: var(--peer-chat-radius);
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  [part~='base'] {
    display: flex;
    flex-direction: column;
    gap: var(--peer-chat-gap);
    height: var(--peer-chat-height);
    padding: var(--peer-chat-gap);
    position: relative;
  }
  [part~='header'],
  [part~='connect-form'],
  [part~='composer'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--peer-chat-gap);
  }
  [part~='status'] {
    font-size: 0.85em;
    color: var(--peer-chat-muted);
  }
  [part~='status'][data-state='open'] {
    color: #146c2e;
  }
  [part~='status'][data-state='reconnecting'] {
    color: var(--peer-chat-error);
  }
  [part~='own-id'] {
    font-family: ui-monospace, monospace;
    user-select: all;
  }
  [part~='peer-list'] {
    display: flex;
    flex-wrap: wrap;
    gap: var(--peer-chat-gap);
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 0.9em;
  }
  [part~='peer'] {
    display: flex;
    align-items: center;
    gap: 0.25rem;
    padding: 0.1rem 0.5rem;
    border: 1px solid var(--peer-chat-border);
    border-radius: 999px;
  }
  [part~='messages'] {
    flex: 1;
    overflow-y: auto;
    margin: 0;
    padding: var(--peer-chat-gap);
    list-style: none;
    display: flex;
    flex-direction: column;
    gap: var(--peer-chat-gap);
    border: 1px solid var(--peer-chat-border);
    border-radius: var(--peer-chat-radius);
  }
  [part~='message'],
  [part~='transfer'] {
    max-width: 85%;
    padding: 0.4rem 0.6rem;
    border-radius: var(--peer-chat-radius);
    background: var(--peer-chat-peer-bubble);
    align-self: flex-start;
    overflow-wrap: anywhere;
  }
  [part~='message-out'],
  [part~='transfer-out'] {
    background: var(--peer-chat-own-bubble);
    align-self: flex-end;
  }
  [part~='message-meta'] {
    display: block;
    font-size: 0.75em;
    color: var(--peer-chat-muted);
  }
  [part~='message-text'] {
    white-space: pre-wrap;
  }
  [part~='progress'] {
    width: 100%;
  }
  [part~='input'] {
    flex: 1;
    min-width: 10rem;
    min-height: 2.5rem;
    resize: vertical;
    font: inherit;
    padding: 0.4rem;
    border: 1px solid var(--peer-chat-border);
    border-radius: 6px;
  }
  input {
    font: inherit;
    padding: 0.3rem 0.4rem;
    border: 1px solid var(--peer-chat-border);
    border-radius: 6px;
  }
  button {
    font: inherit;
    padding: 0.3rem 0.7rem;
    border-radius: 6px;
    border: 1px solid var(--peer-chat-accent);
    background: var(--peer-chat-background);
    color: var(--peer-chat-accent);
    cursor: pointer;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  [part~='send-button'],
  [part~='connect-button'] {
    background: var(--peer-chat-accent);
    color: var(--peer-chat-accent-foreground);
  }
  [part~='error'] {
    color: var(--peer-chat-error);
    font-size: 0.85em;
  }
  [part~='drop-zone'] {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    background: color-mix(in srgb, var(--peer-chat-accent) 15%, transparent);
    border: 2px dashed var(--peer-chat-accent);
    border-radius: var(--peer-chat-radius);
    pointer-events: none;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
