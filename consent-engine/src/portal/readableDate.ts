/** Dates as people read them in the page's language (Intl), with the zone said: every date is shown in UTC. */
const options: Intl.DateTimeFormatOptions = { year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC", timeZoneName: "short" };

/** @param locale a BCP 47 language tag; English reads as in Farajaland (day month year, 24 hours). */
export function formatDate(value: string | null, locale = "en"): string {
  if (value === null) return "";
  return new Date(value).toLocaleString(locale === "en" ? "en-GB" : locale, options);
}
