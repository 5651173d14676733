/** Dates as people read them, with the zone said out loud. */
export function formatDate(value: string | null): string {
  if (value === null) return "";
  return `${new Date(value).toLocaleString("en-GB", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" })} UTC`;
}
