import { PART_BYTES } from './data-export.repository.ts';

/** ZIP offsets are 32 bits without ZIP64, which fflate does not write: a larger file would be corrupt. */
const ZIP_LIMIT_BYTES = 0xffff_ffff;

/**
 * Collects the ZIP's bytes as the zipper emits them and writes them out in parts of PART_BYTES,
 * so what is held in memory is the bytes not yet written: less than one part, plus the chunk the
 * zipper just emitted (at most one attachment).
 */
export class ExportPartWriter {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #seq = 0;
  #size = 0;

  constructor(private readonly writePart: (seq: number, bytes: Buffer) => Promise<void>) {}

  /** Synchronous, for the zipper's callback; flushFull writes what has filled up. */
  push(chunk: Uint8Array): void {
    this.#size += chunk.byteLength;
    if (this.#size > ZIP_LIMIT_BYTES) throw new Error('data export: the ZIP would exceed 4 GB');
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
  }

  /** Writes every full part buffered so far. */
  async flushFull(): Promise<void> {
    while (this.#buffered >= PART_BYTES) await this.#write(PART_BYTES);
  }

  /** Writes the rest (one part at least) and returns the ZIP's size in bytes. */
  async finish(): Promise<number> {
    await this.flushFull();
    if (this.#buffered > 0 || this.#seq === 0) await this.#write(this.#buffered);
    return this.#size;
  }

  async #write(length: number): Promise<void> {
    const part = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.#chunks[0];
      if (!chunk) throw new Error('data export: fewer bytes buffered than counted');
      const take = Math.min(chunk.byteLength, length - filled);
      part.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= length;
    await this.writePart(this.#seq++, part);
  }
}
