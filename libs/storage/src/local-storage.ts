import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';

import { assertPutArguments, type DocumentStorage, type StoredObject } from './document-storage';
import { assertKeyInTenant, InvalidStorageKeyError } from './storage-keys';

/** Each object's content type is stored in a JSON file next to it, named `<file>.meta.json`. */
const METADATA_SUFFIX = '.meta.json';

/** Content type reported for a file that has no metadata file, such as one copied in by hand. */
const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

/** Flag that makes open() fail on a symbolic link. Windows has no such flag, so it is 0 there. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Joins `key` to `root` and throws unless the result is strictly inside
 * `root`. Keys are validated before they get here, so this check is a second
 * guard against traversal in case that validation ever misses one.
 */
export function resolveInsideRoot(root: string, key: string): string {
  const target = path.resolve(root, key);

  if (!isStrictlyInside(root, target)) {
    throw new InvalidStorageKeyError('key', `Storage key ${JSON.stringify(key)} resolves to ${target}, outside the storage folder ${root}.`);
  }

  return target;
}

/**
 * Stores each object as a file under a root folder, at the path its key
 * names. Writes go to a temporary file in the same folder, which is then
 * renamed over the target, so readers see the old file or the new one.
 */
export class LocalStorage implements DocumentStorage {
  /** Absolute path of the storage folder, which the first put creates. */
  readonly root: string;

  constructor(rootDirectory: string) {
    if (!rootDirectory) {
      throw new Error('The local storage folder is missing; set STORAGE_LOCAL_DIR.');
    }
    this.root = path.resolve(rootDirectory);
  }

  async put(tenantId: string, key: string, body: Buffer, contentType: string): Promise<void> {
    const file = this.filePath(tenantId, key);
    assertPutArguments(body, contentType);

    const folder = path.dirname(file);
    await fs.mkdir(folder, { recursive: true });
    // NOTE: a symbolic link planted inside the root would let mkdir create
    // folders outside it before this check, but no file gets written there.
    await this.assertFolderInsideRoot(folder);

    // The metadata goes first, so a reader that finds the data file also finds its content type.
    // NOTE: if a put changes an existing key's content type, a get between the two renames pairs the old bytes with the new type.
    await writeAtomically(file + METADATA_SUFFIX, JSON.stringify({ contentType }));
    await writeAtomically(file, body);
  }

  async get(tenantId: string, key: string): Promise<StoredObject | null> {
    const file = this.filePath(tenantId, key);
    if (!(await this.assertFolderInsideRoot(path.dirname(file)))) return null;

    let handle: FileHandle;
    try {
      handle = await fs.open(file, constants.O_RDONLY | NO_FOLLOW);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }

    // The open handle keeps reading the file it opened even if a put renames a new one over it.
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      const contentType = await readContentType(file);

      return { stream: handle.createReadStream(), size: stats.size, contentType };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async exists(tenantId: string, key: string): Promise<boolean> {
    const file = this.filePath(tenantId, key);
    if (!(await this.assertFolderInsideRoot(path.dirname(file)))) return false;

    try {
      return (await fs.lstat(file)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(tenantId: string, key: string): Promise<void> {
    const file = this.filePath(tenantId, key);
    if (!(await this.assertFolderInsideRoot(path.dirname(file)))) return;

    // The data file goes first, so no reader finds data without its metadata.
    await unlinkIfPresent(file);
    await unlinkIfPresent(file + METADATA_SUFFIX);
  }

  /** Validates the key and returns the absolute path of its data file. */
  private filePath(tenantId: string, key: string): string {
    assertKeyInTenant(key, tenantId);

    if (key.split('/').some((segment) => segment.endsWith(METADATA_SUFFIX))) {
      throw new InvalidStorageKeyError(
        'key',
        `Storage key ${JSON.stringify(key)} is invalid for local storage: names ending in "${METADATA_SUFFIX}" hold metadata.`,
      );
    }

    return resolveInsideRoot(this.root, key);
  }

  /**
   * Throws when the folder's real path, after symbolic links, leaves the
   * root's real path. Returns false when the folder does not exist.
   */
  private async assertFolderInsideRoot(folder: string): Promise<boolean> {
    let realFolder: string;
    let realRoot: string;
    try {
      realRoot = await fs.realpath(this.root);
      realFolder = await fs.realpath(folder);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }

    if (realFolder !== realRoot && !isStrictlyInside(realRoot, realFolder)) {
      throw new Error(`Storage folder ${folder} resolves to ${realFolder}, outside the storage folder ${realRoot}; remove the symbolic link.`);
    }

    return true;
  }
}

function isStrictlyInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);

  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** Writes a temporary file beside `file`, flushes it to disk and renames it over `file`. */
async function writeAtomically(file: string, data: Buffer | string): Promise<void> {
  // assertKeyInTenant rejects segments that start with ".", so a temporary name cannot collide with a key.
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);

  try {
    const handle = await fs.open(temporary, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

async function readContentType(file: string): Promise<string> {
  const metadataFile = file + METADATA_SUFFIX;

  let text: string;
  try {
    text = await fs.readFile(metadataFile, 'utf8');
  } catch (error) {
    if (isMissing(error)) return UNKNOWN_CONTENT_TYPE;
    throw error;
  }

  const metadata: unknown = JSON.parse(text);
  if (typeof metadata !== 'object' || metadata === null || typeof (metadata as { contentType?: unknown }).contentType !== 'string') {
    throw new Error(`Metadata file ${metadataFile} has no contentType string; put the object again to rewrite it.`);
  }

  return (metadata as { contentType: string }).contentType;
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (error) {
    // EISDIR: the key names a folder of other keys, which is not an object.
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') return;
    throw error;
  }
}

/** ENOTDIR means a parent in the path is a file, so the key cannot exist either. */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;

  return code === 'ENOENT' || code === 'ENOTDIR';
}
