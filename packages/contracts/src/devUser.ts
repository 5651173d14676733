/**
 * A development sign-in of the identity provider: the one citizen login (it stands for every citizen, who signs in
 * with their NIC) or a staff member with roles (e.g. registrar.maker, registrar.checker).
 */
export interface DevUser {
  readonly username: string;
  readonly password: string;
  readonly kind: "citizen" | "staff";
  readonly roles?: readonly string[];
}
