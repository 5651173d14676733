/** The wall-clock facts a time-window rule needs, in the exchange's time zone. */
const weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

export function accessTime(timezone: string): (now: Date) => { iso: string; weekday: string; hour: number; timezone: string } {
  // Built once: Intl formatters are costly to create, cheap to use.
  const format = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, weekday: "long", hour: "numeric", hourCycle: "h23" });
  return (now) => {
    const parts = format.formatToParts(now);
    const weekday = parts.find((p) => p.type === "weekday")?.value ?? weekdays[now.getUTCDay()] ?? "Monday";
    const hour = Number(parts.find((p) => p.type === "hour")?.value ?? now.getUTCHours());
    return { iso: now.toISOString(), weekday, hour, timezone };
  };
}
