# pyrofs - mount profile archives as a read-only tree of rendered files.
#
#   make            build out/pyrofs and out/pyrofs-cat (and out/man/)
#   make test       the quick suite (under a minute once built): cmocka unit
#                   tests, then the mount tests run.sh, time.sh, live.sh,
#                   hostile.sh; installs what is missing first (make deps)
#   make check      what CI runs (15-20 minutes): make test, then pprof
#                   interop, conformance (the corpus is required), the
#                   Debian package (deb-test, as root), the tests under
#                   ASan + UBSan, valgrind, stress (plain and TSan), every
#                   fuzz target, the browser test
#   make asan       unit + mount tests (interop too) with AddressSanitizer +
#                   UBSan (out-asan/)
#   make valgrind   unit tests of model/ and render/ under valgrind, leaks fatal
#   make interop | conformance | stress | tsan | fuzz | browser-test |
#        desktop-test   one slow suite (desktop-test is in no other target)
#   make demo       mount the bundled demo archive and show around
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        the Debian package: $(O)/deb/pyrofs_VERSION_ARCH.deb,
#                   checked by lintian (scripts/build-deb.sh)
#   make deb-test   build it, dpkg -i, mount -t fuse.pyrofs, read, dpkg -r
#                   and -P, nothing left behind (tests/deb/run.sh; root)
#   make clean      remove out/, out-asan/, out-tsan/, out-fuzz/; with O=DIR
#                   only DIR
#
# Knobs: DEBUG=1 (-O0 -g after your CFLAGS), SAN=1 (sanitizers),
# WERROR=1 (warnings are errors; CI), O=DIR (output dir).
# model/ and render/ and the FUSE-free part of fs/ form out/libpyro.a, which
# the daemon, pyrofs-cat and every test link.

PKG_CONFIG ?= pkg-config
CC         ?= cc
PREFIX     ?= /usr/local
DESTDIR    ?=
# The version has one owner, debian/changelog's first line ("pyrofs (0.1.0)
# unstable; ..."): pyrofs --version, the man pages and the package say it.
VERSION    := $(shell awk -F'[()]' 'NR == 1 { print $$2; exit }' debian/changelog)

O_GIVEN    := $(filter-out undefined default,$(origin O))
ifeq ($(SAN),1)
O ?= out-asan
else ifeq ($(SAN),thread)
O ?= out-tsan
else ifeq ($(SAN),fuzz)
O ?= out-fuzz
else
O ?= out
endif

PKGS       := fuse3 libprotobuf-c zlib libcurl libgvc libpcre2-8 libisal
CFLAGS     ?= -O2 -g
# override: appended to CFLAGS given on the command line too.
ifeq ($(DEBUG),1)
override CFLAGS += -O0 -g
endif
ifeq ($(SAN),1)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
endif
ifeq ($(SAN),thread)
override CFLAGS += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=thread
endif
ifeq ($(SAN),fuzz)
CC         := clang
override CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined
endif
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
	-Wstrict-prototypes -Wmissing-prototypes -MMD -MP \
	-DPYRO_VERSION='"$(VERSION)"' -I. -I$(O)/gen
ifeq ($(WERROR),1)
override CFLAGS += -Werror
endif

# pkg-config runs at most once per make invocation: each variable replaces
# itself with its value on first use (a recipe that compiles or links), so
# goals that compile nothing (clean, deps) never run it, and a `make test`
# that has just installed packages (deps) still finds them.
lazy_once = $(eval $1 := $$(shell $2))$($1)
DEP_CFLAGS  = $(call lazy_once,DEP_CFLAGS,$(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(call lazy_once,PKG_LIBS,$(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
DEP_LIBS    = $(PKG_LIBS) -lm -lpthread -ldl
# graph.svg opens Graphviz's dot layout and SVG writer plugins by path
# (render/graph_svg.c says why): libgvc's plugin directory.
GVC_LIBDIR  = $(call lazy_once,GVC_LIBDIR,$(PKG_CONFIG) --variable=libdir libgvc 2>/dev/null)
CMOCKA_LIBS = $(call lazy_once,CMOCKA_LIBS,$(PKG_CONFIG) --libs cmocka 2>/dev/null)

# FUSE glue: the only files that include a FUSE header.
FUSE_SRCS  := fs/main.c fs/ops.c fs/loop.c
LIB_SRCS   := $(sort $(wildcard model/*.c render/*.c) \
		$(filter-out $(FUSE_SRCS) fs/cat.c,$(wildcard fs/*.c)))
# Text files compiled in by scripts/embed.sh (render/embedded.h).
EMBED_SRCS := $(O)/gen/flame_js.c $(O)/gen/flame_css.c $(O)/gen/graph_js.c
# protoc-c output: pprof's profile.proto, and Pyroscope's query API
# (querier.proto imports the other two) for the remote source.
PROTOS     := profile types google_profile querier
GEN_HDRS   := $(PROTOS:%=$(O)/gen/%.pb-c.h)
GEN_SRCS   := $(PROTOS:%=$(O)/gen/%.pb-c.c) $(EMBED_SRCS)
LIB_OBJS   := $(LIB_SRCS:%.c=$(O)/%.o) $(GEN_SRCS:.c=.o)
UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(O)/%.o)
TOOLS      := $(O)/tests/mkprofile $(O)/tests/mkleak $(O)/tests/mkhostile \
	      $(O)/tests/mkjfr

.PHONY: all test check check-slow unit integration interop asan valgrind valgrind-run demo demo-remote install \
	clean deps conformance conformance-run bench fuzz fuzz-run tsan tsan-run stress \
	stress-run tools check-js
.SECONDARY:

MANS       := $(O)/man/pyrofs.1 $(O)/man/pyrofs-cat.1

all: $(O)/pyrofs $(O)/pyrofs-cat $(MANS)

# The man pages' sources say @VERSION@.
$(O)/man/%.1: doc/%.1 debian/changelog
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/g' $< >$@

# PYRO_VERSION is compiled in here: a new changelog entry rebuilds it.
$(O)/fs/main.o: debian/changelog

$(O)/gen/%.pb-c.c $(O)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(O)/gen
	protoc-c --proto_path=proto --c_out=$(O)/gen $<

$(O)/gen/querier.pb-c.c $(O)/gen/querier.pb-c.h: proto/types.proto proto/google_profile.proto

# Every object may include the generated headers: generate them first.
$(O)/%.o: %.c | $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -c -o $@ $<

$(O)/render/graph_svg.o: override CFLAGS += -DPYRO_GVC_PLUGIN_DIR='"$(GVC_LIBDIR)/graphviz"'

$(O)/gen/%.pb-c.o: $(O)/gen/%.pb-c.c | $(GEN_HDRS)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(O)/gen/flame_js.c: render/flame.js scripts/embed.sh
	@mkdir -p $(O)/gen
	scripts/embed.sh pyro_flame_js $< $@

$(O)/gen/graph_js.c: render/graph.js scripts/embed.sh
	@mkdir -p $(O)/gen
	scripts/embed.sh pyro_graph_js $< $@

$(O)/gen/flame_css.c: render/flame.css scripts/embed.sh
	@mkdir -p $(O)/gen
	scripts/embed.sh pyro_flame_css $< $@

$(EMBED_SRCS:.c=.o): %.o: %.c render/embedded.h
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/libpyro.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/pyrofs: $(FUSE_SRCS:%.c=$(O)/%.o) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/pyrofs-cat: $(O)/fs/cat.o $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/test_%: $(O)/tests/unit/test_%.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(DEP_LIBS)

# test_render_errors fails the library's allocations one by one: its
# malloc, calloc and realloc calls go through the test's wrappers.
$(O)/tests/test_render_errors: LDFLAGS += -Wl,--wrap=malloc -Wl,--wrap=calloc \
	-Wl,--wrap=realloc

$(O)/tests/mkprofile: $(O)/tests/tools/mkprofile.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/mkleak: $(O)/tests/tools/mkleak.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/mkhostile: $(O)/tests/tools/mkhostile.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/mkjfr: $(O)/tests/tools/mkjfr.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Install the Debian packages we need when any is missing (idempotent).
deps:
	@$(PKG_CONFIG) --exists $(PKGS) cmocka 2>/dev/null && \
	 command -v protoc-c >/dev/null && command -v fusermount3 >/dev/null && \
	 command -v getfattr >/dev/null && command -v python3 >/dev/null && \
	 command -v node >/dev/null && command -v npm >/dev/null && command -v curl >/dev/null && \
	 command -v openssl >/dev/null || \
	 scripts/install-deps.sh

tools: $(TOOLS)

unit: $(UNIT_BINS) check-js
	@scripts/run-unit.sh $(UNIT_BINS)

# The flame graph's and the call graph's scripts must parse as JavaScript;
# skipped without node.
check-js:
	@if command -v node >/dev/null 2>&1; then \
		node --check render/flame.js && echo "check-js: render/flame.js parses" && \
		node --check render/graph.js && echo "check-js: render/graph.js parses"; \
	else echo "check-js: SKIP (no node)"; fi

# Mount tests; exit 77 means FUSE is unusable here: a skip, not a failure.
MOUNT_TESTS := tests/integration/run.sh tests/integration/time.sh \
	       tests/integration/live.sh tests/integration/live-walk.sh \
	       tests/integration/lazy.sh tests/integration/hostile.sh \
	       tests/integration/swap.sh tests/integration/trust.sh \
	       tests/integration/producers.sh tests/integration/jfr.sh \
	       tests/integration/formats.sh \
	       tests/remote/run.sh
integration: all $(TOOLS)
	@rc=0; for t in $(MOUNT_TESTS); do \
		$$t $(O); r=$$?; [ $$r = 0 ] || [ $$r = 77 ] || rc=1; \
	done; exit $$rc

# pprof interop: go tool pprof on every node of the demo archive, mount(8).
interop: all
	@tests/integration/interop.sh $(O); r=$$?; [ $$r = 0 ] || [ $$r = 77 ]

# Goals that install packages first (deps) build in a sub-make, so that
# pkg-config (above) is asked after the install and never races it under -j.
# With O=DIR given, the sanitizer builds go to DIR-asan, DIR-tsan, DIR-fuzz.
san_o = $(if $(O_GIVEN),O=$(O)-$1)

test: deps
	@$(MAKE) --no-print-directory unit integration

asan: deps
	@$(MAKE) --no-print-directory SAN=1 $(call san_o,asan) unit integration interop

valgrind: deps
	@$(MAKE) --no-print-directory valgrind-run

valgrind-run: $(UNIT_BINS)
	@scripts/run-unit.sh --valgrind $(UNIT_BINS)

# Outside `make check` a missing corpus is a SKIP; PYRO_REQUIRE_CORPUS=1 (set
# by make check, and by CI=true) makes it a failure.
conformance: deps
	@$(MAKE) --no-print-directory conformance-run

conformance-run: all
	@tests/conformance/run.sh $(O)

# Everything CI runs, stopping at the first suite that fails.  WERROR=1 (as
# CI gives it) holds every build of it, plain and sanitized, to no warning.
CHECK_FUZZ_SECONDS ?= 30
export PYRO_REQUIRE_CORPUS

check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory check-slow

# The slow suites: what CI runs after the README's `make test`.
check-slow: deps
	@scripts/install-deps.sh --browser --deb --pprof
	@$(MAKE) --no-print-directory interop
	@$(MAKE) --no-print-directory PYRO_REQUIRE_CORPUS=1 conformance-run
	@$(MAKE) --no-print-directory deb-test-run
	@$(MAKE) --no-print-directory SAN=1 $(call san_o,asan) unit integration interop
	@$(MAKE) --no-print-directory SAN=1 $(call san_o,asan) PYRO_REQUIRE_CORPUS=1 conformance-run
	@$(MAKE) --no-print-directory valgrind-run
	@$(MAKE) --no-print-directory stress-run
	@$(MAKE) --no-print-directory SAN=thread $(call san_o,tsan) tsan-run
	@$(MAKE) --no-print-directory SAN=fuzz $(call san_o,fuzz) FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) fuzz-run
	@$(MAKE) --no-print-directory browser-run
	@echo "check: every suite passed"

# ---- fuzzing: libFuzzer targets in tests/fuzz (clang), bounded in time ----
FUZZ_TARGETS := span path profile render jfr v8cpu v8heap speedscope perf
FUZZ_SECONDS ?= 60

$(O)/fuzz/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(SUPPORT_OBJS) $(O)/libpyro.a
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(DEP_LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory SAN=fuzz $(call san_o,fuzz) fuzz-run

fuzz-run: $(FUZZ_TARGETS:%=$(O)/fuzz/fuzz_%)
	@scripts/run-fuzz.sh $(O) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Many readers at once against single-threaded references, and RSS over
# 10,000 distinct nodes (tests/stress/run.sh).
stress: deps
	@$(MAKE) --no-print-directory stress-run

stress-run: all
	@tests/stress/run.sh $(O)

# ---- ThreadSanitizer: the mount tests and the stress test ----
tsan: deps
	@$(MAKE) --no-print-directory SAN=thread $(call san_o,tsan) tsan-run

tsan-run: all tools
	@tests/integration/run.sh $(O)
	@tests/stress/run.sh $(O)

# Flame graphs in headless Chromium (installs chromium, node, npm if absent).
.PHONY: browser-test browser-run
browser-test: deps
	@scripts/install-deps.sh --browser
	@$(MAKE) --no-print-directory browser-run

browser-run: all
	@tests/browser/run.sh $(O)

# A file manager on a mounted demo archive, under Xvfb (not part of test).
.PHONY: desktop-test
desktop-test: deps all
	@scripts/install-deps.sh --desktop
	@tests/desktop/run.sh $(O)

# ---- the Debian package (debian/) ----
# make deb builds a copy of the tree in $(O)/deb (dpkg-buildpackage writes
# next to the tree it builds and cleans it first) and runs lintian on the
# result; DEB_BUILD_OPTIONS passes through (nocheck: no unit tests).
# deb-test installs it on this machine (root), mounts through mount(8),
# removes and purges it, and checks nothing is left.
.PHONY: deb deb-run deb-test deb-test-run
deb: deps
	@scripts/install-deps.sh --deb
	@$(MAKE) --no-print-directory deb-run

deb-run:
	@scripts/build-deb.sh $(O)/deb

deb-test: deps
	@scripts/install-deps.sh --deb
	@$(MAKE) --no-print-directory deb-test-run

deb-test-run: all
	@tests/deb/run.sh $(O); r=$$?; [ $$r = 0 ] || [ $$r = 77 ]

# Benchmark against go tool pprof, flamegraph.pl, gzip and cat (not a test;
# prints a table and writes it to $(O)/bench/results.md).  BENCH_REPS=N.
BENCH_TOOLS := $(O)/bench/genprof $(O)/bench/benchtool $(O)/bench/decodeall

$(O)/bench/genprof: $(O)/scripts/bench/genprof.o $(O)/gen/profile.pb-c.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/bench/benchtool: $(O)/scripts/bench/benchtool.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(O)/bench/decodeall: $(O)/scripts/bench/decodeall.o $(O)/libpyro.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

bench: deps all $(BENCH_TOOLS)
	@scripts/bench/run.sh $(O)

# Quietly: a first-time user wants the demo, not the compiler's command lines.
demo: deps
	@echo "demo: building pyrofs (make all)..."
	@$(MAKE) --no-print-directory -s all
	@scripts/demo.sh $(O)

# The same archive through the Pyroscope test server, mounted by URL.
demo-remote: deps all
	@scripts/demo-remote.sh $(O)

install: all
	install -D -m 755 $(O)/pyrofs $(DESTDIR)$(PREFIX)/bin/pyrofs
	install -D -m 755 $(O)/pyrofs-cat $(DESTDIR)$(PREFIX)/bin/pyrofs-cat
	install -D -m 644 $(O)/man/pyrofs.1 $(DESTDIR)$(PREFIX)/share/man/man1/pyrofs.1
	install -D -m 644 $(O)/man/pyrofs-cat.1 $(DESTDIR)$(PREFIX)/share/man/man1/pyrofs-cat.1

# O=DIR removes DIR alone; refuse the source tree itself or its parents.
clean:
ifneq ($(O_GIVEN),)
	@case "$$(cd '$(O)' 2>/dev/null && pwd)" in \
	"" ) ;; \
	/ | "$$(pwd)" | "$$(cd .. && pwd)" ) echo "make clean: refusing O=$(O)" >&2; exit 1 ;; \
	* ) rm -rf '$(O)' ;; \
	esac
else
	rm -rf out out-asan out-tsan out-fuzz
endif

-include $(shell find $(O) -name '*.d' 2>/dev/null)
