/**
 * Append-only block file. Each record is `[u32 length][u32 crc32][block bytes]`; a block is
 * fsynced before `append` returns, so a commit is reported only once it survives a crash. A torn
 * last record (a crash mid-write) is cut off when the file is opened: that block was never
 * reported, so dropping it loses nothing anyone was told about.
 */
import { closeSync, fsyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { LedgerCorruptError } from '../errors';

const RECORD_HEADER = 8;

/** The block file of one channel. */
export class BlockStore {
  private readonly fd: number;
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private end = 0;
  private closed = false;

  /**
   * Opens (or creates) the block file and indexes its records.
   *
   * @throws LedgerCorruptError when a record before the last one fails its checksum.
   */
  constructor(private readonly path: string) {
    this.fd = openSync(path, 'a+');
    this.scan();
  }

  /** Number of blocks in the file (the ledger height). */
  get height(): number {
    return this.offsets.length;
  }

  /** Appends one block and fsyncs the file before returning. */
  append(block: Uint8Array): void {
    if (this.closed) throw new LedgerCorruptError(this.path, 'block store is closed');
    const header = Buffer.alloc(RECORD_HEADER);
    header.writeUInt32BE(block.length, 0);
    header.writeUInt32BE(crc32(block), 4);
    const record = Buffer.concat([header, block]);
    let written = 0;
    while (written < record.length) written += writeSync(this.fd, record, written, record.length - written, this.end + written);
    fsyncSync(this.fd);
    this.offsets.push(this.end + RECORD_HEADER);
    this.lengths.push(block.length);
    this.end += record.length;
  }

  /**
   * Reads the bytes of block `number`.
   *
   * @throws RangeError when the block does not exist.
   */
  read(number: number): Buffer {
    const offset = this.offsets[number];
    const length = this.lengths[number];
    if (offset === undefined || length === undefined) throw new RangeError(`block ${number} does not exist (height ${this.height})`);
    const buf = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(this.fd, buf, read, length - read, offset + read);
      if (n === 0) throw new LedgerCorruptError(this.path, `unexpected end of file in block ${number}`);
      read += n;
    }
    return buf;
  }

  /**
   * Counts the intact blocks of a block file without opening it for writing, so it is safe to
   * call while a devnet is appending to it.
   */
  static count(path: string): number {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return 0;
    }
    try {
      const size = fstatSync(fd).size;
      const header = Buffer.alloc(RECORD_HEADER);
      let pos = 0;
      let blocks = 0;
      while (pos + RECORD_HEADER <= size) {
        readSync(fd, header, 0, RECORD_HEADER, pos);
        const next = pos + RECORD_HEADER + header.readUInt32BE(0);
        if (next > size) break;
        blocks++;
        pos = next;
      }
      return blocks;
    } finally {
      closeSync(fd);
    }
  }

  /** Closes the file; further appends throw. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private scan(): void {
    const size = fstatSync(this.fd).size;
    const header = Buffer.alloc(RECORD_HEADER);
    let pos = 0;
    while (pos < size) {
      if (pos + RECORD_HEADER > size) break;
      readSync(this.fd, header, 0, RECORD_HEADER, pos);
      const length = header.readUInt32BE(0);
      const sum = header.readUInt32BE(4);
      if (pos + RECORD_HEADER + length > size) break;
      const body = Buffer.alloc(length);
      readSync(this.fd, body, 0, length, pos + RECORD_HEADER);
      if (crc32(body) !== sum) {
        if (pos + RECORD_HEADER + length === size) break;
        throw new LedgerCorruptError(this.path, `block ${this.offsets.length} fails its checksum at offset ${pos}`);
      }
      this.offsets.push(pos + RECORD_HEADER);
      this.lengths.push(length);
      pos += RECORD_HEADER + length;
    }
    if (pos < size) {
      // A torn tail from a crash mid-append: that block was never acknowledged.
      ftruncateSync(this.fd, pos);
      fsyncSync(this.fd);
    }
    this.end = pos;
  }
}
