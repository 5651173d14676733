/**
 * The catalogue of fields a consent can cover, with the plain-language labels the portal shows, read from
 * field-catalogue.json (data, not code). A field not in the catalogue cannot be asked for. Purposes and their texts
 * are not here: they are the exchange's register's (register/applicationRegister.ts).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ScopeItem } from "./scope.ts";
import { personalFieldsOf } from "./supergraphFields.ts";

/** consent-engine/field-catalogue.json */
export const defaultCatalogueFile: string = resolve(import.meta.dirname, "../field-catalogue.json");

export interface CatalogueProvider {
  readonly id: string;
  readonly label: string;
  readonly fields: readonly { readonly field: string; readonly label: string }[];
}

export interface FieldCatalogue {
  readonly providers: readonly CatalogueProvider[];
  has(item: ScopeItem): boolean;
  providerLabel(provider: string): string;
  fieldLabel(item: ScopeItem): string;
  /** For GET /v1/fields. */
  toJSON(): unknown;
}

interface CatalogueFile {
  providers: Record<string, { label: string; fields: Record<string, string> }>;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && Object.values(value).every((v) => typeof v === "string");
}

function validate(value: unknown, file: string): CatalogueFile {
  const bad = (why: string) => new Error(`${file}: ${why}`);
  if (typeof value !== "object" || value === null) throw bad("not a JSON object");
  const { providers } = value as Record<string, unknown>;
  if (typeof providers !== "object" || providers === null) throw bad("providers must be an object");
  for (const [id, provider] of Object.entries(providers)) {
    if (!/^[a-z][a-z0-9-]*$/.test(id)) throw bad(`provider id ${id} is not lower-case`);
    if (typeof provider !== "object" || provider === null) throw bad(`provider ${id} must be an object`);
    const { label, fields } = provider as Record<string, unknown>;
    if (typeof label !== "string" || label === "") throw bad(`provider ${id} needs a label`);
    if (!isStringRecord(fields)) throw bad(`provider ${id}: fields must map Type.field to a label`);
    for (const field of Object.keys(fields)) {
      if (!/^[A-Z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/.test(field)) throw bad(`${id}: ${field} is not Type.field`);
    }
  }
  return value as CatalogueFile;
}

/**
 * What the portal shows for a purpose the application has not registered: never the purpose as it was sent (it could
 * say anything).
 */
export const unregisteredPurpose = "A purpose that is not registered with the exchange";

export function loadFieldCatalogue(file: string = defaultCatalogueFile): FieldCatalogue {
  const data = validate(JSON.parse(readFileSync(file, "utf8")), file);
  const providers: CatalogueProvider[] = Object.entries(data.providers).map(([id, p]) => ({
    id,
    label: p.label,
    fields: Object.entries(p.fields).map(([field, label]) => ({ field, label })),
  }));
  const labels = new Map<string, string>();
  for (const p of providers) for (const f of p.fields) labels.set(`${p.id}\u0000${f.field}`, f.label);
  return {
    providers,
    has: (item) => labels.has(`${item.provider}\u0000${item.field}`),
    providerLabel: (provider) => data.providers[provider]?.label ?? provider,
    fieldLabel: (item) => labels.get(`${item.provider}\u0000${item.field}`) ?? item.field,
    toJSON: () => ({ providers }),
  };
}

/** A catalogue that follows the supergraph the gateways serve (the schema registry's activations). */
export interface FollowingCatalogue extends FieldCatalogue {
  /** Adds the personal fields of a newly active supergraph that the file does not list. */
  apply(supergraphSdl: string): void;
}

/**
 * The file's catalogue, plus the PERSONAL and SENSITIVE fields (undeclared counts as PERSONAL) of the active supergraph
 * it does not list, each labelled with its SDL description (or its name): a field activated live can be asked for
 * as soon as the gateways serve it. The file's labels always win; a field the supergraph no longer has stays listed
 * (nothing can read it, and consents that name it keep their meaning).
 */
export function followingSupergraph(file: FieldCatalogue): FollowingCatalogue {
  let current = file;
  const build = (extra: ReadonlyMap<string, ReadonlyMap<string, string>>): FieldCatalogue => {
    const providers: CatalogueProvider[] = file.providers.map((p) => ({
      ...p,
      fields: [...p.fields, ...[...(extra.get(p.id) ?? [])].filter(([field]) => !p.fields.some((f) => f.field === field)).map(([field, label]) => ({ field, label }))],
    }));
    for (const [id, fields] of extra) {
      if (!providers.some((p) => p.id === id)) providers.push({ id, label: id, fields: [...fields].map(([field, label]) => ({ field, label })) });
    }
    const labels = new Map<string, string>();
    for (const p of providers) for (const f of p.fields) labels.set(`${p.id}\u0000${f.field}`, f.label);
    return {
      providers,
      has: (item) => labels.has(`${item.provider}\u0000${item.field}`),
      providerLabel: (provider) => file.providerLabel(provider),
      fieldLabel: (item) => labels.get(`${item.provider}\u0000${item.field}`) ?? item.field,
      toJSON: () => ({ providers }),
    };
  };
  return {
    get providers() {
      return current.providers;
    },
    has: (item) => current.has(item),
    providerLabel: (provider) => current.providerLabel(provider),
    fieldLabel: (item) => current.fieldLabel(item),
    toJSON: () => current.toJSON(),
    apply(supergraphSdl) {
      current = build(personalFieldsOf(supergraphSdl));
    },
  };
}
