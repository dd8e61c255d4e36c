# lab — one plain Makefile.
#
#   make deps        install the Debian packages lab needs (apt-get, skips what is there)
#   make / all       the `lab` binary and the loadable Lua module `lab.so`
#   make test        C unit tests, Lua tests, command-line tests, notebooks
#   make bench       benchmarks against pandas / data.table (see bench/RESULTS.md)
#   make fuzz        libFuzzer targets built with clang (FUZZ_SECONDS=600 make fuzz-run)
#   make clean
#   make SANITIZE=1 test   the same tests under AddressSanitizer and UBSan
#
# Objects of a SANITIZE build go to build/asan/, the others to build/rel/, so the
# two never mix.

CC      ?= cc
PKGS    := lua5.4 sqlite3
VERSION := 0.1.0

WARN    := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -fPIC $(WARN) -DLAB_VERSION='"$(VERSION)"'
LDLIBS  := -lm -lpthread

ifeq ($(SANITIZE),1)
  CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
  B := build/asan
else
  B := build/rel
endif

LUA_CFLAGS    := $(shell pkg-config --cflags lua5.4 2>/dev/null)
LUA_LIBS      := $(shell pkg-config --libs lua5.4 2>/dev/null)
SQLITE_CFLAGS := $(shell pkg-config --cflags sqlite3 2>/dev/null)
SQLITE_LIBS   := $(shell pkg-config --libs sqlite3 2>/dev/null)
READLINE_CFLAGS := $(shell pkg-config --cflags readline 2>/dev/null)
READLINE_LIBS   := $(shell pkg-config --libs readline 2>/dev/null)
PLOT_CFLAGS   := $(shell pkg-config --cflags plplot cairo 2>/dev/null)
PLOT_LIBS     := $(shell pkg-config --libs plplot cairo 2>/dev/null)
CURSES_CFLAGS := $(shell pkg-config --cflags ncursesw 2>/dev/null)
CURSES_LIBS   := $(shell pkg-config --libs ncursesw 2>/dev/null)
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   := $(shell pkg-config --libs cmocka 2>/dev/null)
# engine/learn: BLAS and LAPACK (OpenBLAS) are opened on first use, not linked
# (engine/learn/blas.c says why); dlopen is in glibc's libc, -ldl for older ones.
BLAS_LIBS     := -ldl
# SHA-256 (engine/learn/hash.c): OpenSSL's libcrypto
CRYPTO_LIBS   := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

# engine/ is plain C: it sees SQLite (its store format) but never Lua, curses or HTTP.
ENGINE_SRC := $(sort $(wildcard engine/*/*.c))
# The REPL and the workbench are the binary's, not the module's (readline, curses).
HOST_SRC   := scripting/repl.c
TUI_SRC    := $(sort $(wildcard tui/*.c))
TUI_OBJ    := $(TUI_SRC:%.c=$(B)/%.o)
# `lab runs` and `lab models`: the binary's too, plain C over engine/.
CLI_SRC    := $(sort $(wildcard cli/*.c))
CLI_OBJ    := $(CLI_SRC:%.c=$(B)/%.o)
SCRIPT_SRC := $(filter-out $(HOST_SRC),$(sort $(wildcard scripting/*.c)))
HOST_OBJ   := $(HOST_SRC:%.c=$(B)/%.o)
DOCS_MD    := $(sort $(wildcard docs/lua/*.md))
DOCS_OBJ   := $(B)/gen/docs.o
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(B)/%.o)
SCRIPT_OBJ := $(SCRIPT_SRC:%.c=$(B)/%.o)
CTEST_SRC  := $(sort $(wildcard tests/c/test_*.c))
CTEST_BIN  := $(CTEST_SRC:tests/c/%.c=$(B)/tests/%)

ENGINE_LIB := $(B)/libengine.a

.PHONY: all deps test test-c test-lua test-cli bench fuzz fuzz-run clean check-deps fixtures

all: lab lab.so

# The binary and the module are copied out of the build folder so that README
# commands (./lab, lua5.4 with LUA_CPATH=./?.so) work without knowing about it.
# Always copied: the same names serve the release and the SANITIZE build.
lab: $(B)/lab FORCE
	@cp $< $@.tmp && mv -f $@.tmp $@
lab.so: $(B)/lab.so FORCE
	@cp $< $@.tmp && mv -f $@.tmp $@
FORCE:

$(B)/lab: $(B)/lab.o $(HOST_OBJ) $(TUI_OBJ) $(CLI_OBJ) $(SCRIPT_OBJ) $(DOCS_OBJ) $(ENGINE_LIB)
	$(CC) $(LDFLAGS) -Wl,-E -o $@ $^ $(LUA_LIBS) $(SQLITE_LIBS) $(READLINE_LIBS) $(CURSES_LIBS) $(PLOT_LIBS) $(BLAS_LIBS) $(CRYPTO_LIBS) $(LDLIBS)

# The module leaves Lua's symbols to the interpreter that loads it.
$(B)/lab.so: $(SCRIPT_OBJ) $(DOCS_OBJ) $(ENGINE_LIB)
	$(CC) $(LDFLAGS) -shared -Wl,-z,nodelete -o $@ $^ $(SQLITE_LIBS) $(PLOT_LIBS) $(BLAS_LIBS) $(CRYPTO_LIBS) $(LDLIBS)

$(ENGINE_LIB): $(ENGINE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/engine/%.o: engine/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SQLITE_CFLAGS) $(PLOT_CFLAGS) -Iengine -MMD -MP -c -o $@ $<

$(B)/scripting/%.o: scripting/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LUA_CFLAGS) $(SQLITE_CFLAGS) $(READLINE_CFLAGS) -Iengine -Iscripting -MMD -MP -c -o $@ $<

# help() shows docs/lua/*.md, embedded at build time: one source for both.
$(B)/gen/docs.c: $(DOCS_MD) tools/embed_docs.lua
	@mkdir -p $(dir $@)
	lua5.4 tools/embed_docs.lua $(DOCS_MD) > $@.tmp && mv $@.tmp $@

$(DOCS_OBJ): $(B)/gen/docs.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/tui/%.o: tui/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LUA_CFLAGS) $(CURSES_CFLAGS) $(READLINE_CFLAGS) -Iengine -Iscripting -Itui -MMD -MP -c -o $@ $<

$(B)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SQLITE_CFLAGS) -Iengine -Icli -MMD -MP -c -o $@ $<

$(B)/lab.o: lab.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LUA_CFLAGS) $(CURSES_CFLAGS) -Iengine -Iscripting -Itui -MMD -MP -c -o $@ $<

$(B)/tests/%: tests/c/%.c $(ENGINE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS) -Iengine -MMD -MP -o $@ $< $(ENGINE_LIB) \
		$(LDFLAGS) $(CMOCKA_LIBS) $(SQLITE_LIBS) $(PLOT_LIBS) $(BLAS_LIBS) $(CRYPTO_LIBS) $(LDLIBS)

-include $(ENGINE_OBJ:.o=.d) $(SCRIPT_OBJ:.o=.d) $(HOST_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(B)/lab.d $(CTEST_BIN:=.d)

# ---- dependencies -----------------------------------------------------------
# Build and test needs; python3-pandas and r-cran-data.table are for `make bench`
# and for regenerating fixtures only (the tests never run pandas). The tests use
# python3 only to check what lab writes: nbformat for .ipynb reports, yaml for the
# MLflow export, json for --json output.
DEB_BUILD := gcc make pkg-config liblua5.4-dev lua5.4 libsqlite3-dev sqlite3 \
             libcmocka-dev libreadline-dev libncurses-dev \
             libplplot-dev plplot-driver-cairo libcairo2-dev libopenblas-dev libssl-dev
DEB_TEST  := tmux python3-nbformat python3-yaml
DEB_BENCH := python3-pandas r-cran-data.table time python3-matplotlib python3-sklearn python3-torch
DEB_FUZZ  := clang libclang-rt-14-dev

deps:
	@sh tools/install-deps.sh $(DEB_BUILD) $(DEB_TEST)

deps-bench:
	@sh tools/install-deps.sh $(DEB_BENCH)

deps-fuzz:
	@sh tools/install-deps.sh $(DEB_FUZZ)

# ---- tests -----------------------------------------------------------------
test: all $(CTEST_BIN)
	@B=$(B) sh tests/run.sh

# Regenerate the pandas and scikit-learn reference values (needs Debian's python3-pandas and python3-sklearn).
fixtures:
	/usr/bin/python3 tests/fixtures/make_pandas_fixtures.py
	/usr/bin/python3 tests/fixtures/make_sklearn_fixtures.py

# ---- benchmarks and fuzzing ---------------------------------------------------
bench: all deps-bench
	@sh bench/csv/run.sh
	@sh bench/plot/run.sh
	@sh bench/tui/run.sh
	@sh bench/learn/run.sh
	@sh bench/track/run.sh

FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -DLAB_VERSION='"$(VERSION)"' -Iengine
FUZZ_SECONDS ?= 60

fuzz: build/fuzz/fuzz_csv build/fuzz/fuzz_notebook build/fuzz/fuzz_model_file build/fuzz/fuzz_metric_log

# the notebook cell parser and the report writers (run: build/fuzz/fuzz_notebook -max_total_time=300)
NOTEBOOK_FUZZ_SRC := $(wildcard engine/notebook/*.c) engine/util/util.c
build/fuzz/fuzz_notebook: tests/fuzz/fuzz_notebook.c $(NOTEBOOK_FUZZ_SRC) $(wildcard engine/notebook/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) -lm

# model files, untrusted input; built to accept a wrong hash, so that altered content reaches the
# kinds' checks and predict (run: build/fuzz/fuzz_model_file -max_len=100000 -max_total_time=300
#   build/fuzz/corpus-model tests/fuzz/corpus/model; seeds: ./lab run tests/fuzz/make_model_seeds.lua)
build/fuzz/fuzz_model_file: tests/fuzz/fuzz_model_file.c $(ENGINE_SRC)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION $(SQLITE_CFLAGS) $(PLOT_CFLAGS) -o $@ $(filter %.c,$^) $(SQLITE_LIBS) $(PLOT_LIBS) $(BLAS_LIBS) $(CRYPTO_LIBS) -lm -lpthread

# metric side logs a dead process left (run: build/fuzz/fuzz_metric_log -max_total_time=300
#   build/fuzz/corpus-metric-log tests/fuzz/corpus/metric_log)
build/fuzz/fuzz_metric_log: tests/fuzz/fuzz_metric_log.c $(ENGINE_SRC)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(SQLITE_CFLAGS) $(PLOT_CFLAGS) -o $@ $(filter %.c,$^) $(SQLITE_LIBS) $(PLOT_LIBS) $(BLAS_LIBS) $(CRYPTO_LIBS) -lm -lpthread

build/fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c tests/fuzz/csv_check.h $(ENGINE_SRC)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(SQLITE_CFLAGS) $(PLOT_CFLAGS) -o $@ $(filter %.c,$^) $(SQLITE_LIBS) $(PLOT_LIBS) $(BLAS_LIBS) $(CRYPTO_LIBS) -lm -lpthread

# The two-thread ("large") checks cost about a second an input under libFuzzer,
# so they are off here (FUZZ_CSV_LARGE=1 turns them on); the grown corpus is
# then replayed natively with them forced on, at full speed.
FUZZ_CSV_LARGE ?= 0

fuzz-run: fuzz $(ENGINE_LIB)
	@mkdir -p build/fuzz/corpus-csv
	FUZZ_CSV_LARGE=$(FUZZ_CSV_LARGE) build/fuzz/fuzz_csv -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		-artifact_prefix=build/fuzz/ build/fuzz/corpus-csv tests/fuzz/corpus/csv
	$(CC) -O2 -std=c11 -D_GNU_SOURCE -Iengine -o build/fuzz/replay_csv tests/fuzz/replay_csv.c \
		$(ENGINE_LIB) $(SQLITE_LIBS) $(PLOT_LIBS) $(BLAS_LIBS) $(CRYPTO_LIBS) -lm -lpthread
	build/fuzz/replay_csv -large build/fuzz/corpus-csv/* tests/fuzz/corpus/csv/*

clean:
	rm -rf build lab lab.so
