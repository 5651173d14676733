/**
 * The SSRF guard of webhook deliveries: outside development a webhook never reaches a private, loopback, link-local,
 * shared, multicast or otherwise special address. The check runs on the addresses a name resolves to, inside the
 * connection's own lookup (so a name cannot resolve to a public address for the check and a private one for the
 * connection), and on address literals before any connection.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

const special = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24],
  ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) special.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96], ["2001:db8::", 32], ["100::", 64],
] as const) special.addSubnet(net, bits, "ipv6");

/** Whether an address is one a webhook must never reach (IPv4-mapped IPv6 judged by its IPv4 address). */
export function isSpecialAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return special.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return special.check(address, family === 4 ? "ipv4" : "ipv6");
}

class UnsafeAddressError extends Error {
  override name = "UnsafeAddressError";
}

/** A `lookup` for node:http(s) that refuses names resolving to a special address (any of them). */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error !== null) return callback(error, "", 4);
    const unsafe = addresses.find((a) => isSpecialAddress(a.address));
    if (unsafe !== undefined || addresses.length === 0) {
      return callback(new UnsafeAddressError(`${hostname} resolves to an address webhooks may not reach`), "", 4);
    }
    if (options.all === true) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
};
