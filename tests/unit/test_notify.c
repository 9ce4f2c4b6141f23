/* Unit tests for src/notify.c: what a change notification's payload says
 * changed, and whom a handoff change concerns (the console re-reads the
 * waiting list and queue on nothing else). */
#include "baton/notify.h"

#include <string.h>

#include "check.h"

static struct notify_change parse(const char *payload)
{
	struct notify_change c;
	notify_parse(payload, &c);
	return c;
}

static void test_customer_and_presence(void)
{
	struct notify_change c = parse("customer:42");
	CHECK(c.kind == NOTIFY_CUSTOMER && c.customer_id == 42);
	c = parse("presence:7");
	CHECK(c.kind == NOTIFY_PRESENCE && c.customer_id == 7);
	/* Not an id: nothing is trusted, anything may have changed. */
	CHECK(parse("customer:").kind == NOTIFY_OTHER);
	CHECK(parse("customer:4x").kind == NOTIFY_OTHER);
	CHECK(parse("customer:-1").kind == NOTIFY_OTHER);
	CHECK(parse("customer:0").kind == NOTIFY_OTHER);
	CHECK(parse("customer:1234567890123456789").kind == NOTIFY_OTHER);
	CHECK(parse(NULL).kind == NOTIFY_OTHER);
	CHECK(parse("").kind == NOTIFY_OTHER);
	CHECK(parse("something:new").kind == NOTIFY_OTHER);
}

static void test_handoff(void)
{
	struct notify_change c = parse("handoff:12:success:ben");
	CHECK(c.kind == NOTIFY_HANDOFF && c.customer_id == 12);
	CHECK_STR(c.team[0], "success");
	CHECK_STR(c.staff[0], "ben");
	CHECK_STR(c.team[1], "");
	CHECK_STR(c.staff[1], "");
	c = parse("handoff:12:support:");
	CHECK(c.kind == NOTIFY_HANDOFF);
	CHECK_STR(c.team[0], "support");
	CHECK_STR(c.staff[0], "");
	/* Reassigned: whom it was for before, too. */
	c = parse("handoff:3:support:ana:success:");
	CHECK(c.kind == NOTIFY_HANDOFF && c.customer_id == 3);
	CHECK_STR(c.team[0], "support");
	CHECK_STR(c.staff[0], "ana");
	CHECK_STR(c.team[1], "success");
	CHECK_STR(c.staff[1], "");
	/* Malformed: too few or too many fields, no customer, a field too
	 * long to be a team. */
	CHECK(parse("handoff:12:success").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:12:a:b:c").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:12:a:b:c:d:e").kind == NOTIFY_OTHER);
	CHECK(parse("handoff::success:ben").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:12:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:ben").kind == NOTIFY_OTHER);
	/* Before 017 nothing said which handoff: a change of some row. */
	c = parse("handoff:12:success:ben");
	CHECK(c.handoff[0] == '\0' && c.row_changed);
}

/* Migration 017: the handoff itself, what it is now, its place in the
 * waiting list's order, and whether its row changed. */
static void test_handoff_named(void)
{
	struct notify_change c =
		parse("handoff:12:success:ben:::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:1764489600123456:row");
	CHECK(c.kind == NOTIFY_HANDOFF && c.customer_id == 12 && c.row_changed);
	CHECK_STR(c.team[0], "success");
	CHECK_STR(c.staff[0], "ben");
	CHECK_STR(c.team[1], "");
	CHECK_STR(c.handoff, "0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11");
	CHECK_STR(c.state, "open");
	CHECK(c.created_us == 1764489600123456LL);
	/* Reassigned, and a comment. */
	c = parse("handoff:3:support::success:ben:0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:acknowledged:-5:row");
	CHECK(c.kind == NOTIFY_HANDOFF && c.created_us == -5);
	CHECK_STR(c.team[1], "success");
	CHECK_STR(c.staff[1], "ben");
	CHECK_STR(c.state, "acknowledged");
	CHECK(notify_handoff_for(&c, NULL, "ben"));
	c = parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:comment");
	CHECK(c.kind == NOTIFY_HANDOFF && !c.row_changed);
	/* Malformed: not a uuid, no state, not a number, an unknown kind of
	 * change, a field too many or too few. */
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e1:open:7:row").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0E0D0F4C-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0e0d0f4c_0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11::7:row").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7x:row").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:rows").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row:x").kind == NOTIFY_OTHER);
	c = parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row:x");
	CHECK(c.handoff[0] == '\0' && c.customer_id == 0);
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row:").kind == NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row:urgentx").kind ==
	      NOTIFY_OTHER);
	CHECK(parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row:urgent:x").kind ==
	      NOTIFY_OTHER);
}

/* Migration 085: the handoff's priority, so that the waiting list knows
 * where an urgent one goes; a payload of 017 does not say it. */
static void test_handoff_priority(void)
{
	struct notify_change c =
		parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row:urgent");
	CHECK(c.kind == NOTIFY_HANDOFF && c.urgent == 1 && c.row_changed && c.created_us == 7);
	CHECK_STR(c.state, "open");
	c = parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:comment:high");
	CHECK(c.kind == NOTIFY_HANDOFF && c.urgent == 0 && !c.row_changed);
	c = parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:deleted:7:row:low");
	CHECK(c.kind == NOTIFY_HANDOFF && c.urgent == 0);
	c = parse("handoff:3:support::::0e0d0f4c-0f7b-4f2a-9a53-1c3d7b0a8e11:open:7:row");
	CHECK(c.kind == NOTIFY_HANDOFF && c.urgent == -1);
}

static void test_staff(void)
{
	struct notify_change c = parse("staff:ana");
	CHECK(c.kind == NOTIFY_STAFF);
	CHECK_STR(c.role, "ana");
	CHECK(c.customer_id == 0);
}

static void test_handoff_for(void)
{
	struct notify_change c = parse("handoff:12:success:ben");
	CHECK(notify_handoff_for(&c, "success", "ana"));
	CHECK(notify_handoff_for(&c, "support", "ben"));
	CHECK(!notify_handoff_for(&c, "support", "ana"));
	CHECK(!notify_handoff_for(&c, "", ""));
	CHECK(!notify_handoff_for(&c, NULL, NULL));
	/* A team-wide handoff is nobody's in particular. */
	c = parse("handoff:12:marketing:");
	CHECK(!notify_handoff_for(&c, "support", ""));
	CHECK(!notify_handoff_for(&c, NULL, ""));
	/* Reassigned away from support: support's list loses it. */
	c = parse("handoff:3:marketing:mia:support:ana");
	CHECK(notify_handoff_for(&c, "support", NULL));
	CHECK(notify_handoff_for(&c, NULL, "ana"));
	CHECK(notify_handoff_for(&c, "marketing", NULL));
	CHECK(!notify_handoff_for(&c, "success", "ben"));
	/* Writes that are not about a handoff are no one's handoffs; what
	 * cannot be read may be anyone's. */
	c = parse("customer:12");
	CHECK(!notify_handoff_for(&c, "support", "ana"));
	c = parse("staff:ana");
	CHECK(!notify_handoff_for(&c, "support", "ana"));
	c = parse("gibberish");
	CHECK(notify_handoff_for(&c, "support", "ana"));
}

int main(void)
{
	RUN(test_customer_and_presence);
	RUN(test_handoff);
	RUN(test_handoff_named);
	RUN(test_handoff_priority);
	RUN(test_staff);
	RUN(test_handoff_for);
	return check_done();
}
