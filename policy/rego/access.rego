# METADATA
# title: NDX access policy
# description: |
#   Decides every request before any subgraph is called. Default deny: a read is allowed only when no rule
#   below denies it and, for personal data about an identified citizen, the citizen's consent covers it.
#   Who may read what is data, not code: the static rules' data in data.json, and `data.consumers`, which the gateway
#   derives from the exchange's register (applications, purposes, live field grants, suspensions) and sets at run
#   time (wasm setData), with no rebuild.
package ndx.access

# Data classes, from least to most protected.
levels := {"PUBLIC": 0, "INTERNAL": 1, "PERSONAL": 2, "SENSITIVE": 3}

default decision := {"allow": false, "reasons": ["no rule allowed the request"], "consentRequired": false}

decision := {"allow": allow, "reasons": sort([r | some r in deny]), "consentRequired": consent_required} if not suspended

# A suspended application is told plainly, and only that.
decision := {"allow": false, "reasons": ["application suspended"], "consentRequired": false} if suspended

suspended if {
	input.caller == "consumer"
	consumer.suspended
}

default allow := false

allow if {
	count(deny) == 0
	not consent_required
}

default consent_required := false

consent_required if {
	count(deny) == 0
	reading
	needs_consent
	not input.consent.covered
}

needs_consent if {
	count(input.subjects) > 0
	some f in input.fields
	levels[f.classification] >= levels.PERSONAL
}

consumer := data.consumers[input.consumer.id]

# --- who is asking ---------------------------------------------------------------------------------------------------

deny contains sprintf("%s is not a registered consumer", [input.consumer.id]) if {
	input.caller == "consumer"
	not data.consumers[input.consumer.id]
}

deny contains "citizens see their own data and consents in the consent portal, not through the exchange" if {
	input.caller == "citizen"
}

# Registry staff read the register they keep (to prepare and review change requests), nothing else.
deny contains sprintf("registry staff may not read %s from %s", [f.field, f.provider]) if {
	input.caller == "staff"
	input.operation == "query"
	some f in input.fields
	f.provider != "registry"
	not exchange_field(f)
	f.classification != "PUBLIC"
}

deny contains "registry staff need the registrar or approver role" if {
	input.caller == "staff"
	input.operation == "query"
	count({r | some r in input.roles; r in {"registrar", "approver"}}) == 0
	not exchange_staff_query
}

# Exchange staff (exchange administrators, member administrators, provider data owners) read the exchange's own
# types — members, applications, grant requests, grants — and only those; which member or provider they act for is
# the exchange subgraph's check.
exchange_staff if count({r | some r in input.roles; r in data.exchangeRoles}) > 0

exchange_field(f) if f.provider == data.exchangeProvider

exchange_staff_query if {
	exchange_staff
	every f in input.fields {
		exchange_field(f)
	}
}

deny contains sprintf("%s is for exchange staff (%s)", [f.field, concat(", ", data.exchangeRoles)]) if {
	input.caller == "staff"
	not exchange_staff
	some f in input.fields
	exchange_field(f)
	f.classification != "PUBLIC"
}

deny contains sprintf("%s is for exchange staff only", [f.field]) if {
	input.caller != "staff"
	some f in input.fields
	exchange_field(f)
	f.classification != "PUBLIC"
}

# Change requests, generic register records and their history are the registry staff's working material, not data
# of the exchange: applications read citizens' data through the typed fields (Person...), under consent.
deny contains sprintf("%s is for registry staff only", [f.field]) if {
	input.caller != "staff"
	some f in input.fields
	split(f.field, ".")[0] in data.staffOnlyTypes
}

# --- reads -----------------------------------------------------------------------------------------------------------

deny contains sprintf("purpose \"%s\" is not registered for %s", [input.purpose, input.consumer.id]) if {
	reading
	not consumer.purposes[input.purpose]
}

# A field that is not public is read only under a live field grant for the request's purpose that names it (the
# gateway drops a grant from the data at its end date). Under a purpose that is not registered, that alone is said.
deny contains sprintf("%s may not read %s from %s", [input.consumer.id, f.field, f.provider]) if {
	reading
	consumer.purposes[input.purpose]
	some f in input.fields
	not may_read(f)
}

may_read(f) if f.field in consumer.grants[input.purpose][f.provider]

# Fields every consumer may read whatever its list says: public data.
may_read(f) if f.classification == "PUBLIC"

deny contains sprintf("%s is %s data; %s is cleared for %s at most", [f.field, f.classification, input.consumer.id, consumer.clearance]) if {
	reading
	some f in input.fields
	levels[f.classification] > levels[consumer.clearance]
}

deny contains sprintf("%s may not read personal data without naming the citizen (no bulk access)", [input.consumer.id]) if {
	reading
	count(input.subjects) == 0
	some f in input.fields
	levels[f.classification] >= levels.PERSONAL
	not consumer.bulkAccess
}

deny contains sprintf("purpose \"%s\" allows at most %d citizens in one request", [input.purpose, limit]) if {
	reading
	limit := object.get(consumer.purposes, [input.purpose, "maxSubjectsPerRequest"], data.maxSubjectsPerRequest)
	count(input.subjects) > limit
}

deny contains sprintf("%s may read only on %s, %02d:00 to %02d:00 (%s)", [input.consumer.id, concat(", ", window.days), window.fromHour, window.toHour, input.time.timezone]) if {
	reading
	window := consumer.accessWindow
	not within(window)
}

within(window) if {
	input.time.weekday in window.days
	input.time.hour >= window.fromHour
	input.time.hour < window.toHour
}

reading if {
	input.caller == "consumer"
	input.operation == "query"
}

# --- writes (registry change requests, exchange administration): by the caller's roles; consent does not apply ---

deny contains sprintf("%s needs one of the roles %s", [m, concat(", ", data.writes[m])]) if {
	input.operation == "mutation"
	some m in input.mutations
	data.writes[m]
	count({r | some r in input.roles; r in data.writes[m]}) == 0
}

deny contains sprintf("%s is not an allowed write", [m]) if {
	input.operation == "mutation"
	some m in input.mutations
	not data.writes[m]
}

deny contains "only signed-in staff may write to a register" if {
	input.operation == "mutation"
	input.caller != "staff"
}

# --- reports (the gateway's own read-outs over HTTP, e.g. GET /audit/summary): by the caller's roles -------------------

deny contains sprintf("the %s report needs one of the roles %s", [input.report, concat(", ", data.reports[input.report])]) if {
	input.operation == "report"
	data.reports[input.report]
	count({r | some r in input.roles; r in data.reports[input.report]}) == 0
}

deny contains sprintf("%s is not a report", [input.report]) if {
	input.operation == "report"
	not data.reports[input.report]
}

deny contains "only signed-in staff may read reports" if {
	input.operation == "report"
	input.caller != "staff"
}

deny contains sprintf("operation type \"%s\" is not served", [input.operation]) if {
	not input.operation in {"query", "mutation", "report"}
}
