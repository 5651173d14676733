/**
 * The declared purpose of a request: a purpose code the policy data registers (for any consumer: the purposes of the
 * exchange's register, registerData.ts), or nothing. The header's text is never kept otherwise: free text must not
 * reach the append-only trail or a citizen's page.
 */

/** What a purpose code looks like: short, lower-case, no spaces (as the exchange requires of a purpose's code). */
const purposeCode = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export type DeclaredPurpose =
  | { readonly kind: "none" }
  | { readonly kind: "registered"; readonly code: string }
  /** Something other than a registered code was sent: a 400, and none of it is stored. */
  | { readonly kind: "invalid" };

export function declaredPurpose(header: string | null, registered: ReadonlySet<string>): DeclaredPurpose {
  const value = header?.trim() ?? "";
  if (value === "") return { kind: "none" };
  return purposeCode.test(value) && registered.has(value) ? { kind: "registered", code: value } : { kind: "invalid" };
}
