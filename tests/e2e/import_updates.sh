#!/bin/sh
# baton import: a newer export updates the record it already imported, for
# the entities whose update path import_files and import_notes do not walk
# (contacts, milestones, marketing events, survey responses), each with a
# ready mapping of etc/baton-import.cfg: the changed record's row takes the
# new value in place (same id, the record's target_id kept, no second row)
# and the others are unchanged; the same newer file again changes nothing
# and says so; where the mapping reads updated_at, an older export of the
# changed record changes nothing; a milestone whose record names another
# customer moves there, and one naming another step takes it (a swap too).
. "$BATON_ROOT/tests/lib/e2e.sh"
. "$BATON_ROOT/tests/lib/import.sh"

cli_files import_updates
db=$(newdb baton_schema) || { echo "FAIL import_updates: cannot create a test database"; exit 1; }
importer_role "$db"
CFG="$BATON_ROOT/etc/baton-import.cfg"
# target SOURCE ID: the row a record of SOURCE was imported into
target() { sql "SELECT target_id FROM import_record WHERE source = '$1' AND source_id = '$2'"; }
# keeps_row SOURCE ID WAS: the record still names the row WAS (not none)
keeps_row() { [ -n "$3" ] && [ "$(target "$1" "$2")" = "$3" ]; }

cat >"$T/orgs.json" <<'EOF'
{"organizations": [
  {"id": 1, "name": "Northwind Health", "domain_names": ["nwh.example"], "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 2, "name": "Cafe Lumiere", "domain_names": ["cafe-lumiere.example"], "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
imported orgs_imported zendesk-organizations "$T/orgs.json" "2 read, 2 inserted"

# --- contacts (zendesk-users: updated_at read) ---------------------------------------
cat >"$T/users1.json" <<'EOF'
{"users": [
  {"id": 11, "name": "Dana Whitfield", "email": "dana@nwh.example", "organization_id": 1,
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 12, "name": "Erik Lund", "email": "erik@nwh.example", "organization_id": 1,
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 13, "name": "Chloe Martin", "email": "chloe@cafe-lumiere.example", "organization_id": 2,
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
imported contacts_imported zendesk-users "$T/users1.json" \
	"3 read, 3 inserted, 0 updated, 0 unchanged, 0 rejected"
dana=$(target zendesk-users 11)
# A newer export: Dana's name and address changed, later updated_at.
cat >"$T/users2.json" <<'EOF'
{"users": [
  {"id": 11, "name": "Dana Whitfield-Ross", "email": "dana.ross@nwh.example", "organization_id": 1,
   "updated_at": "2026-03-05T10:00:00Z"},
  {"id": 12, "name": "Erik Lund", "email": "erik@nwh.example", "organization_id": 1,
   "updated_at": "2026-03-01T10:00:00Z"},
  {"id": 13, "name": "Chloe Martin", "email": "chloe@cafe-lumiere.example", "organization_id": 2,
   "updated_at": "2026-03-01T10:00:00Z"}
], "end_of_stream": true}
EOF
imported contact_newer_export_updates_one zendesk-users "$T/users2.json" \
	"3 read, 0 inserted, 1 updated, 2 unchanged, 0 rejected"
check contact_record_keeps_its_row keeps_row zendesk-users 11 "$dana"
check contact_updated_in_place \
	[ "$(sql "SELECT name || ' ' || email FROM contact WHERE id = $dana")" = "Dana Whitfield-Ross dana.ross@nwh.example" ]
check contact_not_doubled \
	[ "$(sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE name LIKE 'Dana%') FROM contact")" = "3 1" ]
imported contact_newer_export_again_no_changes zendesk-users "$T/users2.json" \
	"3 read, 0 inserted, 0 updated, 3 unchanged, 0 rejected.*(no changes)"
# An older export of Dana (earlier updated_at, another name): nothing changes.
cat >"$T/users-older.json" <<'EOF'
{"users": [
  {"id": 11, "name": "Dana W.", "email": "dana.w@nwh.example", "organization_id": 1,
   "updated_at": "2026-03-03T10:00:00Z"}
], "end_of_stream": true}
EOF
imported contact_older_export_changes_nothing zendesk-users "$T/users-older.json" \
	"1 read, 0 inserted, 0 updated, 1 unchanged, 0 rejected.*(no changes)"
check contact_newer_value_kept \
	[ "$(sql "SELECT name || ' ' || email FROM contact WHERE id = $dana")" = "Dana Whitfield-Ross dana.ross@nwh.example" ]

# --- milestones (onboarding-milestones: no updated_at) ---------------------------------
cat >"$T/milestones1.csv" <<'EOF'
id,customer_domain,step,title,status,due,completed
m1,nwh.example,1,Kickoff,done,2026-02-01,2026-02-02
m2,nwh.example,2,Data migration,doing,2026-04-01,
m3,cafe-lumiere.example,1,Kickoff,todo,2026-04-15,
EOF
imported milestones_imported onboarding-milestones "$T/milestones1.csv" \
	"3 read, 3 inserted, 0 updated, 0 unchanged, 0 rejected"
m2=$(target onboarding-milestones m2)
# A newer export: the migration is done, on a later due date.
cat >"$T/milestones2.csv" <<'EOF'
id,customer_domain,step,title,status,due,completed
m1,nwh.example,1,Kickoff,done,2026-02-01,2026-02-02
m2,nwh.example,2,Data migration,done,2026-04-08,2026-04-07
m3,cafe-lumiere.example,1,Kickoff,todo,2026-04-15,
EOF
imported milestone_newer_export_updates_one onboarding-milestones "$T/milestones2.csv" \
	"3 read, 0 inserted, 1 updated, 2 unchanged, 0 rejected"
check milestone_record_keeps_its_row keeps_row onboarding-milestones m2 "$m2"
check milestone_updated_in_place \
	[ "$(sql "SELECT status || ' ' || due_date || ' ' || to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
	          FROM milestone WHERE id = $m2")" = "done 2026-04-08 2026-04-07" ]
check milestone_not_doubled \
	[ "$(sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE title = 'Data migration') FROM milestone")" = "3 1" ]
imported milestone_newer_export_again_no_changes onboarding-milestones "$T/milestones2.csv" \
	"3 read, 0 inserted, 0 updated, 3 unchanged, 0 rejected.*(no changes)"

# The tracker corrects m2 to the other customer: the milestone moves there
# (migration 055), after that customer's own (m3 is its step 1).
m2_version=$(sql "SELECT version FROM milestone WHERE id = $m2")
sed 's/^m2,nwh.example,2,/m2,cafe-lumiere.example,2,/' "$T/milestones2.csv" >"$T/milestones3.csv"
imported milestone_moved_record_updates_one onboarding-milestones "$T/milestones3.csv" \
	"3 read, 0 inserted, 1 updated, 2 unchanged, 0 rejected"
check milestone_moves_with_its_record \
	[ "$(sql "SELECT c.domain || ' ' || m.position || ' ' || (m.id = $m2)::text || ' ' || (r.customer_id = m.customer_id)::text
	                 || ' ' || (m.version > $m2_version)::text
	          FROM milestone m JOIN customer c ON c.id = m.customer_id
	          JOIN import_record r ON r.source = 'onboarding-milestones' AND r.source_id = 'm2' AND r.target_id = m.id")" = \
	  "cafe-lumiere.example 2 true true true" ]
check milestone_gone_from_the_first_plan \
	[ "$(sql "SELECT string_agg(m.title, ',' ORDER BY m.position) FROM milestone m JOIN customer c ON c.id = m.customer_id
	          WHERE c.domain = 'nwh.example'")" = "Kickoff" ]

# The tracker reorders Café Lumière's plan: the two milestones swap steps
# (migration 061), whatever the order of their lines.
cat >"$T/milestones4.csv" <<'EOF'
id,customer_domain,step,title,status,due,completed
m1,nwh.example,1,Kickoff,done,2026-02-01,2026-02-02
m3,cafe-lumiere.example,2,Kickoff,todo,2026-04-15,
m2,cafe-lumiere.example,1,Data migration,done,2026-04-08,2026-04-07
EOF
imported milestones_swap_steps onboarding-milestones "$T/milestones4.csv" \
	"3 read, 0 inserted, 2 updated, 1 unchanged, 0 rejected"
check milestones_take_their_new_steps \
	[ "$(sql "SELECT string_agg(m.position || ' ' || m.title, ',' ORDER BY m.position) FROM milestone m
	          JOIN customer c ON c.id = m.customer_id WHERE c.domain = 'cafe-lumiere.example'")" = \
	  "1 Data migration,2 Kickoff" ]
imported milestones_swapped_again_no_changes onboarding-milestones "$T/milestones4.csv" \
	"3 read, 0 inserted, 0 updated, 3 unchanged, 0 rejected"
# A step another milestone keeps (m2, not in this file) is refused, and the
# milestone stays where it was.
printf 'id,customer_domain,step,title,status,due,completed\nm3,cafe-lumiere.example,1,Kickoff again,todo,2026-04-15,\n' \
	>"$T/milestones5.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source onboarding-milestones \
	--rejects "$T/ms5.rej" "$T/milestones5.csv"
expect milestone_to_a_kept_step_rejected \
	sh -c '[ "$1" -eq 1 ] && grep -q "1 read, 0 inserted, 0 updated, 0 unchanged, 1 rejected" "$2" &&
	       grep -q ",2,position,position 1 is taken by another milestone of the customer," "$3"' _ "$rc" "$OUT" "$T/ms5.rej"
check milestone_refused_stays \
	[ "$(sql "SELECT string_agg(m.position || ' ' || m.title, ',' ORDER BY m.position) FROM milestone m
	          JOIN customer c ON c.id = m.customer_id WHERE c.domain = 'cafe-lumiere.example'")" = \
	  "1 Data migration,2 Kickoff" ]
# A shift by two, its lines by step, last first: each milestone waits
# after the steps the file gives, not where another is going.
cat >"$T/milestones6.csv" <<'EOF'
id,customer_domain,step,title,status,due,completed
m4,nwh.example,2,Data import,todo,2026-05-01,
m5,nwh.example,3,Training,todo,2026-05-15,
m6,nwh.example,4,Go-live,todo,2026-06-01,
EOF
imported milestones_for_a_shift onboarding-milestones "$T/milestones6.csv" "3 read, 3 inserted"
cat >"$T/milestones7.csv" <<'EOF'
id,customer_domain,step,title,status,due,completed
m6,nwh.example,6,Go-live,todo,2026-06-01,
m5,nwh.example,5,Training,todo,2026-05-15,
m4,nwh.example,4,Data import,todo,2026-05-01,
EOF
imported milestones_shift_by_two onboarding-milestones "$T/milestones7.csv" \
	"3 read, 0 inserted, 3 updated, 0 unchanged, 0 rejected"
check milestones_shifted \
	[ "$(sql "SELECT string_agg(m.position || ' ' || m.title, ',' ORDER BY m.position) FROM milestone m
	          JOIN customer c ON c.id = m.customer_id WHERE c.domain = 'nwh.example'")" = \
	  "1 Kickoff,4 Data import,5 Training,6 Go-live" ]
# A milestone the tracker moves to the other customer onto a step it names
# takes that step, not the one after the customer's last (migration 156);
# the same file again changes nothing; one naming a step a milestone of
# that customer keeps is refused and stays where it was.
sed 's/^m6,nwh.example,6,/m6,cafe-lumiere.example,5,/' "$T/milestones7.csv" >"$T/milestones8.csv"
imported milestone_moved_onto_its_step onboarding-milestones "$T/milestones8.csv" \
	"3 read, 0 inserted, 1 updated, 2 unchanged, 0 rejected"
check milestone_moved_takes_the_step_named \
	[ "$(sql "SELECT string_agg(m.position || ' ' || m.title, ',' ORDER BY m.position) FROM milestone m
	          JOIN customer c ON c.id = m.customer_id WHERE c.domain = 'cafe-lumiere.example'")" = \
	  "1 Data migration,2 Kickoff,5 Go-live" ]
imported milestone_moved_again_no_changes onboarding-milestones "$T/milestones8.csv" \
	"3 read, 0 inserted, 0 updated, 3 unchanged, 0 rejected"
sed 's/^m5,nwh.example,5,/m5,cafe-lumiere.example,2,/' "$T/milestones8.csv" >"$T/milestones9.csv"
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source onboarding-milestones \
	--rejects "$T/ms9.rej" "$T/milestones9.csv"
expect milestone_moved_onto_a_kept_step_rejected \
	sh -c '[ "$1" -eq 0 ] && grep -q "3 read, 0 inserted, 0 updated, 2 unchanged, 1 rejected" "$2" &&
	       grep -q ",position,position 2 is taken by another milestone of the customer," "$3"' _ "$rc" "$OUT" "$T/ms9.rej"
check milestone_refused_move_stays \
	[ "$(sql "SELECT c.domain || ' ' || m.position FROM milestone m JOIN customer c ON c.id = m.customer_id
	          WHERE m.title = 'Training'")" = "nwh.example 5" ]

# --- marketing events (scheduled-campaigns: no updated_at) -----------------------------
cat >"$T/scheduled1.csv" <<'EOF'
id;recipient;campaign;kind;scheduled
c1;dana.ross@nwh.example;Upgrade to Pro;upsell;15/04/2026 10:30
c2;erik@nwh.example;Spring webinar;webinar;20/04/2026 16:00
c3;chloe@cafe-lumiere.example;Renewal reminder;renewal;01/05/2026 09:00
EOF
imported campaigns_imported scheduled-campaigns "$T/scheduled1.csv" \
	"3 read, 3 inserted, 0 updated, 0 unchanged, 0 rejected"
c2=$(target scheduled-campaigns c2)
# A newer export: the webinar moved to another day and was renamed.
cat >"$T/scheduled2.csv" <<'EOF'
id;recipient;campaign;kind;scheduled
c1;dana.ross@nwh.example;Upgrade to Pro;upsell;15/04/2026 10:30
c2;erik@nwh.example;Spring webinar (moved);webinar;27/04/2026 14:00
c3;chloe@cafe-lumiere.example;Renewal reminder;renewal;01/05/2026 09:00
EOF
imported campaign_newer_export_updates_one scheduled-campaigns "$T/scheduled2.csv" \
	"3 read, 0 inserted, 1 updated, 2 unchanged, 0 rejected"
check campaign_record_keeps_its_row keeps_row scheduled-campaigns c2 "$c2"
check campaign_updated_in_place \
	[ "$(sql "SELECT campaign || ' ' || status || ' ' || to_char(scheduled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
	          FROM marketing_event WHERE id = $c2")" = "Spring webinar (moved) scheduled 2026-04-27 14:00" ]
check campaign_not_doubled \
	[ "$(sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE campaign LIKE 'Spring webinar%')
	          FROM marketing_event")" = "3 1" ]
imported campaign_newer_export_again_no_changes scheduled-campaigns "$T/scheduled2.csv" \
	"3 read, 0 inserted, 0 updated, 3 unchanged, 0 rejected.*(no changes)"

# --- survey responses (zendesk-satisfaction: updated_at read) -------------------------
cat >"$T/ratings1.json" <<'EOF'
{"satisfaction_ratings": [
  {"id": 901, "score": "good", "comment": "quick", "requester_id": 11, "updated_at": "2026-03-03T12:00:00Z"},
  {"id": 902, "score": "bad", "comment": "slow", "requester_id": 12, "updated_at": "2026-03-03T12:00:00Z"},
  {"id": 903, "score": "good", "comment": "thanks", "requester_id": 13, "updated_at": "2026-03-03T12:00:00Z"}
], "next_page": null}
EOF
imported ratings_imported zendesk-satisfaction "$T/ratings1.json" \
	"3 read, 3 inserted, 0 updated, 0 unchanged, 0 rejected"
r902=$(target zendesk-satisfaction 902)
# A newer export: Erik changed his rating from bad to good, with a comment.
cat >"$T/ratings2.json" <<'EOF'
{"satisfaction_ratings": [
  {"id": 901, "score": "good", "comment": "quick", "requester_id": 11, "updated_at": "2026-03-03T12:00:00Z"},
  {"id": 902, "score": "good", "comment": "solved after all", "requester_id": 12,
   "updated_at": "2026-03-06T12:00:00Z"},
  {"id": 903, "score": "good", "comment": "thanks", "requester_id": 13, "updated_at": "2026-03-03T12:00:00Z"}
], "next_page": null}
EOF
imported rating_newer_export_updates_one zendesk-satisfaction "$T/ratings2.json" \
	"3 read, 0 inserted, 1 updated, 2 unchanged, 0 rejected"
check rating_record_keeps_its_row keeps_row zendesk-satisfaction 902 "$r902"
check rating_updated_in_place \
	[ "$(sql "SELECT kind || score || ' ' || comment || ' '
	            || to_char(responded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
	          FROM survey_response WHERE id = $r902")" = "csat5 solved after all 2026-03-06 12:00" ]
check rating_not_doubled \
	[ "$(sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE contact_id = $(target zendesk-users 12))
	          FROM survey_response")" = "3 1" ]
imported rating_newer_export_again_no_changes zendesk-satisfaction "$T/ratings2.json" \
	"3 read, 0 inserted, 0 updated, 3 unchanged, 0 rejected.*(no changes)"
# An older export of Erik's rating (earlier updated_at, another score): nothing changes.
cat >"$T/ratings-older.json" <<'EOF'
{"satisfaction_ratings": [
  {"id": 902, "score": "bad", "comment": "still slow", "requester_id": 12, "updated_at": "2026-03-04T12:00:00Z"}
], "next_page": null}
EOF
imported rating_older_export_changes_nothing zendesk-satisfaction "$T/ratings-older.json" \
	"1 read, 0 inserted, 0 updated, 1 unchanged, 0 rejected.*(no changes)"
check rating_newer_value_kept \
	[ "$(sql "SELECT kind || score || ' ' || comment FROM survey_response WHERE id = $r902")" = "csat5 solved after all" ]
# An answer without the date it was given is rejected, not stamped with the
# import's time: it would be the customer's latest (migration 072).
cat >"$T/ratings-undated.json" <<'EOF'
{"satisfaction_ratings": [
  {"id": 904, "score": "bad", "comment": "from 2019", "requester_id": 11}
], "next_page": null}
EOF
run "$BATON_BIN" -c "$CFG" -d "dbname=$db user=importer" import --source zendesk-satisfaction \
	--rejects "$T/undated.rej" "$T/ratings-undated.json"
expect rating_without_date_rejected sh -c '[ "$1" -eq 1 ] && grep -q "1 read, 0 inserted, 0 updated, 0 unchanged, 1 rejected" "$2" &&
	grep -q ",responded_at,missing date" "$3"' _ "$rc" "$OUT" "$T/undated.rej"
check rating_without_date_not_stored \
	[ "$(sql "SELECT count(*) FROM survey_response WHERE comment = 'from 2019'")" = 0 ]
# A ticket whose record gives no opening time (created_at null) is opened
# at the first time it gives (Zendesk's pages have no solving time: its
# update), not at the import, months after it was solved (migration 156).
cat >"$T/ticket-undated.json" <<'EOF2'
{"tickets": [
  {"id": 7900, "subject": "No created_at", "status": "solved", "organization_id": 1, "requester_id": 11,
   "created_at": null, "updated_at": "2026-03-03T14:00:00Z"},
  {"id": 7901, "subject": "Open, no created_at", "status": "open", "organization_id": 1,
   "updated_at": "2026-03-04T08:00:00Z"}
], "end_of_stream": true}
EOF2
imported undated_tickets_imported zendesk-tickets "$T/ticket-undated.json" "2 read, 2 inserted"
check undated_ticket_opened_when_its_record_first_says \
	[ "$(sql "SELECT string_agg(number || ' ' || to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), ',' ORDER BY number)
	          FROM ticket WHERE number IN ('7900', '7901')")" = "7900 2026-03-03 14:00,7901 2026-03-04 08:00" ]
