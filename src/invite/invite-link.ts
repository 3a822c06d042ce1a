/** The invite link: the page's URL with `?peer-chat=<id>`, and reading it back on arrival. */

export const INVITE_PARAMETER = 'peer-chat';

/** `page` with the query parameter naming `peerId` (other parameters kept); empty before registration. */
export function inviteUrl(page: string, peerId: string): string {
  if (!peerId) return '';
  const url = new URL(page);
  url.searchParams.set(INVITE_PARAMETER, peerId);
  return url.href;
}

/** The id a page opened from an invite link should connect to, if any. */
export function invitedPeerId(page: string): string {
  return new URL(page).searchParams.get(INVITE_PARAMETER)?.trim() ?? '';
}
