/**
 * A consumer application (a passport office, a benefits agency): its OAuth client, the purposes it may declare, where
 * the consent portal may send citizens back to, and which providers' fields it may read. The identity provider makes
 * it a client; the consent engine registers it.
 */
export interface Consumer {
  readonly id: string;
  readonly name: string;
  readonly clientSecret: string;
  readonly purposes: readonly string[];
  readonly redirectUris: readonly string[];
  /** Per provider: every field ("*") or the fields named. */
  readonly mayRead: Readonly<Record<string, "*" | readonly string[]>>;
}
