/** A small length-prefixed binary codec for the state snapshot file. */

/** Appends primitive values to a growing buffer. */
export class ByteWriter {
  private buf = Buffer.alloc(1 << 16);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf.writeUInt8(v, this.pos);
    this.pos += 1;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  bytes(v: Uint8Array): void {
    this.u32(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  str(v: string): void {
    this.bytes(Buffer.from(v, 'utf8'));
  }

  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads what {@link ByteWriter} wrote; throws RangeError past the end. */
export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    const v = this.buf.readUInt8(this.pos);
    this.pos += 1;
    return v;
  }

  u32(): number {
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(): Buffer {
    const n = this.u32();
    if (this.pos + n > this.buf.length) throw new RangeError('truncated field');
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return v;
  }

  str(): string {
    return this.bytes().toString('utf8');
  }
}
