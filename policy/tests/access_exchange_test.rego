# The rules that read the exchange's register (grants per purpose, suspension) and the exchange staff's rules; the
# helpers (consumers, decide, read, write, field) are in access_test.rego.
package ndx.access_test

import data.ndx.access

# --- the register's data: grants per purpose, suspension ---------------------------------------------------------

test_a_grant_counts_only_for_its_purpose if {
	other := object.union(consumers, {"benefits-app": object.union(consumers["benefits-app"], {
		"purposes": {"benefit-eligibility": {"maxConsentDays": 30}, "fraud-check": {"maxConsentDays": 30}},
		"grants": {"fraud-check": {"dmt": ["Person.vehicles"]}},
	})})
	inp := read("benefits-app", "benefit-eligibility", [field("dmt", "Person.vehicles")], true)
	d := access.decision with input as inp with data.consumers as other
	d.reasons == ["benefits-app may not read Person.vehicles from dmt"]
	access.decision.allow with input as object.union(inp, {"purpose": "fraud-check"}) with data.consumers as other
}

test_no_grant_no_read_even_with_consent if {
	without := object.union(object.remove(consumers, ["passport-app"]), {"passport-app": object.union(object.remove(consumers["passport-app"], ["grants"]), {"grants": {}})})
	d := access.decision with input as read("passport-app", "passport-application", [field("dmt", "Person.vehicles")], true) with data.consumers as without
	d.reasons == ["passport-app may not read Person.vehicles from dmt"]
}

test_a_suspended_application_is_told_only_that if {
	suspended := object.union(consumers, {"passport-app": object.union(consumers["passport-app"], {"suspended": true})})
	allowed := read("passport-app", "passport-application", [field("registry", "Person.fullName")], true)
	d := access.decision with input as allowed with data.consumers as suspended
	d == {"allow": false, "reasons": ["application suspended"], "consentRequired": false}

	# Whatever else is wrong with the request: the suspension is the only reason given.
	wrong := read("passport-app", "benefit-eligibility", [field("dmt", "Person.vehicles"), {"provider": "registry", "field": "Person.hivStatus", "classification": "SENSITIVE"}], false)
	e := access.decision with input as wrong with data.consumers as suspended
	e.reasons == ["application suspended"]
	not e.consentRequired

	# Other applications are not affected.
	decide_allows(read("benefits-app", "benefit-eligibility", [field("registry", "Person.fullName")], true))
}

# --- exchange staff ----------------------------------------------------------------------------------------------

exchange_field(name) := {"provider": "exchange", "field": name, "classification": "INTERNAL"}

exchange_read(roles, fields) := {"caller": "staff", "operation": "query", "roles": roles, "subjects": [], "fields": fields, "time": weekday_noon}

test_exchange_staff_read_the_exchange_types if {
	fields := [exchange_field("Query.members"), exchange_field("Member.code"), exchange_field("Application.status")]
	every role in ["exchange_admin", "member_admin", "provider_data_owner"] {
		decide_allows(exchange_read([role], fields))
	}
}

test_exchange_staff_read_only_the_exchange_types if {
	d := decide(exchange_read(["exchange_admin"], [exchange_field("Query.members"), field("registry", "Person.district")]))
	d.reasons == ["registry staff need the registrar or approver role"]
	e := decide(exchange_read(["member_admin"], [field("drp", "Person.profession")]))
	e.reasons == ["registry staff may not read Person.profession from drp", "registry staff need the registrar or approver role"]
}

test_registry_staff_rules_unchanged_for_exchange_staff_who_are_also_registrars if {
	decide_allows(exchange_read(["exchange_admin", "registrar"], [exchange_field("Query.members"), field("registry", "Person.district")]))
}

test_registry_staff_may_not_read_the_exchange_types if {
	d := decide(exchange_read(["registrar", "approver"], [exchange_field("Query.members")]))
	d.reasons == ["Query.members is for exchange staff (exchange_admin, member_admin, provider_data_owner)"]
}

test_consumers_may_not_read_the_exchange_types if {
	d := decide(read("passport-app", "passport-application", [exchange_field("Query.applications")], true))
	"Query.applications is for exchange staff only" in d.reasons
	not d.allow

	# The field catalogue is public.
	decide_allows(read("passport-app", "passport-application", [{"provider": "exchange", "field": "Query.exchangeFields", "classification": "PUBLIC"}], true))
}

exchange_writes := {
	"registerMember": {"exchange_admin"},
	"setMemberPerson": {"exchange_admin"},
	"suspendApplication": {"exchange_admin"},
	"reinstateApplication": {"exchange_admin"},
	"decideGrantRequest": {"exchange_admin"},
	"registerApplication": {"member_admin"},
	"rotateApplicationSecret": {"member_admin"},
	"setApplicationTranslations": {"member_admin"},
	"requestFieldGrant": {"member_admin"},
	"withdrawGrantRequest": {"member_admin"},
	"reviewGrantRequest": {"provider_data_owner"},
	"revokeFieldGrant": {"exchange_admin", "provider_data_owner"},
	"publishSchemaVersion": {"exchange_admin", "provider_data_owner"},
	"activateSchemaVersion": {"exchange_admin"},
	"rollbackSchema": {"exchange_admin"},
}

test_exchange_mutations_by_role if {
	every m, allowed in exchange_writes {
		every role in {"exchange_admin", "member_admin", "provider_data_owner", "registrar", "approver"} {
			expected := role in allowed
			decide(write([role], [m])).allow == expected
		}
	}
}

test_exchange_mutation_refused_names_the_roles if {
	d := decide(write(["member_admin"], ["suspendApplication"]))
	d.reasons == ["suspendApplication needs one of the roles exchange_admin"]
	e := decide(write(["member_admin"], ["revokeFieldGrant"]))
	e.reasons == ["revokeFieldGrant needs one of the roles exchange_admin, provider_data_owner"]
}

test_exchange_mutation_reading_back_exchange_types if {
	inp := object.union(write(["member_admin"], ["registerApplication"]), {"fields": [exchange_field("ApplicationCredentials.clientId"), exchange_field("Application.id")]})
	decide_allows(inp)
}

test_only_signed_in_staff_administer_the_exchange if {
	inp := object.union(write(["exchange_admin"], ["suspendApplication"]), {"caller": "consumer", "consumer": {"id": "passport-app"}})
	d := decide(inp)
	"only signed-in staff may write to a register" in d.reasons
	not d.allow
}

test_schema_registry_activation_refused_names_the_role if {
	d := decide(write(["provider_data_owner"], ["activateSchemaVersion"]))
	d.reasons == ["activateSchemaVersion needs one of the roles exchange_admin"]
	e := decide(write(["member_admin"], ["publishSchemaVersion"]))
	e.reasons == ["publishSchemaVersion needs one of the roles exchange_admin, provider_data_owner"]
}

test_schema_registry_reads_are_for_exchange_staff if {
	decide_allows(exchange_read(["provider_data_owner"], [exchange_field("Query.schemaVersions"), exchange_field("SchemaVersion.checks")]))
	d := decide(read("passport-app", "passport-application", [exchange_field("Query.activeSchema")], true))
	"Query.activeSchema is for exchange staff only" in d.reasons
}
