# pyrofs - mount profile archives as a read-only tree of rendered files.
#
#   make            build out/pyrofs and out/pyrofs-cat
#   make test       unit tests (cmocka), then mounted integration tests
#   make asan       the same tests built with AddressSanitizer + UBSan (out-asan/)
#   make valgrind   unit tests of model/ and render/ under valgrind, leaks fatal
#   make demo       mount the bundled demo archive and show around
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean
#
# Knobs: DEBUG=1 (no optimisation), SAN=1 (sanitizers), O=DIR (output dir).
# model/ and render/ and the FUSE-free part of fs/ form out/libpyro.a, which
# the daemon, pyrofs-cat and every test link.

PKG_CONFIG ?= pkg-config
CC         ?= cc
PREFIX     ?= /usr/local
DESTDIR    ?=
VERSION    := 0.1.0

ifeq ($(SAN),1)
O ?= out-asan
else ifeq ($(SAN),thread)
O ?= out-tsan
else ifeq ($(SAN),fuzz)
O ?= out-fuzz
else
O ?= out
endif

PKGS       := fuse3 libprotobuf-c zlib
CFLAGS     ?= -O2 -g
ifeq ($(DEBUG),1)
CFLAGS     := -O0 -g
endif
ifeq ($(SAN),1)
CFLAGS     += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
endif
ifeq ($(SAN),thread)
CFLAGS     += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=thread
endif
ifeq ($(SAN),fuzz)
CC         := clang
CFLAGS     += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined
endif
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
	-Wstrict-prototypes -Wmissing-prototypes -MMD -MP \
	-DPYRO_VERSION='"$(VERSION)"' -I. -I$(O)/gen
DEP_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS    = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm -lpthread
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

# FUSE glue: the only files that include a FUSE header.
FUSE_SRCS  := fs/main.c fs/ops.c
LIB_SRCS   := $(sort $(wildcard model/*.c render/*.c) \
		$(filter-out $(FUSE_SRCS) fs/cat.c,$(wildcard fs/*.c)))
GEN_SRCS   := $(O)/gen/profile.pb-c.c
LIB_OBJS   := $(LIB_SRCS:%.c=$(O)/%.o) $(GEN_SRCS:.c=.o)
UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(O)/%.o)
TOOLS      := $(O)/tests/mkprofile $(O)/tests/mkleak $(O)/tests/mkhostile

.PHONY: all test unit integration asan valgrind demo install clean deps conformance bench \
	fuzz fuzz-run tsan stress tools
.SECONDARY:

all: $(O)/pyrofs $(O)/pyrofs-cat

$(O)/gen/profile.pb-c.c $(O)/gen/profile.pb-c.h: proto/profile.proto
	@mkdir -p $(O)/gen
	protoc-c --proto_path=proto --c_out=$(O)/gen $<

# Every object may include the generated header: generate it first.
$(O)/%.o: %.c | $(O)/gen/profile.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -c -o $@ $<

$(O)/gen/profile.pb-c.o: $(O)/gen/profile.pb-c.c
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(O)/libpyro.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/pyrofs: $(FUSE_SRCS:%.c=$(O)/%.o) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/pyrofs-cat: $(O)/fs/cat.o $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/test_%: $(O)/tests/unit/test_%.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(DEP_LIBS)

$(O)/tests/mkprofile: $(O)/tests/tools/mkprofile.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/mkleak: $(O)/tests/tools/mkleak.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/mkhostile: $(O)/tests/tools/mkhostile.o $(SUPPORT_OBJS) $(O)/libpyro.a
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Install the Debian packages we need when any is missing (idempotent).
deps:
	@$(PKG_CONFIG) --exists $(PKGS) cmocka 2>/dev/null && \
	 command -v protoc-c >/dev/null && command -v fusermount3 >/dev/null && \
	 command -v getfattr >/dev/null && command -v python3 >/dev/null || \
	 scripts/install-deps.sh

tools: $(TOOLS)

unit: $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

# Mount tests; exit 77 means FUSE is unusable here: a skip, not a failure.
integration: all $(TOOLS)
	@rc=0; for t in tests/integration/run.sh tests/integration/time.sh \
		tests/integration/interop.sh tests/integration/live.sh \
		tests/integration/hostile.sh tests/integration/swap.sh; do \
		$$t $(O); r=$$?; [ $$r = 0 ] || [ $$r = 77 ] || rc=1; \
	done; exit $$rc

test: deps
	@$(MAKE) --no-print-directory unit integration

asan: deps
	@$(MAKE) --no-print-directory SAN=1 unit integration

valgrind: deps $(UNIT_BINS)
	@scripts/run-unit.sh --valgrind $(UNIT_BINS)

conformance: deps all
	@tests/conformance/run.sh $(O)

# ---- fuzzing: libFuzzer targets in tests/fuzz (clang), bounded in time ----
FUZZ_TARGETS := span path profile
FUZZ_SECONDS ?= 60

$(O)/fuzz/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(SUPPORT_OBJS) $(O)/libpyro.a
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(DEP_LIBS)

fuzz: deps
	@$(MAKE) --no-print-directory SAN=fuzz fuzz-run

fuzz-run: $(FUZZ_TARGETS:%=$(O)/fuzz/fuzz_%)
	@scripts/run-fuzz.sh $(O) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Many readers at once against single-threaded references, and RSS over
# 10,000 distinct nodes (tests/stress/run.sh).
stress: deps all
	@tests/stress/run.sh $(O)

# ---- ThreadSanitizer: the mount tests and the stress test ----
tsan: deps
	@$(MAKE) --no-print-directory SAN=thread all tools
	@tests/integration/run.sh out-tsan
	@tests/stress/run.sh out-tsan

.PHONY: browser-test
browser-test: deps all
	@tests/browser/run.sh $(O)

# A file manager on a mounted demo archive, under Xvfb (not part of test).
.PHONY: desktop-test
desktop-test: deps all
	@scripts/install-deps.sh --desktop
	@tests/desktop/run.sh $(O)

# Benchmark against go tool pprof, flamegraph.pl, gzip and cat (not a test;
# prints a table and writes it to $(O)/bench/results.md).  BENCH_REPS=N.
BENCH_TOOLS := $(O)/bench/genprof $(O)/bench/benchtool

$(O)/bench/genprof: $(O)/scripts/bench/genprof.o $(O)/gen/profile.pb-c.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/bench/benchtool: $(O)/scripts/bench/benchtool.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

bench: deps all $(BENCH_TOOLS)
	@scripts/bench/run.sh $(O)

demo: deps all
	@scripts/demo.sh $(O)

install: all
	install -D -m 755 $(O)/pyrofs $(DESTDIR)$(PREFIX)/bin/pyrofs
	install -D -m 755 $(O)/pyrofs-cat $(DESTDIR)$(PREFIX)/bin/pyrofs-cat
	install -D -m 644 doc/pyrofs.1 $(DESTDIR)$(PREFIX)/share/man/man1/pyrofs.1

clean:
	rm -rf out out-asan out-tsan out-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)
