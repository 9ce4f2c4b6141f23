/*
 * The benchmark's load phase: N consoles connected at once, each as the
 * console does it (Baton's own dbq, LISTEN baton, a customer screen over
 * the start screen's waiting list, both prepared), catching up with what
 * a change notification concerns at most once per 250 ms like
 * ui/session.c: its screen re-read, its waiting list kept by src/waiting.c
 * as ui/finder.c keeps it (nothing read, the changed handoffs read by key,
 * or the whole list);
 * meanwhile writers add notes, handoffs and acknowledgements at a steady
 * rate.  Each write sends 'bench:K' in its own transaction first, so a
 * console knows which write the notifications that follow belong to.
 *
 * Reported per N: server CPU per write (utime + stime of the server's
 * processes from /proc, the postmaster's waited-for children included),
 * the part of it in the consoles' and the writers' backends, write-to-screen
 * latency (from sending the write to an affected console having caught up,
 * its reads answered if it needed any; per console and per write, i.e.
 * until every affected console has it), server memory per session (Pss and
 * anonymous memory of the backends, /proc/PID/smaps_rollup), failures,
 * among them waiting lists unlike a fresh read once everything settled.
 *
 * Environment: BATON_BENCH_CONSOLES ("100 500"), BATON_BENCH_LOAD_SECONDS
 * (30), BATON_BENCH_WRITE_RATE (writes per second, 5), BATON_BENCH_LOAD_WARMUP
 * (screens of other customers each console reads before the writes, 6).
 */
#include "baton/customer.h"
#include "baton/db.h"
#include "baton/finder.h"
#include "baton/note.h"
#include "baton/notify.h"
#include "baton/waiting.h"

#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

/* As the console (ui/session.c): a screen re-reads at most this often. */
#define RELOAD_INTERVAL_MS 250.0
#define POOL 50           /* customers the consoles show and writers write about */
#define MAX_COVER 64      /* writes one re-read may cover */
#define TARGET_LATENCY_P99_MS 1000.0
#define TARGET_CPU_PCT 50.0

struct sim {
	struct dbq *q;
	char conninfo[256];
	char role[64], team[33];
	char idtxt[24];
	long long customer;
	int ready, failed, loaded;
	int cur;                  /* the write whose notifications arrive now */
	int want_screen, want_waiting;
	int pending[MAX_COVER];   /* writes that concern it, not yet re-read */
	int npending;
	int covered[MAX_COVER];   /* writes the re-reads in flight cover */
	int ncovered;
	int outstanding;          /* re-reads in flight */
	double reload_at;
	struct waiting_live wl;   /* its waiting list, as the console keeps it */
};

struct load {
	struct sim *sims;
	int n;
	struct dbq *writer[4];
	int writer_ready[4];
	const char *teams[4];
	long long pool[POOL];
	long long ncust;
	int warm;                 /* screens of other customers each console reads first */
	int nwrites, cap;
	double *sent_at;          /* per write */
	double *all_done;         /* per write: the last affected console's re-read */
	int *affected;
	int *expected;            /* per write: consoles it concerns */
	int write_errors, read_errors;
	struct stats lat;         /* per (console, write) */
	long long screen_reads, waiting_reads, waiting_fetches, waiting_kept;
	int unequal;              /* consoles whose list is not a fresh read's, at the end */
	char (*open_ids)[37];     /* handoffs created and not yet acknowledged */
	int *open_team;
	long long *open_customer;
	int nopen, open_head;
};

static struct load L;

static void sim_cover(struct sim *s, double done)
{
	for (int i = 0; i < s->ncovered; i++) {
		int k = s->covered[i];
		double ms = done - L.sent_at[k];
		st_add(&L.lat, ms);
		if (ms > L.all_done[k])
			L.all_done[k] = ms;
		L.affected[k]++;
	}
	s->ncovered = 0;
}

/* One of a console's re-reads is answered: when none is left, the
 * writes they cover are on its screen. */
static void sim_answered(struct sim *s)
{
	if (--s->outstanding == 0) {
		s->loaded = 1;
		sim_cover(s, now_ms());
	}
}

static void on_read(void *ctx, PGresult **res, int nres, const char *err)
{
	struct sim *s = ctx;
	(void)res;
	(void)nres;
	if (err == dbq_cancelled)
		return;
	if (err)
		L.read_errors++;
	sim_answered(s);
}

static void on_waiting_read(void *ctx, PGresult **res, int nres, const char *err)
{
	struct sim *s = ctx;
	struct waiting_list fresh;
	if (err == dbq_cancelled)
		return;
	if (err || nres != 1 || finder_waiting_read(res[0], &fresh) < 0) {
		L.read_errors++;
		waiting_failed(&s->wl);
	} else {
		waiting_adopt(&s->wl, &fresh);
	}
	sim_answered(s);
}

static void sim_waiting(struct sim *s);

/* As ui/finder.c: the changed handoffs patched in, or at once a whole
 * read when they cannot be. */
static void on_waiting_rows(void *ctx, PGresult **res, int nres, const char *err)
{
	struct sim *s = ctx;
	if (err == dbq_cancelled)
		return;
	if (err || nres != 1) {
		L.read_errors++;
		waiting_failed(&s->wl);
	} else {
		waiting_fetched(&s->wl, res[0]);
	}
	if (s->wl.reread)
		sim_waiting(s);
	sim_answered(s);
}

/* The waiting list's catch-up (src/waiting.c): nothing to read, a whole
 * read, or the changed handoffs by key. */
static void sim_waiting(struct sim *s)
{
	struct db_stmt st;
	switch (waiting_catch_up(&s->wl, &st)) {
	case WAITING_READ:
		finder_waiting_statement(&st);
		s->outstanding++;
		L.waiting_reads++;
		dbq_submit_prepared(s->q, 2, &st, 1, 1, on_waiting_read, s);
		break;
	case WAITING_FETCH:
		s->outstanding++;
		L.waiting_fetches++;
		dbq_submit_prepared(s->q, 3, &st, 1, 1, on_waiting_rows, s);
		break;
	case WAITING_NOTHING:
		L.waiting_kept++;
		break;
	}
}

/* The re-reads a console would send now: its screen, its waiting list. */
static void sim_flush(struct sim *s, double now)
{
	if (s->outstanding || (!s->want_screen && !s->want_waiting) || now < s->reload_at)
		return;
	memcpy(s->covered, s->pending, (size_t)s->npending * sizeof *s->pending);
	s->ncovered = s->npending;
	s->npending = 0;
	s->reload_at = now + RELOAD_INTERVAL_MS;
	if (s->want_screen) {
		struct cv_args args;
		int rows[CV_PARTS];
		struct db_stmt st[CV_PARTS];
		cv_first_rows(rows);
		cv_statements(st, &args, s->customer, rows);
		s->outstanding++;
		L.screen_reads++;
		dbq_submit_prepared(s->q, 1, st, CV_PARTS, 1, on_read, s);
	}
	if (s->want_waiting)
		sim_waiting(s);
	s->want_screen = s->want_waiting = 0;
	/* Caught up without asking the server. */
	if (!s->outstanding)
		sim_cover(s, now);
}

/* The simulated consoles read on the primary: every notification counts. */
static int sim_notify(void *ctx, const char *channel, const char *payload)
{
	struct sim *s = ctx;
	(void)channel;
	if (!strncmp(payload, "bench:", 6)) {
		s->cur = atoi(payload + 6);
		return 1;
	}
	struct notify_change c;
	notify_parse(payload, &c);
	int screen = (c.kind == NOTIFY_CUSTOMER || c.kind == NOTIFY_HANDOFF) &&
	             c.customer_id == s->customer;
	int waiting = waiting_note(&s->wl, &c, s->team, s->role);
	if (!screen && !waiting)
		return 1;
	s->want_screen |= screen;
	s->want_waiting |= waiting;
	if (s->cur >= 0 && (!s->npending || s->pending[s->npending - 1] != s->cur) &&
	    s->npending < MAX_COVER)
		s->pending[s->npending++] = s->cur;
	return 1;
}

/* A console that has been open a while has shown other customers: its
 * statements run on their generic plans and its backend has read the
 * catalogue.  Before the writes, each reads L.warm screens of customers
 * outside the pool (nobody's screen, no write is about them). */
static int in_pool(long long id)
{
	for (int j = 0; j < POOL; j++)
		if (L.pool[j] == id)
			return 1;
	return 0;
}

static void sim_warm(struct sim *s)
{
	long long id = s->customer;
	for (int w = 0; w < L.warm; w++) {
		do
			id = id % L.ncust + 1;
		while (in_pool(id));
		struct cv_args args;
		int rows[CV_PARTS];
		struct db_stmt st[CV_PARTS];
		cv_first_rows(rows);
		cv_statements(st, &args, id, rows);
		s->outstanding++;
		/* Tag 0: each its own request (a tag cancels the one before). */
		dbq_submit_prepared(s->q, 0, st, CV_PARTS, 1, on_read, s);
	}
}

static void sim_state(void *ctx, enum dbq_state st, const char *msg)
{
	struct sim *s = ctx;
	(void)msg;
	if (st == DBQ_READY && !s->ready) {
		s->ready = 1;
		static const char *const none[1] = {NULL};
		struct db_stmt listen = {"LISTEN baton", 0, none};
		dbq_submit(s->q, 0, &listen, 1, 1, NULL, NULL);
		sim_warm(s);
		s->want_screen = s->want_waiting = 1;
		sim_flush(s, now_ms());
	} else if (st == DBQ_DOWN) {
		s->failed = 1;
	}
}

static void writer_state(void *ctx, enum dbq_state st, const char *msg)
{
	int *ready = ctx;
	(void)msg;
	if (st == DBQ_READY)
		*ready = 1;
	else if (st == DBQ_DOWN)
		*ready = -1;
}

/* --- the writers ------------------------------------------------------------- */

struct wctx {
	int k, kind;
	char id[37];
	int team;
	long long customer;
};

/* The consoles a write concerns: those showing its customer, and for a
 * handoff those of its receiving team (its person is one of them). */
static int concerned(long long customer, int team)
{
	int n = 0;
	for (int i = 0; i < L.n; i++)
		n += L.sims[i].ready && !L.sims[i].failed &&
		     (L.sims[i].customer == customer || (team >= 0 && !strcmp(L.sims[i].team, L.teams[team])));
	return n;
}

static void on_written(void *ctx, PGresult **res, int nres, const char *err)
{
	struct wctx *w = ctx;
	(void)res;
	(void)nres;
	if (err && err != dbq_cancelled)
		L.write_errors++;
	else if (!err && w->kind == 1) {
		memcpy(L.open_ids[L.nopen % L.cap], w->id, 37);
		L.open_team[L.nopen % L.cap] = w->team;
		L.open_customer[L.nopen % L.cap] = w->customer;
		L.nopen++;
	}
	free(w);
}

/* Write k: a note, a handoff, an acknowledgement of an earlier one, in
 * turn; each about a customer some consoles show.  Writer t is a member
 * of team t (generate.sql: bench_staff_10, 20, 30, 40). */
static void write_one(int k)
{
	struct wctx *w = calloc(1, sizeof *w);
	if (!w)
		die("out of memory");
	w->k = k;
	w->kind = k % 3;
	if (w->kind == 2 && L.open_head >= L.nopen)
		w->kind = 0;
	char seq[32], cust[32], ev[37], body[64], to[64];
	snprintf(seq, sizeof seq, "bench:%d", k);
	w->customer = L.pool[(k * 7) % POOL];
	w->team = -1;
	snprintf(cust, sizeof cust, "%lld", w->customer);
	snprintf(body, sizeof body, "load test write %d", k);
	struct db_stmt st[2];
	const char *p0[1] = {seq};
	st[0] = (struct db_stmt){"SELECT pg_notify('baton', $1)", 1, p0};
	const char *ph[5];
	const char *pa[2];
	int by = k % 4;
	struct note_new nn;
	struct note_params np;
	if (w->kind == 0) {
		/* As the console writes a note: baton_note_add, the only way in
		 * since migration 007 (a direct INSERT is refused). */
		if (note_init(&nn) < 0)
			die("no randomness for uuids");
		nn.customer_id = w->customer;
		nn.body = body;
		note_add_stmt(&nn, &np, &st[1]);
	} else if (w->kind == 1) {
		if (db_uuid(w->id) < 0 || db_uuid(ev) < 0)
			die("no randomness for uuids");
		w->team = (k + 1) % 4;
		/* Every other handoff names a person of the receiving team. */
		snprintf(to, sizeof to, "bench_staff_%02d", w->team * 10 + (k / 2) % 9 + 2);
		ph[0] = w->id, ph[1] = ev, ph[2] = cust, ph[3] = L.teams[w->team];
		ph[4] = k % 2 ? to : NULL;
		static const char sql[] =
			"SELECT * FROM baton_handoff_create($1::uuid, $2::uuid, $3::bigint, $4, $5,"
			" 'question', 'normal', NULL, 'load test handoff')";
		st[1] = (struct db_stmt){sql, 5, ph};
	} else {
		int at = L.open_head++ % L.cap;
		if (db_uuid(ev) < 0)
			die("no randomness for uuids");
		pa[0] = L.open_ids[at], pa[1] = ev;
		by = w->team = L.open_team[at];
		w->customer = L.open_customer[at];
		static const char sql[] =
			"SELECT * FROM baton_handoff_step($1::uuid, $2::uuid, 'acknowledged', NULL, NULL)";
		st[1] = (struct db_stmt){sql, 2, pa};
	}
	L.expected[k] = concerned(w->customer, w->team);
	L.sent_at[k] = now_ms();
	/* One pipeline: one implicit transaction, its notifications together. */
	dbq_submit(L.writer[by], 0, st, 2, 0, on_written, w);
}

/* --- /proc --------------------------------------------------------------------- */

static long long proc_field_ll(const char *stat, int field)
{
	/* After "(comm)", which may hold spaces: field 3 onwards. */
	const char *p = strrchr(stat, ')');
	if (!p)
		return 0;
	p += 2;
	for (int f = 3; f < field && *p; f++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	return atoll(p);
}

static int read_file(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
	return 0;
}

/* CPU seconds of the server: every process whose parent is the
 * postmaster, and the postmaster with its waited-for children. */
static double server_cpu_s(long long postmaster)
{
	char path[64], buf[1024];
	long long ticks = 0;
	snprintf(path, sizeof path, "/proc/%lld/stat", postmaster);
	if (read_file(path, buf, sizeof buf) == 0)
		for (int f = 14; f <= 17; f++)
			ticks += proc_field_ll(buf, f);
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		long long pid = atoll(e->d_name);
		if (pid <= 0 || pid == postmaster)
			continue;
		snprintf(path, sizeof path, "/proc/%lld/stat", pid);
		if (read_file(path, buf, sizeof buf) == 0 && proc_field_ll(buf, 4) == postmaster)
			ticks += proc_field_ll(buf, 14) + proc_field_ll(buf, 15);
	}
	if (d)
		closedir(d);
	return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds of one backend (0 if it is gone). */
static double backend_cpu_s(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (pid <= 0 || read_file(path, buf, sizeof buf) < 0)
		return 0;
	return (double)(proc_field_ll(buf, 14) + proc_field_ll(buf, 15)) / (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds of the consoles' backends and of the writers'. */
static void split_cpu_s(double *consoles, double *writers)
{
	*consoles = *writers = 0;
	for (int i = 0; i < L.n; i++) {
		const PGconn *pc = dbq_conn(L.sims[i].q);
		*consoles += pc ? backend_cpu_s(PQbackendPID(pc)) : 0;
	}
	for (int t = 0; t < 4; t++) {
		const PGconn *pc = dbq_conn(L.writer[t]);
		*writers += pc ? backend_cpu_s(PQbackendPID(pc)) : 0;
	}
}

/* kB of a smaps_rollup line ("Pss:", "Anonymous:") of process pid. */
static long long smaps_kb(int pid, const char *key)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
	if (read_file(path, buf, sizeof buf) < 0)
		return 0;
	const char *p = strstr(buf, key);
	return p ? atoll(p + strlen(key)) : 0;
}

/* --- one run ------------------------------------------------------------------- */

static void pump(double until, int writing, double period, int *next_k, double t0)
{
	struct pollfd *pfd = xrealloc(NULL, (size_t)(L.n + 4) * sizeof *pfd);
	struct dbq **owner = xrealloc(NULL, (size_t)(L.n + 4) * sizeof *owner);
	for (;;) {
		double now = now_ms();
		if (now >= until)
			break;
		int m = 0;
		for (int i = 0; i < L.n + 4; i++) {
			struct dbq *q = i < L.n ? L.sims[i].q : L.writer[i - L.n];
			if (dbq_fd(q) < 0)
				continue;
			pfd[m] = (struct pollfd){dbq_fd(q), dbq_events(q), 0};
			owner[m++] = q;
		}
		double wake = until;
		if (writing && t0 + *next_k * period < wake)
			wake = t0 + *next_k * period;
		for (int i = 0; i < L.n; i++)
			if ((L.sims[i].want_screen || L.sims[i].want_waiting) && L.sims[i].reload_at < wake)
				wake = L.sims[i].reload_at;
		int t = wake <= now ? 0 : (int)(wake - now) + 1;
		if (poll(pfd, (nfds_t)m, t > 100 ? 100 : t) < 0)
			continue;
		for (int i = 0; i < m; i++)
			if (pfd[i].revents)
				dbq_handle(owner[i], pfd[i].revents);
		now = now_ms();
		while (writing && now >= t0 + *next_k * period && *next_k < L.cap)
			write_one((*next_k)++);
		for (int i = 0; i < L.n; i++)
			sim_flush(&L.sims[i], now);
		if (!writing) {
			int busy = 0;
			for (int i = 0; i < L.n && !busy; i++)
				busy = L.sims[i].outstanding || L.sims[i].want_screen || L.sims[i].want_waiting ||
				       (!L.sims[i].ready && !L.sims[i].failed);
			for (int i = 0; i < 4 && !busy; i++)
				busy = dbq_busy(L.writer[i]) || !L.writer_ready[i];
			/* A write answered may still be on its way to consoles. */
			for (int k = 0; L.expected && k < *next_k && !busy; k++)
				busy = L.affected[k] < L.expected[k];
			if (!busy)
				break;
		}
	}
	free(pfd);
	free(owner);
}

static void load_setup(PGconn *c, int n, int warm)
{
	memset(&L, 0, sizeof L);
	L.n = n;
	L.sims = xrealloc(NULL, (size_t)n * sizeof *L.sims);
	memset(L.sims, 0, (size_t)n * sizeof *L.sims);
	static const char *const teams[4] = {"support", "success", "onboarding", "marketing"};
	memcpy(L.teams, teams, sizeof teams);
	long long ncust = query_ll(c, "SELECT max(id) FROM customer");
	for (int j = 0; j < POOL; j++)
		L.pool[j] = 2 + (long long)j * (ncust - 2) / POOL;
	L.ncust = ncust;
	L.warm = ncust > 2 * POOL ? warm : 0;
	const char *db = PQdb(c);
	for (int i = 0; i < n; i++) {
		struct sim *s = &L.sims[i];
		int r = i % 40 + 1;
		snprintf(s->role, sizeof s->role, "bench_staff_%02d", r);
		snprintf(s->team, sizeof s->team, "%s", teams[(r - 1) / 10]);
		s->customer = L.pool[i % POOL];
		snprintf(s->idtxt, sizeof s->idtxt, "%lld", s->customer);
		snprintf(s->conninfo, sizeof s->conninfo, "dbname=%s user=%s application_name=baton_load",
		         db, s->role);
		s->cur = -1;
		waiting_live_init(&s->wl);
		s->q = dbq_new(NULL, s->conninfo);
		dbq_set_callbacks(s->q, sim_state, sim_notify, s);
		dbq_connect(s->q);
	}
	for (int t = 0; t < 4; t++) {
		char ci[256];
		snprintf(ci, sizeof ci, "dbname=%s user=bench_staff_%02d application_name=baton_load_writer",
		         db, (t + 1) * 10);
		L.writer[t] = dbq_new(NULL, ci);
		dbq_set_callbacks(L.writer[t], writer_state, NULL, &L.writer_ready[t]);
		dbq_connect(L.writer[t]);
	}
}

static void load_free(void)
{
	for (int i = 0; i < L.n; i++) {
		dbq_free(L.sims[i].q);
		waiting_live_free(&L.sims[i].wl);
	}
	for (int t = 0; t < 4; t++)
		dbq_free(L.writer[t]);
	free(L.sims);
	free(L.sent_at);
	free(L.all_done);
	free(L.affected);
	free(L.expected);
	free(L.open_customer);
	free(L.open_ids);
	free(L.open_team);
	st_free(&L.lat);
}

static double cpu_self_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static void load_memory(int *connected, double *pss, double *anon)
{
	long long p = 0, a = 0;
	*connected = 0;
	for (int i = 0; i < L.n; i++) {
		const PGconn *pc = dbq_conn(L.sims[i].q);
		if (!L.sims[i].ready || L.sims[i].failed || !pc)
			continue;
		(*connected)++;
		p += smaps_kb(PQbackendPID(pc), "Pss:");
		a += smaps_kb(PQbackendPID(pc), "Anonymous:");
	}
	*pss = *connected ? (double)p / *connected : 0;
	*anon = *connected ? (double)a / *connected : 0;
}

/* Whether two waiting lists show the same rows, in the same order. */
static int same_list(const struct waiting_list *a, const struct waiting_list *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++) {
		const struct waiting_handoff *x = &a->v[i], *y = &b->v[i];
		if (strcmp(x->id, y->id) || x->open != y->open || x->version != y->version ||
		    strcmp(x->customer, y->customer) || strcmp(x->to_team, y->to_team) ||
		    !x->to_staff != !y->to_staff || (x->to_staff && strcmp(x->to_staff, y->to_staff)))
			return 0;
	}
	return 1;
}

/* Every console's waiting list, kept by notifications, against a fresh
 * read as its person once everything has settled. */
static void load_verify(const char *db)
{
	L.unequal = 0;
	for (int r = 1; r <= 40; r++) {
		char ci[256], role[64];
		snprintf(role, sizeof role, "bench_staff_%02d", r);
		snprintf(ci, sizeof ci, "dbname=%s user=%s application_name=baton_load_check", db, role);
		PGconn *c = connect_or_die(ci);
		PGresult *res = PQexec(c, finder_waiting_sql);
		struct waiting_list fresh;
		if (finder_waiting_read(res, &fresh) < 0)
			die("load: the waiting list of %s: %s", role, PQresultErrorMessage(res));
		for (int i = 0; i < L.n; i++)
			if (!strcmp(L.sims[i].role, role) && L.sims[i].ready && !L.sims[i].failed)
				L.unequal += !same_list(&L.sims[i].wl.list, &fresh);
		finder_waiting_free(&fresh);
		PQclear(res);
		PQfinish(c);
	}
}

struct load_figures {
	int n, connected, failed, loaded;
	double setup_s, pss, anon, wall, cpu, self;
	double cpu_consoles, cpu_writers; /* of cpu: their backends' */
};
static void load_report(const struct load_figures *f);

static void load_run(PGconn *c, int n, long long postmaster, double seconds, double rate, int warm)
{
	double t_setup = now_ms();
	load_setup(c, n, warm);
	int dummy = 0;
	pump(now_ms() + 120000, 0, 0, &dummy, 0);
	double setup_s = (now_ms() - t_setup) / 1000;
	int connected = 0, failed = 0, loaded = 0;
	double pss, anon;
	load_memory(&connected, &pss, &anon);
	for (int i = 0; i < n; i++) {
		failed += L.sims[i].failed;
		loaded += L.sims[i].loaded;
	}
	for (int t = 0; t < 4; t++)
		if (L.writer_ready[t] != 1)
			die("load: writer %d could not connect", t);
	L.cap = (int)(seconds * rate) + 2;
	L.sent_at = xrealloc(NULL, (size_t)L.cap * sizeof *L.sent_at);
	L.all_done = xrealloc(NULL, (size_t)L.cap * sizeof *L.all_done);
	L.affected = xrealloc(NULL, (size_t)L.cap * sizeof *L.affected);
	L.expected = xrealloc(NULL, (size_t)L.cap * sizeof *L.expected);
	L.open_customer = xrealloc(NULL, (size_t)L.cap * sizeof *L.open_customer);
	memset(L.all_done, 0, (size_t)L.cap * sizeof *L.all_done);
	memset(L.affected, 0, (size_t)L.cap * sizeof *L.affected);
	L.open_ids = xrealloc(NULL, (size_t)L.cap * sizeof *L.open_ids);
	L.open_team = xrealloc(NULL, (size_t)L.cap * sizeof *L.open_team);
	L.screen_reads = L.waiting_reads = L.waiting_fetches = L.waiting_kept = 0;

	double cons0, wri0;
	split_cpu_s(&cons0, &wri0);
	double cpu0 = server_cpu_s(postmaster), self0 = cpu_self_s(), t0 = now_ms();
	int k = 0;
	pump(t0 + seconds * 1000, 1, 1000.0 / rate, &k, t0);
	double wall = (now_ms() - t0) / 1000;
	double cpu = server_cpu_s(postmaster) - cpu0, self = cpu_self_s() - self0;
	double cons1, wri1;
	split_cpu_s(&cons1, &wri1);
	L.nwrites = k;
	/* Let what the last writes started finish (not measured as load). */
	pump(now_ms() + 10000, 0, 0, &k, 0);
	load_verify(PQdb(c));
	struct load_figures f = {n, connected, failed, loaded, setup_s, pss, anon, wall, cpu, self,
	                         cons1 - cons0, wri1 - wri0};
	load_report(&f);
	load_free();
}

static void load_report(const struct load_figures *f)
{
	int n = f->n, connected = f->connected, failed = f->failed;
	double wall = f->wall, cpu = f->cpu, pss = f->pss;
	int behind = 0;
	for (int i = 0; i < n; i++)
		behind += L.sims[i].npending || L.sims[i].outstanding;
	struct stats per_write = {0};
	double affected = 0;
	int reached = 0, missed = 0;
	for (int w = 0; w < L.nwrites; w++) {
		missed += L.affected[w] < L.expected[w];
		if (L.affected[w]) {
			st_add(&per_write, L.all_done[w]);
			affected += L.affected[w];
			reached++;
		}
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double pct = 100.0 * cpu / wall / (double)(ncpu > 0 ? ncpu : 1);
	int failures = failed + (n - connected - failed) + L.write_errors + L.read_errors + behind +
	               missed + L.unequal;
	printf("\n  %d consoles: %d connected (%d failed) and loaded %d in %.1f s;"
	       " server memory per session: Pss %.0f kB, anonymous %.0f kB\n",
	       n, connected, failed, f->loaded, f->setup_s, pss, f->anon);
	printf("  writes: %d in %.1f s (%.1f/s: notes, handoffs, acknowledgements in turn),"
	       " %d failed; re-reads: %lld screens, %lld whole waiting lists, %lld reads of changed"
	       " handoffs by key (%.1f per write); %lld waiting-list changes kept without a read\n",
	       L.nwrites, wall, L.nwrites / wall, L.write_errors, L.screen_reads, L.waiting_reads,
	       L.waiting_fetches,
	       L.nwrites ? (double)(L.screen_reads + L.waiting_reads + L.waiting_fetches) / L.nwrites : 0,
	       L.waiting_kept);
	printf("  server CPU: %.2f s over %.1f s = %.1f%% of %ld CPUs, %.1f ms per write;"
	       " this driver %.1f%% (same machine)\n",
	       cpu, wall, pct, ncpu, L.nwrites ? 1000 * cpu / L.nwrites : 0,
	       100.0 * f->self / wall / (double)(ncpu > 0 ? ncpu : 1));
	printf("  of which per write: %.1f ms the consoles' backends (notifications, re-reads),"
	       " %.1f ms the writers', %.1f ms the rest of the server\n",
	       L.nwrites ? 1000 * f->cpu_consoles / L.nwrites : 0,
	       L.nwrites ? 1000 * f->cpu_writers / L.nwrites : 0,
	       L.nwrites ? 1000 * (cpu - f->cpu_consoles - f->cpu_writers) / L.nwrites : 0);
	print_stats_head();
	print_stats("write to one console caught up", &L.lat, 0);
	char label[64];
	snprintf(label, sizeof label, "write to all %.0f affected caught up", reached ? affected / reached : 0);
	print_stats(label, &per_write, TARGET_LATENCY_P99_MS);
	printf("  failures: %d (connections %d, read errors %d, write errors %d, consoles behind at"
	       " the end %d, writes that some console they concern did not re-read for %d,"
	       " waiting lists unlike a fresh read at the end %d)\n",
	       failures, n - connected, L.read_errors, L.write_errors, behind, missed, L.unequal);
	summary("load %3d consoles          connected %d, p99 write-to-all-affected %.0f ms (max %.0f),"
	        " server CPU %.1f%% (%.1f ms/write), %.0f kB/session, failures %d"
	        "   targets p99 < 1 s, CPU < 50%%, 0 failures: %s",
	        n, connected, st_pct(&per_write, 0.99), st_max(&per_write), pct,
	        L.nwrites ? 1000 * cpu / L.nwrites : 0, pss, failures,
	        connected == n && st_pct(&per_write, 0.99) < TARGET_LATENCY_P99_MS &&
	        pct < TARGET_CPU_PCT && failures == 0 ? "ok" : "MISSES");
	st_free(&per_write);
}

void bench_load(PGconn *c, const char *pgdata)
{
	char path[512], buf[64];
	snprintf(path, sizeof path, "%s/postmaster.pid", pgdata);
	if (read_file(path, buf, sizeof buf) < 0)
		die("load: cannot read %s", path);
	long long postmaster = atoll(buf);
	const char *e = getenv("BATON_BENCH_CONSOLES");
	const char *list = e && *e ? e : "100 500";
	e = getenv("BATON_BENCH_LOAD_SECONDS");
	double seconds = e && atof(e) > 0 ? atof(e) : 30;
	e = getenv("BATON_BENCH_WRITE_RATE");
	double rate = e && atof(e) > 0 ? atof(e) : 5;
	e = getenv("BATON_BENCH_LOAD_WARMUP");
	int warm = e && *e ? atoi(e) : 6;
	if (warm < 0)
		warm = 0;
	/* A socket per console: room for the largest N. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	printf("\n== 6. Load: consoles at once while others write (tests/bench/load.c)\n");
	printf("  each console: its own connection (dbq), LISTEN baton, a customer screen (one of %d\n"
	       "  customers) over its waiting list, both prepared; catches up with what a notification\n"
	       "  concerns at most every %.0f ms (its screen re-read, its waiting list patched as\n"
	       "  src/waiting.c says).  Writers: %.0f writes/s for %.0f s.  Latency: from sending a\n"
	       "  write to the affected consoles caught up (their reads answered, if any).\n"
	       "  Before the writes each console reads %d screens of other customers (outside those %d),\n"
	       "  as one open a while has: its statements past their first five (custom) plans.\n"
	       "  max_connections %lld\n",
	       POOL, RELOAD_INTERVAL_MS, rate, seconds, warm, POOL, query_ll(c, "SHOW max_connections"));
	print_load("at the start");
	for (const char *p = list; *p;) {
		char *end;
		long n = strtol(p, &end, 10);
		if (end == p)
			break;
		p = end;
		if (n > 0)
			load_run(c, (int)n, postmaster, seconds, rate, warm);
	}
	print_load("at the end");
}
