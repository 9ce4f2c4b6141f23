/*
 * A minimal test harness: each test program prints one line per check group
 * ("PASS name" / "FAIL name: file:line: expr") and the runner (tests/run.sh)
 * adds them up into the closing "N passed, M failed" line.  A test in which
 * no check ran fails: it would otherwise pass without looking at anything.
 *
 *   static void test_thing(void) { CHECK(x == 1); CHECK_STR(s, "a"); }
 *   int main(void) { RUN(test_thing); return check_done(); }
 */
#ifndef BATON_TESTS_CHECK_H
#define BATON_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_now;   /* failures inside the running test */
static int check_ran_now;      /* checks that ran in the running test */
static int check_total_failed; /* tests that failed */

#define CHECK(expr)                                                        \
	do {                                                                   \
		check_ran_now++;                                                   \
		if (!(expr)) {                                                     \
			if (!check_failed_now)                                         \
				printf("FAIL %s: %s:%d: %s\n", check_current, __FILE__,    \
				       __LINE__, #expr);                                   \
			check_failed_now++;                                            \
		}                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                               \
	do {                                                                   \
		const char *check_g_ = (got), *check_w_ = (want);                  \
		check_ran_now++;                                                   \
		if (!check_g_ || strcmp(check_g_, check_w_) != 0) {                \
			if (!check_failed_now)                                         \
				printf("FAIL %s: %s:%d: got \"%s\", want \"%s\"\n",        \
				       check_current, __FILE__, __LINE__,                  \
				       check_g_ ? check_g_ : "(null)", check_w_);          \
			check_failed_now++;                                            \
		}                                                                  \
	} while (0)

static const char *check_current = "";

#define RUN(fn)                                                            \
	do {                                                                   \
		check_current = #fn;                                               \
		check_failed_now = 0;                                              \
		check_ran_now = 0;                                                 \
		fn();                                                              \
		if (!check_ran_now && !check_failed_now) {                         \
			printf("FAIL %s: no check ran\n", #fn);                       \
			check_failed_now++;                                            \
		}                                                                  \
		if (check_failed_now)                                              \
			check_total_failed++;                                          \
		else                                                               \
			printf("PASS %s\n", #fn);                                      \
		fflush(stdout);                                                    \
	} while (0)

static inline int check_done(void)
{
	return check_total_failed ? 1 : 0;
}

#endif
