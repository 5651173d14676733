/**
 * The OAuth client registrar the exchange is given (helper H2 writes clientRegistration.ts with the real one, over
 * OIDC Dynamic Client Registration). These are its types, as the shared brief fixes them.
 */
export interface ClientRegistration {
  clientId: string;
  clientSecret?: string;
  registrationAccessToken: string;
  registrationClientUri: string;
}

export interface RegisteredClient {
  clientId: string;
  registrationAccessToken: string;
  registrationClientUri: string;
}

export interface ClientRegistrar {
  register(input: { name: string; authMethod: "client_secret_basic" | "private_key_jwt"; jwks?: object }): Promise<ClientRegistration>;
  rotateSecret(client: RegisteredClient): Promise<ClientRegistration>;
  remove(client: RegisteredClient): Promise<void>;
  readonly tokenEndpoint: string;
}
