# Baton: the shared customer console.
#
#   make            build ./build/baton
#   make check      install missing packages (as root on Debian), build with
#                   -Werror, run every test; then again under ASan/UBSan
#   make demo       throwaway PostgreSQL with demo data, console opened on it
#   make bench      generate 100,000 customers and measure (see README)
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/baton
SYSCONFDIR ?= /etc
DESTDIR   ?=

CC        ?= cc
BUILD     ?= build
PKGS       = ncursesw libpq libconfig
OPT       ?= -O2 -g
WARN       = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wpointer-arith -Wvla
ifeq ($(WERROR),1)
WARN      += -Werror
endif
PKG_CFLAGS = $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
ALL_CPPFLAGS = -Iinclude -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 \
             -D_DEFAULT_SOURCE -DBATON_VERSION='"$(VERSION)"' \
             -DBATON_SYSCONFDIR='"$(SYSCONFDIR)"' $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(OPT) $(WARN) -MMD -MP $(SAN) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

# The core (src/*.c: configuration, database, domain, queries) is what the
# tests and the benchmark link; the command line (src/cli/, with main) and
# the console (ui/) sit on top of it.
CORE_SRC   = $(wildcard src/*.c)
CLI_SRC    = $(wildcard src/cli/*.c)
UI_SRC     = $(wildcard ui/*.c)
CORE_OBJ   = $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o
CLI_OBJ    = $(CLI_SRC:%.c=$(BUILD)/%.o)
UI_OBJ     = $(UI_SRC:%.c=$(BUILD)/%.o)
MIGRATIONS = $(sort $(wildcard sql/migrations/*.sql))

UNIT_SRC   = $(wildcard tests/unit/*.c)
INTEG_SRC  = $(wildcard tests/integration/*.c)
TEST_BINS  = $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) $(INTEG_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all tests check check-plain check-asan demo bench install uninstall clean deps-build deps-check

all: $(BUILD)/baton

# make V=1 shows the whole commands.
ifneq ($(V),1)
Q = @
E = @echo
else
E = @:
endif

$(BUILD)/baton: $(CLI_OBJ) $(CORE_OBJ) $(UI_OBJ)
	$(E) "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# A change of flags (WERROR, OPT, SAN, CFLAGS...) must rebuild everything, or
# a stale object built without -Werror would pass `make check`.  The stamp
# holds the effective flags and is rewritten only when they differ, so an
# unchanged run rebuilds nothing.  It is a prerequisite of the rules that
# compile (every object, test program and the bench), not of object lists,
# so a new source file is covered too; the programs that link objects follow.
.PHONY: FORCE
FLAGS_STAMP = $(BUILD)/flags.stamp
FLAGS_NOW  = $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(PKG_LIBS)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(subst ','\'',$(FLAGS_NOW))' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(E) "  CC      $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# The migrations are compiled into the binary so that `baton migrate` knows
# exactly which schema versions it understands.  The list stamp, like the
# flags stamp, changes when a migration is added or removed (a removed file
# leaves no newer prerequisite behind).
MIGRATIONS_STAMP = $(BUILD)/gen/migrations.list
$(MIGRATIONS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' $(MIGRATIONS) >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/gen/migrations.c: $(MIGRATIONS) $(MIGRATIONS_STAMP) src/gen_migrations.sh
	@mkdir -p $(dir $@)
	sh src/gen_migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c $(FLAGS_STAMP)
	$(E) "  CC      $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

tests: $(TEST_BINS) $(BUILD)/baton

$(BUILD)/tests/%: tests/%.c $(CORE_OBJ) tests/check.h $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(E) "  CCLD    $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(CORE_OBJ) $(PKG_LIBS)

deps-build:
	@sh tests/lib/deps.sh build
deps-check:
	@sh tests/lib/deps.sh check

# Every test twice: the plain -Werror build, then AddressSanitizer + UBSan.
check: deps-check
	$(MAKE) --no-print-directory check-plain
	$(MAKE) --no-print-directory check-asan

check-plain:
	$(MAKE) --no-print-directory BUILD=build WERROR=1 tests
	sh tests/run.sh build

check-asan:
	$(MAKE) --no-print-directory BUILD=build/asan WERROR=1 OPT="-O1 -g" \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" tests
	sh tests/run.sh build/asan

demo: deps-check
	$(MAKE) --no-print-directory all
	sh tests/lib/demo.sh $(BUILD)/baton

# The benchmark program links the core objects like the tests; run.sh starts
# a throwaway server, generates the data and prints the report.
BENCH_BIN  = $(BUILD)/tests/bench/bench

BENCH_SRC  = $(wildcard tests/bench/*.c)
$(BENCH_BIN): $(BENCH_SRC) tests/bench/bench.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(E) "  CCLD    $@"
	$(Q)$(CC) $(ALL_CPPFLAGS) -Itests/bench $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(BENCH_SRC) $(CORE_OBJ) $(PKG_LIBS)
$(BENCH_BIN): $(FLAGS_STAMP)

bench: deps-check
	$(MAKE) --no-print-directory all tests $(BENCH_BIN)
	sh tests/bench/run.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples
	install -m 0755 $(BUILD)/baton $(DESTDIR)$(BINDIR)/baton
	install -m 0644 doc/baton.1 $(DESTDIR)$(MANDIR)/man1/baton.1
	install -m 0644 etc/baton.cfg etc/baton-import.cfg $(DESTDIR)$(DOCDIR)/examples/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/baton $(DESTDIR)$(MANDIR)/man1/baton.1
	rm -f $(DESTDIR)$(DOCDIR)/examples/baton.cfg $(DESTDIR)$(DOCDIR)/examples/baton-import.cfg
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
