-- Applications (names, purposes, redirect URIs, status) now come from the exchange's register, held in memory
-- (src/register/); nothing seeds or reads the consumers table any more. It is dropped, and with it (CASCADE) the
-- foreign key of consents.consumer_id: a consent keeps the id of the application that asked, even once that
-- application has left the register.
DROP TABLE consumers CASCADE;

-- The consent summary (GET /v1/consents/summary) counts the history by day.
CREATE INDEX consent_events_at ON consent_events (at);
