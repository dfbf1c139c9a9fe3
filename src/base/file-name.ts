// File names made from DSS names (export writes a file per object): one path segment safe on every file system.

/** A path segment safe on every file system; DSS ids are already, folder names may not be. */
export function safeSegment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+$/, '_').trim();
  return safe === '' ? '_' : safe;
}
