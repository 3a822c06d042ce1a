/**
 * The invite link's QR code, drawn here (no network): loaded on demand, as its own chunk of
 * the bundle, the first time a person opens the QR code. Encoding: `uqr` (MIT), byte mode,
 * error correction level M.
 */
import { encode } from 'uqr';

export interface QrDrawing {
  /** Modules per side, quiet zone included. */
  size: number;
  /** One SVG path: a unit square per dark module. */
  path: string;
}

let last: { text: string; drawing: QrDrawing } | null = null;

/** The QR code of `text`, with the standard quiet zone of 4 modules. */
export function drawQr(text: string): QrDrawing {
  if (last?.text === text) return last.drawing; // Renders are frequent; the link rarely changes.
  const { data, size } = encode(text, { ecc: 'M', border: 4 });
  let path = '';
  data.forEach((row, y) => row.forEach((dark, x) => (path += dark ? `M${x} ${y}h1v1h-1z` : '')));
  last = { text, drawing: { size, path } };
  return last.drawing;
}
