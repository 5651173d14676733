/**
 * Where archived evidence packages are kept. A small interface so that an S3-compatible store can stand beside the
 * file system one: `put` must be durable when it resolves (the archiver records the package, then removes its events
 * from the database, only after that), `get` answers undefined for a name it does not hold, `list` names every
 * package under a prefix (leftovers of an interrupted archive included).
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";

export interface ArchiveStore {
  /** Stores `bytes` under `name` ("<chain>/<file>.zip"), durably, replacing nothing: names are unique. */
  put(name: string, bytes: Uint8Array): Promise<void>;
  get(name: string): Promise<Uint8Array | undefined>;
  /** Every stored name under `prefix` ("<chain>/"), and any partial write left by a process that died. */
  list(prefix: string): Promise<string[]>;
  remove(name: string): Promise<void>;
  /** Where it is, for messages. */
  readonly where: string;
}

const partial = ".partial";

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The archive in a directory (AUDIT_ARCHIVE_DIR): a package is written to a temporary file, fsynced, renamed to its
 * name and the directory fsynced, so after `put` resolves it survives the process and the machine stopping.
 */
export function fileArchiveStore(dir: string): ArchiveStore {
  const pathOf = (name: string) => {
    const path = join(dir, name);
    if (relative(dir, path).startsWith("..")) throw new Error(`archive name ${name} is outside the archive`);
    return path;
  };
  return {
    where: dir,
    async put(name, bytes) {
      const path = pathOf(name);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${randomUUID()}${partial}`;
      const handle = await open(temporary, "wx");
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
      await fsyncPath(dirname(path));
    },
    async get(name) {
      try {
        return new Uint8Array(await readFile(pathOf(name)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    async list(prefix) {
      const base = pathOf(prefix);
      let names: string[];
      try {
        names = await readdir(base);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
      return names.map((n) => relative(dir, join(base, n)).split(sep).join("/")).sort();
    },
    async remove(name) {
      await rm(pathOf(name), { force: true });
    },
  };
}
