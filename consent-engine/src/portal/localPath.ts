/** A path on this site: one leading slash (not `//` or `/\`, which browsers take to another host), no spaces. */
const localPath = /^\/(?![/\\])[^\s\\]{0,2000}$/;

export const isLocalPath = (value: string): boolean => localPath.test(value);
