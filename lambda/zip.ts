export interface ZipEntry {
  /** Path inside the archive, `/`-separated, ASCII. */
  readonly name: string;
  readonly data: Uint8Array;
}

// 1980-01-01 00:00:00, the earliest DOS timestamp: the same for every build.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
// "Made by" Unix so the external attributes carry a mode: regular file, rw-r--r--.
const VERSION_MADE_BY = (3 << 8) | 20;
const VERSION_NEEDED = 10;
const UNIX_FILE_MODE = 0o100644;
const STORED = 0;

/**
 * A zip archive that depends only on the entries: sorted names, fixed timestamps and modes, no extra fields.
 *
 * Entries are stored, not deflated: Node ships its own zlib build, and its deflate output differs between
 * zlib versions and CPUs, which would give the same source a different hash on a laptop and in CI (and make
 * Terraform redeploy the function for nothing). Lambda bundles here are a few hundred KB, so little is lost.
 */
export function deterministicZip(entries: readonly ZipEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  let offset = 0;

  for (const { name, data } of sorted) {
    if (!/^[\x20-\x7e]+$/.test(name))
      throw new Error(`zip entry names must be printable ASCII: ${JSON.stringify(name)}`);
    const nameBytes = Buffer.from(name, "ascii");
    const crc = crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(STORED, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.byteLength, 18);
    local.writeUInt32LE(data.byteLength, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(STORED, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.byteLength, 20);
    central.writeUInt32LE(data.byteLength, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    // Extra field, comment, disk number and internal attributes: all zero (Buffer.alloc).
    central.writeUInt32LE(UNIX_FILE_MODE * 0x10000, 38);
    central.writeUInt32LE(offset, 42);

    localParts.push(local, nameBytes, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    centralParts.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.byteLength;
  }

  const centralDirectory = Buffer.concat(centralParts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...localParts, centralDirectory, end]);
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let value = byte;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value;
});

/** CRC-32 (IEEE), as zip requires; written out because zlib.crc32 needs Node ≥ 20.15. */
function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
