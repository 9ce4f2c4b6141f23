/* Screens on the stack, and the database requests that belong to them. */
#include "ui/ui.h"

#include <stdlib.h>

void screen_hold(struct screen *s)
{
	s->refs++;
}

int screen_release(struct screen *s)
{
	s->refs--;
	if (s->alive)
		return 1;
	if (s->refs == 0)
		s->ops->destroy(s);
	return 0;
}

void app_push(struct app *a, struct screen *s)
{
	s->alive = 1;
	s->app = a;
	s->below = a->top;
	a->top = s;
	app_forget_stale_message(a);
	app_presence_follow(a);
	a->dirty = 1;
}

void app_pop(struct app *a)
{
	struct screen *s = a->top;
	if (!s)
		return;
	a->top = s->below;
	s->alive = 0;
	app_forget_stale_message(a);
	/* A screen still awaited by a database answer is freed when it comes. */
	if (s->refs == 0)
		s->ops->destroy(s);
	app_presence_follow(a);
	a->dirty = 1;
	if (!a->top)
		a->quit = 1;
}

/* The dbq tag of a screen's request kind: unique per screen, so that
 * replacing or cancelling touches this screen's requests only. */
#define KINDS_PER_SCREEN 64
static int next_serial;

static int request_tag(struct screen *s, int kind)
{
	if (kind <= 0)
		return 0;
	if (!s->serial)
		s->serial = ++next_serial;
	return s->serial * KINDS_PER_SCREEN + kind % KINDS_PER_SCREEN;
}

struct screen_req {
	struct screen *s;
	struct app *a;
	screen_done_fn done;
};

static void on_screen_answer(void *ctx, PGresult **res, int nres, const char *err)
{
	struct screen_req r = *(struct screen_req *)ctx;
	free(ctx);
	if (!screen_release(r.s) || err == dbq_cancelled)
		return;
	r.done(r.s, r.a, res, nres, err);
	r.a->dirty = 1;
}

void screen_request(struct screen *s, struct app *a, int kind, const struct db_stmt *st, int n,
                    int flags, screen_done_fn done)
{
	struct screen_req *r = malloc(sizeof *r);
	if (!r)
		abort();
	r->s = s;
	r->a = a;
	r->done = done;
	screen_hold(s);
	int tag = request_tag(s, kind), prepare = (flags & REQ_PREPARED) != 0;
	/* Reads may go to a standby (database.read_conninfo); writes never. */
	if (flags & REQ_WRITE)
		(prepare ? dbq_submit_prepared : dbq_submit)(a->db, tag, st, n, 0, on_screen_answer, r);
	else
		dbq_submit_read(a->db, tag, st, n, prepare, on_screen_answer, r);
}

void screen_cancel(struct screen *s, struct app *a, int kind)
{
	int tag = request_tag(s, kind);
	if (tag)
		dbq_cancel_tag(a->db, tag);
}
