/**
 * Incremental SHA-256 (FIPS 180-4), for file transfers, and for the safety code where WebCrypto
 * is missing (pages that are not a secure context): both load it on demand, so it is not in
 * the bundle. WebCrypto only hashes a whole buffer at once, and a file of several GiB must be
 * hashed as it streams past, on both sides of a transfer.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

export class Sha256 {
  private readonly state = new Int32Array(INITIAL);
  private readonly words = new Int32Array(64);
  /** Bytes of an incomplete block carried over between updates. */
  private readonly pending = new Uint8Array(64);
  private pendingLength = 0;
  private length = 0;
  private finished = false;

  /** Bytes hashed so far. */
  get bytesHashed(): number {
    return this.length;
  }

  update(data: Uint8Array): this {
    if (this.finished) throw new Error('Sha256: update after digest');
    this.length += data.byteLength;
    let offset = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(64 - this.pendingLength, data.byteLength);
      this.pending.set(data.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      offset = take;
      if (this.pendingLength < 64) return this;
      this.compress(this.pending, 0, 64);
      this.pendingLength = 0;
    }
    const whole = offset + Math.floor((data.byteLength - offset) / 64) * 64;
    this.compress(data, offset, whole);
    offset = whole;
    if (offset < data.byteLength) {
      this.pending.set(data.subarray(offset));
      this.pendingLength = data.byteLength - offset;
    }
    return this;
  }

  /** The hash as 64 lowercase hex digits. The hasher cannot be updated afterwards. */
  hex(): string {
    if (!this.finished) this.finish();
    let out = '';
    for (const word of this.state) out += (word >>> 0).toString(16).padStart(8, '0');
    return out;
  }

  private finish(): void {
    const bitLength = this.length * 8;
    const tail = new Uint8Array(this.pendingLength < 56 ? 64 : 128);
    tail.set(this.pending.subarray(0, this.pendingLength));
    tail[this.pendingLength] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bitLength / 2 ** 32));
    view.setUint32(tail.length - 4, bitLength >>> 0);
    this.compress(tail, 0, tail.length);
    this.finished = true;
  }

  /** Hashes the whole 64-byte blocks of `data` from `start` to `end`, state kept in locals. */
  private compress(data: Uint8Array, start: number, end: number): void {
    const w = this.words;
    const s = this.state;
    let h0 = s[0] | 0;
    let h1 = s[1] | 0;
    let h2 = s[2] | 0;
    let h3 = s[3] | 0;
    let h4 = s[4] | 0;
    let h5 = s[5] | 0;
    let h6 = s[6] | 0;
    let h7 = s[7] | 0;
    for (let offset = start; offset + 64 <= end; offset += 64) {
      for (let i = 0, j = offset; i < 16; i++, j += 4) {
        w[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
      }
      for (let i = 16; i < 64; i++) {
        const x = w[i - 15];
        const y = w[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let a = h0;
      let b = h1;
      let c = h2;
      let d = h3;
      let e = h4;
      let f = h5;
      let g = h6;
      let h = h7;
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0;
      h1 = (h1 + b) | 0;
      h2 = (h2 + c) | 0;
      h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0;
      h5 = (h5 + f) | 0;
      h6 = (h6 + g) | 0;
      h7 = (h7 + h) | 0;
    }
    s[0] = h0;
    s[1] = h1;
    s[2] = h2;
    s[3] = h3;
    s[4] = h4;
    s[5] = h5;
    s[6] = h6;
    s[7] = h7;
  }
}
