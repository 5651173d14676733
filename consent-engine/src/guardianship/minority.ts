/** Whether a person is a minor on a given day: under the age of majority on that UTC calendar day (birthday included). */

/** The day a person born on `dateOfBirth` (YYYY-MM-DD) reaches `age`, as YYYY-MM-DD (29 February → 1 March). */
function dayReaching(dateOfBirth: string, age: number): string {
  const [y, m, d] = dateOfBirth.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y + age, m - 1, d)).toISOString().slice(0, 10);
}

/** A person with no known date of birth is not counted a minor (the registry holds no record to say so). */
export function isMinorOn(dateOfBirth: string | null, at: Date, ageOfMajority: number): boolean {
  if (dateOfBirth === null) return false;
  return at.toISOString().slice(0, 10) < dayReaching(dateOfBirth, ageOfMajority);
}
