/**
 * The language of one request's page: a translator made for it (never kept between requests), whose language switch
 * comes back to the same page (for a form's answer, to the start page, which leads on).
 */
import { localeOf } from "./locales.ts";
import { createTranslator, type Translator } from "./translator.ts";

export function translatorFor(request: Request): Translator {
  const url = new URL(request.url);
  const here = request.method === "GET" ? url.pathname + url.search : "/";
  return createTranslator(localeOf(request), here);
}
