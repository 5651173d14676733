# Reports: the gateway's own read-outs over HTTP (GET /audit/summary), decided by the policy from the caller's roles
# (data.reports), as writes are; the helpers (decide, read, write, weekday_noon) are in access_test.rego.
package ndx.access_test

import data.ndx.access

report(caller, roles, name) := {"caller": caller, "operation": "report", "report": name, "roles": roles, "subjects": [], "fields": [], "time": weekday_noon}

test_exchange_administrators_read_the_audit_summary if {
	decide(report("staff", ["exchange_admin"], "auditSummary")) == {"allow": true, "reasons": [], "consentRequired": false}
	decide_allows(report("staff", ["member_admin", "exchange_admin"], "auditSummary"))
}

test_other_staff_may_not_read_the_audit_summary if {
	every roles in [[], ["member_admin"], ["provider_data_owner"], ["registrar", "approver"]] {
		d := decide(report("staff", roles, "auditSummary"))
		d.reasons == ["the auditSummary report needs one of the roles exchange_admin"]
		not d.consentRequired
	}
}

test_reports_are_for_signed_in_staff_only if {
	d := decide(object.union(report("consumer", ["exchange_admin"], "auditSummary"), {"consumer": {"id": "passport-app"}}))
	"only signed-in staff may read reports" in d.reasons
	not d.allow
	e := decide(report("citizen", ["exchange_admin"], "auditSummary"))
	"only signed-in staff may read reports" in e.reasons
}

# GET /operational-records: every member's people, for their own traffic (the gateway narrows what each one sees).
test_members_and_exchange_administrators_read_operational_records if {
	every roles in [["exchange_admin"], ["member_admin"], ["provider_data_owner"]] {
		decide_allows(report("staff", roles, "operationalRecords"))
	}
	d := decide(report("staff", ["registrar"], "operationalRecords"))
	d.reasons == ["the operationalRecords report needs one of the roles exchange_admin, member_admin, provider_data_owner"]
	e := decide(object.union(report("consumer", ["member_admin"], "operationalRecords"), {"consumer": {"id": "passport-app"}}))
	"only signed-in staff may read reports" in e.reasons
}

test_an_unknown_report_is_denied if {
	d := decide(report("staff", ["exchange_admin"], "everything"))
	d.reasons == ["everything is not a report"]
}

test_the_report_roles_are_data if {
	d := access.decision with input as report("staff", ["auditor"], "auditSummary") with data.consumers as consumers with data.reports as {"auditSummary": ["auditor"]}
	d.allow
	e := access.decision with input as report("staff", ["exchange_admin"], "auditSummary") with data.consumers as consumers with data.reports as {"auditSummary": ["auditor"]}
	not e.allow
}
