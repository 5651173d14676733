-- The person register: identity core and birth information (RGD).
CREATE TABLE district (
  name text PRIMARY KEY
);

CREATE TABLE person (
  nic text PRIMARY KEY CHECK (nic ~ '^[0-9]{12}$'),
  full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  birth_registration_number text NOT NULL UNIQUE,
  date_of_birth date NOT NULL,
  birth_place text NOT NULL,
  district text NOT NULL REFERENCES district (name),
  sex text NOT NULL CHECK (sex IN ('female', 'male')),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX person_district_nic ON person (district, nic);
CREATE INDEX person_date_of_birth ON person (date_of_birth);
