/** The wall-clock facts a time-window rule needs, in the exchange's time zone. */
const weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

export interface AccessTime {
  readonly iso: string;
  readonly weekday: string;
  readonly hour: number;
  readonly timezone: string;
}

export function accessTime(timezone: string): (now: Date) => AccessTime {
  // Built once: Intl formatters are costly to create, cheap to use. Weekday and hour change only on a minute
  // boundary in every time zone, so they are worked out once per minute, not per request.
  const format = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, weekday: "long", hour: "numeric", hourCycle: "h23" });
  let minute = Number.NaN;
  let weekday = "";
  let hour = 0;
  return (now) => {
    const thisMinute = Math.floor(now.getTime() / 60_000);
    if (thisMinute !== minute) {
      const parts = format.formatToParts(now);
      weekday = parts.find((p) => p.type === "weekday")?.value ?? weekdays[now.getUTCDay()] ?? "Monday";
      hour = Number(parts.find((p) => p.type === "hour")?.value ?? now.getUTCHours());
      minute = thisMinute;
    }
    return { iso: now.toISOString(), weekday, hour, timezone };
  };
}
