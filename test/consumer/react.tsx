// A React app's code against the packed package's React wrapper (see element.ts).
import { useRef } from 'react';
import type { PeerChat as PeerChatElement, PeerChatFileEvent } from 'peer-chat';
import { PeerChat } from 'peer-chat/react';

export function Chat({ onText }: { onText: (text: string) => void }) {
  const ref = useRef<PeerChatElement>(null);
  return (
    <PeerChat
      ref={ref}
      host="signal.example"
      acceptFiles="ask"
      onPeerChatReady={(e) => console.log(e.detail.peerId)}
      onPeerChatMessage={(e) => onText(e.detail.text)}
      onPeerChatFile={(e: PeerChatFileEvent) => console.log(e.detail.file.name)}
      onPeerChatFileOffer={(e) => e.preventDefault()}
      onPeerChatError={(e) => console.log(e.detail.type)}
      onPeerChatUnread={(e) => console.log(e.detail.count)}
      theme="dark"
      notify
    />
  );
}

export function Wrong() {
  return (
    <>
      {/* @ts-expect-error no such detail */}
      <PeerChat onPeerChatMessage={(e) => e.detail.nope} />
      {/* @ts-expect-error not an accept-files value */}
      <PeerChat acceptFiles="sometimes" />
      {/* @ts-expect-error no such event prop */}
      <PeerChat onPeerChatBogus={() => undefined} />
    </>
  );
}
