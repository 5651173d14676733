/** Which data classes are about a person: what needs a purpose, a consent and a working audit trail. */
import type { FieldAccess } from "@ndx/policy";

export const personal = (f: FieldAccess): boolean => f.classification === "PERSONAL" || f.classification === "SENSITIVE";
