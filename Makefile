# bpflame build. `make` builds ./bpflame, `make static` a fully static one,
# `make test` runs every test (TAP through prove), `make bench` the benchmarks.
#
# Conventions that let modules be added without touching this file:
#   user/**/*.c         -> linked into ./bpflame (user/main.c holds main()); the
#                          folders are the pipeline: collect/ (BPF sampler,
#                          targets), symbolize/, profile/ (the model), format/
#                          (writers and readers), cmd/ (subcommands)
#   user/**/*.js        -> embedded as C strings (build/gen/<name>_js.h)
#   tests/unit/test_*.c -> one TAP program each, linked with every user/ object
#                          but main.o (tests/unit/tap.h is the tiny TAP helper)
#   tests/PART_*.t      -> TAP scripts (any language, executable, shebang line),
#                          run by `make test-PART` and `make test`
#   tests/fuzz/fuzz_*.c -> libFuzzer targets, run briefly by `make test`,
#                          longer by `make fuzz` (FUZZ_SECONDS)

ARCH_UNAME := $(shell uname -m)
ifeq ($(ARCH_UNAME),x86_64)
  BPF_ARCH := x86
  VMLINUX_DIR := vmlinux/x86_64
else ifeq ($(ARCH_UNAME),aarch64)
  BPF_ARCH := arm64
  VMLINUX_DIR := vmlinux/arm64
else
  $(error unsupported architecture $(ARCH_UNAME))
endif

CC ?= cc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

B := build
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
USER_DIRS := user $(sort $(dir $(wildcard user/*/*.[ch])))
USER_SRC := $(sort $(wildcard user/*.c user/*/*.c))
USER_HDR := $(wildcard user/*.h user/*/*.h)
USER_OBJ := $(patsubst user/%.c,$(B)/user/%.o,$(USER_SRC))
LIB_OBJ := $(filter-out $(B)/user/main.o,$(USER_OBJ))
JS_SRC := $(wildcard user/*/*.js)
JS_HDR := $(patsubst %.js,$(B)/gen/%_js.h,$(notdir $(JS_SRC)))
CPPFLAGS_ALL := -std=gnu11 -D_GNU_SOURCE -Ibpf $(addprefix -I,$(patsubst %/,%,$(USER_DIRS))) \
	-I$(B)/gen -I$(B) \
	-DBPFLAME_VERSION='"$(VERSION)"'
LIBS := -lbpf -lelf -lz -lm

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30

.PHONY: all static test unit fuzz bench demo demo-apiserver apiserver deps test-deps clean vmlinux \
	tests-build

all: bpflame

# The generated JavaScript headers are kept, not deleted as intermediates.
.SECONDARY: $(JS_HDR)

$(B)/bpf/profile.bpf.o: bpf/profile.bpf.c bpf/profile.h $(VMLINUX_DIR)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(VMLINUX_DIR) -Ibpf \
		-c $< -o $@
	llvm-strip -g $@ 2>/dev/null || true

$(B)/profile.skel.h: $(B)/bpf/profile.bpf.o
	$(BPFTOOL) gen skeleton $< name profile_bpf > $@.tmp && mv $@.tmp $@

vpath %.js $(sort $(dir $(JS_SRC)))
$(B)/gen/%_js.h: %.js tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh $< $*_js > $@.tmp && mv $@.tmp $@

$(B)/user/%.o: user/%.c $(B)/profile.skel.h $(JS_HDR) $(USER_HDR) bpf/profile.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(WARN) -c $< -o $@

bpflame: $(USER_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# Fully static: libbpf, libelf and zlib come from their Debian .a files.
STATIC_OUT ?= bpflame
static: $(USER_OBJ)
	$(CC) $(CFLAGS) -static -o $(STATIC_OUT) $^ $(LIBS)

$(B)/tests/%: tests/unit/%.c $(LIB_OBJ) tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) -Itests/unit $(CFLAGS) $(WARN) -o $@ $< $(LIB_OBJ) $(LIBS)

# Fuzzers build every library module again with sanitizers.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(B)/fuzz/%: tests/fuzz/%.c $(USER_SRC) $(USER_HDR) $(B)/profile.skel.h $(JS_HDR)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -o $@ $< \
		$(filter-out user/main.c,$(USER_SRC)) $(LIBS)

tests-build: bpflame $(UNIT_BIN) $(FUZZ_BIN)

# Test parts: a script's part is its name up to the first '_' (record_exit.t
# is in test-record, fuzz.t in test-fuzz); `make test` runs every part.
TEST_SCRIPTS := $(sort $(wildcard tests/*.t))
TEST_PARTS := $(sort $(foreach t,$(TEST_SCRIPTS),$(firstword $(subst _, ,$(basename $(notdir $(t)))))))
part_scripts = $(filter tests/$(1)_%.t tests/$(1).t,$(TEST_SCRIPTS))
PROVE = BPFLAME=$(CURDIR)/bpflame FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) prove --exec '' -v

.PHONY: test-unit $(addprefix test-,$(TEST_PARTS))

unit test-unit: $(UNIT_BIN)
	prove --exec '' $(addprefix ./,$(UNIT_BIN))

$(addprefix test-,$(TEST_PARTS)): test-%: tests-build
	$(PROVE) $(addprefix ./,$(call part_scripts,$*))

# The test command of README.md and .ci/run.
test: tests-build
	$(PROVE) $(addprefix ./,$(UNIT_BIN)) $(addprefix ./,$(TEST_SCRIPTS))

fuzz: $(FUZZ_BIN)
	for f in $(FUZZ_BIN); do \
		FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run-fuzzer.sh $$f || exit 1; done

bench: bpflame
	tools/bench.sh

demo: bpflame
	tools/demo.sh

# A real kube-apiserver (Debian's kubernetes 1.20 source), built once into
# build/apiserver/; demo-apiserver starts, loads and profiles it.
apiserver:
	tools/apiserver/build.sh

demo-apiserver: bpflame
	tools/apiserver/demo.sh

deps:
	tools/install-deps.sh

test-deps:
	tools/install-deps.sh --test

vmlinux:
	tools/gen-vmlinux.sh

clean:
	rm -rf $(B) bpflame
