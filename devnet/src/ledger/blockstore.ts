/**
 * Append-only block file. Each record is `[u32 length][u32 crc32][block bytes]`; a block is
 * fsynced before `append` resolves (and before it counts in `height`), so a commit is reported
 * only once it survives a crash. The fsync runs on libuv's thread pool, so the event loop keeps
 * endorsing while the disk works. A torn last record (a crash mid-write) is cut off when the file
 * is opened: that block was never reported, so dropping it loses nothing anyone was told about.
 */
import { closeSync, fsync, fsyncSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
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

  /**
   * Appends one block and resolves once the file is fsynced; only then does the block count in
   * {@link height} and become readable. Appends must not overlap: the caller awaits each one.
   *
   * @throws LedgerCorruptError when the store is closed or an append is still in progress; the
   * write or fsync error when the disk fails (the block is then not part of the store).
   */
  async append(block: Uint8Array): Promise<void> {
    const start = this.reserve(block);
    try {
      await new Promise<void>((resolve, reject) => {
        fsync(this.fd, (err) => {
          if (err) reject(err);
          else resolve();
        });
      });
    } catch (err) {
      this.discard(start);
      throw err;
    } finally {
      this.appending = false;
    }
    this.commit(start, block.length);
  }

  /**
   * {@link append} for start-up, when nothing else is waiting on the event loop.
   *
   * @throws LedgerCorruptError when the store is closed or an append is in progress; the write or
   * fsync error when the disk fails.
   */
  appendSync(block: Uint8Array): void {
    const start = this.reserve(block);
    try {
      fsyncSync(this.fd);
    } catch (err) {
      this.discard(start);
      throw err;
    } finally {
      this.appending = false;
    }
    this.commit(start, block.length);
  }

  /** Cuts off a record whose fsync failed, so a reopened store does not count a block nobody was told about. */
  private discard(start: number): void {
    try {
      ftruncateSync(this.fd, start);
    } catch {
      // The next append overwrites it anyway; a reopen after a failing disk has worse problems.
    }
  }

  private appending = false;

  /** Writes the record after the last durable one; returns where it starts. */
  private reserve(block: Uint8Array): number {
    if (this.closed) throw new LedgerCorruptError(this.path, 'block store is closed');
    if (this.appending) throw new LedgerCorruptError(this.path, 'appends to the block store overlap');
    this.appending = true;
    try {
      const header = Buffer.alloc(RECORD_HEADER);
      header.writeUInt32BE(block.length, 0);
      header.writeUInt32BE(crc32(block), 4);
      const record = Buffer.concat([header, block]);
      let written = 0;
      while (written < record.length) written += writeSync(this.fd, record, written, record.length - written, this.end + written);
    } catch (err) {
      this.discard(this.end);
      this.appending = false;
      throw err;
    }
    return this.end;
  }

  private commit(start: number, length: number): void {
    this.offsets.push(start + RECORD_HEADER);
    this.lengths.push(length);
    this.end = start + RECORD_HEADER + length;
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
