/* The queue's x: the rows shown, as CSV, into a new file the lead names. */
#include "baton/buf.h"
#include "baton/csv.h"
#include "baton/queue.h"
#include "ui/queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The file's full name: a name the lead gave in the directory Baton was
 * started from says where that was. */
static const char *where(const char *name, char *out, size_t n)
{
	char cwd[4000];
	if (name[0] == '/' || !getcwd(cwd, sizeof cwd))
		return name;
	snprintf(out, n, "%s/%s", cwd, name);
	return out;
}

static void on_export(struct app *a, void *ctx, const char *answer)
{
	struct queue_export *x = ctx;
	if (!screen_release(x->s) || !answer || !*answer)
		return;
	const struct queue_list *list = x->list;
	char full[4096];
	struct buf b = BUF_INIT;
	queue_list_csv(&b, list);
	/* A new file, the person's alone: never through a symbolic link
	 * planted at the name, never over a file already there (someone's, or
	 * an earlier export); another name is the person's to give. */
	int fd = open(answer, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		app_message(a, 1, "not written, a file is there already (x, another name): %s", answer);
	else if (fd < 0 || write(fd, b.data, b.len) != (ssize_t)b.len)
		app_message(a, 1, "cannot write %s: %s", answer, strerror(errno));
	else
		app_message(a, 0, "%d row%s written to %s", list->n, list->n == 1 ? "" : "s", where(answer, full, sizeof full));
	if (fd >= 0)
		close(fd);
	buf_free(&b);
}

void queue_export_ask(struct app *a, struct queue_export *x)
{
	screen_hold(x->s);
	app_prompt(a, "Export CSV to file:", 0, on_export, x);
	/* Offer a name in the current directory. */
	char name[64];
	time_t t = time(NULL);
	strftime(name, sizeof name, "baton-queue-%Y%m%d-%H%M%S.csv", localtime(&t));
	snprintf(a->prompt.text, sizeof a->prompt.text, "%s", name);
}
