/**
 * The sign-in pages' words in the languages the consent portal speaks (English, French, Arabic), chosen by the
 * relying party's OpenID Connect `ui_locales` (a space-separated list, most wanted first; RFC 5646 tags, of which
 * the language is what counts). Anything else, or nothing, is English.
 */

export type SignInLocale = "en" | "fr" | "ar";

export interface SignInTexts {
  readonly locale: SignInLocale;
  readonly dir: "ltr" | "rtl";
  readonly header: string;
  readonly headerNote: string;
  readonly signIn: string;
  /** The words before and after the application's name in "to continue to <name>." */
  readonly continueTo: readonly [before: string, after: string];
  readonly username: string;
  readonly password: string;
  readonly cancel: string;
  readonly note: string;
  readonly badCredentials: string;
  readonly expiredTitle: string;
  readonly expiredMessage: string;
}

const english: SignInTexts = {
  locale: "en",
  dir: "ltr",
  header: "NDX sign-in",
  headerNote: "development identity provider",
  signIn: "Sign in",
  continueTo: ["to continue to ", "."],
  username: "NIC number or staff username",
  password: "Password",
  cancel: "Cancel",
  note: "Development accounts come from the Farajaland demo data: citizens sign in with their NIC number.",
  badCredentials: "That NIC number or username and password do not match.",
  expiredTitle: "This sign-in page has expired",
  expiredMessage: "Go back to the application and start again.",
};

const texts: Readonly<Record<SignInLocale, SignInTexts>> = {
  en: english,
  fr: {
    locale: "fr",
    dir: "ltr",
    header: "Connexion NDX",
    headerNote: "fournisseur d’identité de développement",
    signIn: "Se connecter",
    continueTo: ["pour continuer vers ", "."],
    username: "Numéro NIC ou identifiant du personnel",
    password: "Mot de passe",
    cancel: "Annuler",
    note: "Les comptes de développement viennent des données de démonstration de Farajaland : les citoyens se connectent avec leur numéro NIC.",
    badCredentials: "Ce numéro NIC ou cet identifiant ne correspond pas au mot de passe.",
    expiredTitle: "Cette page de connexion a expiré",
    expiredMessage: "Retournez à l’application et recommencez.",
  },
  ar: {
    locale: "ar",
    dir: "rtl",
    header: "تسجيل الدخول إلى NDX",
    headerNote: "مزوّد هوية للتطوير",
    signIn: "تسجيل الدخول",
    continueTo: ["للمتابعة إلى ", "."],
    username: "الرقم الوطني أو اسم مستخدم الموظف",
    password: "كلمة المرور",
    cancel: "إلغاء",
    note: "حسابات التطوير مأخوذة من بيانات فاراجالاند التجريبية: يسجّل المواطنون الدخول برقمهم الوطني.",
    badCredentials: "الرقم الوطني أو اسم المستخدم لا يطابق كلمة المرور.",
    expiredTitle: "انتهت صلاحية صفحة تسجيل الدخول هذه",
    expiredMessage: "ارجع إلى التطبيق وابدأ من جديد.",
  },
};

/** The texts for the first language of `uiLocales` we have; English when none is. */
export function signInTexts(uiLocales: unknown): SignInTexts {
  if (typeof uiLocales !== "string") return english;
  for (const tag of uiLocales.split(" ").slice(0, 10)) {
    const language = tag.split("-")[0]?.toLowerCase();
    if (language === "en" || language === "fr" || language === "ar") return texts[language];
  }
  return english;
}

/**
 * A browser's `Accept-Language` as a `ui_locales` list (most wanted first, `q=0` left out): the language of a page
 * shown when the interaction, and with it the application's `ui_locales`, is gone (its cookie expired or was lost).
 */
export function localesFromAcceptLanguage(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const ranked = header
    .slice(0, 500)
    .split(",")
    .slice(0, 20)
    .map((entry, index) => {
      const [tag = "", ...params] = entry.trim().split(";");
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((l) => l.tag !== "" && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((l) => l.tag).join(" ");
}
