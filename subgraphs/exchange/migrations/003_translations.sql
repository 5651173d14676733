-- Registered texts in the agency's language, with translations (issue 22): the language of an application's name,
-- description and purpose texts (a BCP 47 tag), and translations of its name and of each purpose's citizen text as
-- JSON arrays of {"language", "text"}. Rows registered before keep English and no translation.

ALTER TABLE application ADD COLUMN language text NOT NULL DEFAULT 'en';
ALTER TABLE application ADD COLUMN name_translations jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE purpose ADD COLUMN translations jsonb NOT NULL DEFAULT '[]'::jsonb;
