package ndx.access_test

import data.ndx.access

weekday_noon := {"iso": "2026-11-23T12:00:00Z", "weekday": "Monday", "hour": 12, "timezone": "Africa/Lusaka"}

# What the gateway derives from the exchange's register (gateway/src/access/registerData.ts) for the seeded
# applications: their purposes, their live field grants per purpose and provider, clearance, bulk access, suspension.
consumers := {
	"passport-app": {
		"purposes": {"passport-application": {"maxConsentDays": 30}},
		"grants": {"passport-application": {
			"registry": ["Person.fullName", "Person.dateOfBirth", "Person.hivStatus", "Person.district"],
			"drp": ["Person.permanentAddress", "Person.profession"],
			"dmt": ["Person.vehicles"],
		}},
		"clearance": "PERSONAL",
		"bulkAccess": false,
		"suspended": false,
	},
	"benefits-app": {
		"purposes": {"benefit-eligibility": {"maxConsentDays": 30}},
		"grants": {"benefit-eligibility": {
			"registry": ["Person.fullName", "Person.dateOfBirth"],
			"drp": ["Person.registeredName", "Person.permanentAddress"],
		}},
		"clearance": "PERSONAL",
		"bulkAccess": false,
		"suspended": false,
	},
}

# The decision with the register's data set, as the gateway sets it.
decide(inp) := d if {
	d := access.decision with input as inp with data.consumers as consumers
}

decide_allows(inp) if decide(inp).allow

field(provider, name) := {"provider": provider, "field": name, "classification": "PERSONAL"}

read(consumer, purpose, fields, covered) := {
	"caller": "consumer",
	"operation": "query",
	"consumer": {"id": consumer},
	"purpose": purpose,
	"subjects": ["199012345678"],
	"fields": fields,
	"consent": {"covered": covered},
	"time": weekday_noon,
}

test_passport_app_with_consent_is_allowed if {
	d := decide(read("passport-app", "passport-application", [field("registry", "Person.fullName"), field("drp", "Person.permanentAddress"), field("dmt", "Person.vehicles")], true))
	d.allow
	d.reasons == []
}

test_missing_consent_asks_for_consent_and_does_not_allow if {
	d := decide(read("passport-app", "passport-application", [field("registry", "Person.fullName")], false))
	not d.allow
	d.consentRequired
	d.reasons == []
}

test_benefits_app_may_not_read_vehicles_whatever_the_consent if {
	d := decide(read("benefits-app", "benefit-eligibility", [field("registry", "Person.fullName"), field("dmt", "Person.vehicles")], true))
	not d.allow
	not d.consentRequired
	d.reasons == ["benefits-app may not read Person.vehicles from dmt"]
}

test_benefits_app_may_not_read_profession if {
	d := decide(read("benefits-app", "benefit-eligibility", [field("drp", "Person.profession")], false))
	not d.allow
	not d.consentRequired
	d.reasons == ["benefits-app may not read Person.profession from drp"]
}

test_benefits_app_may_read_its_listed_drp_fields if {
	decide_allows(read("benefits-app", "benefit-eligibility", [field("drp", "Person.permanentAddress"), field("registry", "Person.dateOfBirth")], true))
}

test_purpose_must_be_registered_for_the_consumer if {
	d := decide(read("passport-app", "benefit-eligibility", [field("registry", "Person.fullName")], true))
	d.reasons == ["purpose \"benefit-eligibility\" is not registered for passport-app"]
}

test_unknown_consumer_is_denied if {
	d := decide(read("stranger-app", "passport-application", [field("registry", "Person.fullName")], true))
	not d.allow
	"stranger-app is not a registered consumer" in d.reasons
}

test_sensitive_field_needs_clearance if {
	sensitive := {"provider": "registry", "field": "Person.hivStatus", "classification": "SENSITIVE"}
	d := decide(read("passport-app", "passport-application", [sensitive], true))
	d.reasons == ["Person.hivStatus is SENSITIVE data; passport-app is cleared for PERSONAL at most"]
}

test_public_data_needs_neither_listing_nor_consent if {
	public := {"provider": "registry", "field": "Query.districts", "classification": "PUBLIC"}
	inp := object.union(read("benefits-app", "benefit-eligibility", [public], false), {"subjects": []})
	decide_allows(inp)
}

test_personal_data_without_a_subject_needs_bulk_access if {
	inp := object.union(read("passport-app", "passport-application", [field("registry", "Person.fullName")], false), {"subjects": []})
	d := decide(inp)
	d.reasons == ["passport-app may not read personal data without naming the citizen (no bulk access)"]
	access.decision.allow with input as inp with data.consumers as consumers with data.consumers["passport-app"].bulkAccess as true
}

test_access_window_is_enforced if {
	window := {"days": ["Monday", "Tuesday"], "fromHour": 8, "toHour": 17}
	inside := read("passport-app", "passport-application", [field("registry", "Person.fullName")], true)
	access.decision.allow with input as inside with data.consumers as consumers with data.consumers["passport-app"].accessWindow as window
	night := object.union(inside, {"time": object.union(weekday_noon, {"hour": 22})})
	d := access.decision with input as night with data.consumers as consumers with data.consumers["passport-app"].accessWindow as window
	d.reasons == ["passport-app may read only on Monday, Tuesday, 08:00 to 17:00 (Africa/Lusaka)"]
}

test_too_many_citizens_in_one_request if {
	inp := object.union(read("passport-app", "passport-application", [field("registry", "Person.fullName")], true), {"subjects": numbers.range(1, 11)})
	d := decide(inp)
	d.reasons == ["purpose \"passport-application\" allows at most 10 citizens in one request"]
}

write(roles, mutations) := {"caller": "staff", "operation": "mutation", "roles": roles, "mutations": mutations, "time": weekday_noon}

test_registrar_may_submit_but_not_approve if {
	decide_allows(write(["registrar"], ["submitChangeRequest"]))
	d := decide(write(["registrar"], ["approveChangeRequest"]))
	d.reasons == ["approveChangeRequest needs one of the roles approver"]
}

test_writes_ignore_consent if {
	decide_allows(write(["registrar", "approver"], ["approveChangeRequest"]))
}

test_consumer_apps_may_not_write if {
	inp := object.union(write(["registrar"], ["submitChangeRequest"]), {"caller": "consumer", "consumer": {"id": "passport-app"}})
	d := decide(inp)
	"only signed-in staff may write to a register" in d.reasons
}

test_unknown_mutation_is_denied if {
	d := decide(write(["registrar"], ["dropEverything"]))
	d.reasons == ["dropEverything is not an allowed write"]
}

test_subscriptions_are_not_served if {
	d := decide({"caller": "consumer", "operation": "subscription", "consumer": {"id": "passport-app"}, "time": weekday_noon})
	not d.allow
	"operation type \"subscription\" is not served" in d.reasons
}

staff_read(roles, fields) := {"caller": "staff", "operation": "query", "roles": roles, "subjects": ["197712240099"], "fields": fields, "time": weekday_noon}

test_registry_staff_read_the_register_without_consent if {
	d := decide(staff_read(["registrar"], [field("registry", "Person.district")]))
	d.allow
	not d.consentRequired
}

test_registry_staff_may_not_read_other_agencies if {
	d := decide(staff_read(["registrar", "approver"], [field("drp", "Person.profession")]))
	d.reasons == ["registry staff may not read Person.profession from drp"]
}

test_staff_without_a_registry_role_read_nothing if {
	d := decide(staff_read([], [field("registry", "Person.district")]))
	d.reasons == ["registry staff need the registrar or approver role"]
}

test_citizen_tokens_are_not_for_the_exchange if {
	d := decide(object.union(staff_read([], [field("registry", "Person.district")]), {"caller": "citizen"}))
	"citizens see their own data and consents in the consent portal, not through the exchange" in d.reasons
}

test_consumers_may_not_read_change_requests_or_register_records if {
	fields := [
		{"provider": "registry", "field": "ChangeRequestConnection.totalCount", "classification": "INTERNAL"},
		{"provider": "registry", "field": "ChangeRequest.payload", "classification": "SENSITIVE"},
		{"provider": "registry", "field": "RegisterRecord.data", "classification": "SENSITIVE"},
	]
	d := decide(read("passport-app", "passport-application", fields, true))
	not d.allow
	"ChangeRequestConnection.totalCount is for registry staff only" in d.reasons
	"ChangeRequest.payload is for registry staff only" in d.reasons
	"RegisterRecord.data is for registry staff only" in d.reasons
}

test_staff_only_types_are_data if {
	inp := read("passport-app", "passport-application", [{"provider": "registry", "field": "Register.name", "classification": "PUBLIC"}], true)
	decide_allows(inp)
	d := access.decision with input as inp with data.consumers as consumers with data.staffOnlyTypes as ["Register"]
	d.reasons == ["Register.name is for registry staff only"]
}

test_registry_staff_read_change_requests if {
	fields := [
		{"provider": "registry", "field": "ChangeRequest.status", "classification": "INTERNAL"},
		{"provider": "registry", "field": "RegisterRecord.data", "classification": "SENSITIVE"},
	]
	decide_allows(object.union(staff_read(["registrar"], fields), {"subjects": []}))
}

test_staff_submit_reading_the_change_request_back if {
	inp := object.union(write(["registrar"], ["submitChangeRequest"]), {"fields": [{"provider": "registry", "field": "ChangeRequest.id", "classification": "INTERNAL"}]})
	decide_allows(inp)
}
