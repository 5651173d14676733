/** Reads the regular files of a .tar.gz (the OPA bundle format) into memory. */
import { gunzipSync } from "node:zlib";

export function readTarGz(archive: Buffer): Map<string, Buffer> {
  const tar = gunzipSync(archive);
  const files = new Map<string, Buffer>();
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "").trim();
    const name = `${field(345, 155)}${field(345, 155) === "" ? "" : "/"}${field(0, 100)}`.replace(/^\/+/, "");
    const size = Number.parseInt(field(124, 12) || "0", 8);
    const type = field(156, 1);
    offset += 512;
    if (type === "" || type === "0") files.set(name, Buffer.from(tar.subarray(offset, offset + size)));
    offset += Math.ceil(size / 512) * 512;
  }
  return files;
}
