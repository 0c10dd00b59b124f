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
#                          but main.o (tests/unit/tap.h is the tiny TAP helper);
#                          built twice: plain (test-unit) and with ASan+UBSan
#                          (test-asan, clang)
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
	-DBPFLAME_VERSION='"$(VERSION)"' $(EXTRA_CPPFLAGS)
LIBS := -lbpf -lelf -lz -lm

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30

.PHONY: all static static-arm64 test unit fuzz bench soak demo demo-apiserver apiserver deps \
	test-deps clean vmlinux tests-build

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
# libbpf.a defines internal hashmap__* helpers (libbpf.so hides them) that
# clash with user/hashmap.c in a static link: a private copy renames them.
STATIC_OUT ?= bpflame
static: $(USER_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $(STATIC_OUT) $^ $(LIBS)

# The static binary for arm64, cross-built into build/arm64/ (its own objects,
# skeleton and BPF object, against vmlinux/arm64/vmlinux.h) with Debian's
# cross compiler and arm64 libbpf, libelf and zlib unpacked into a sysroot
# under build/kernels/ (tools/kernels/sysroot.sh: nothing is installed).
ARM64_SYSROOT := $(CURDIR)/$(B)/kernels/sysroot-arm64
ARM64_CC ?= aarch64-linux-gnu-gcc
static-arm64:
	tools/kernels/sysroot.sh arm64 >/dev/null
	$(MAKE) B=$(B)/arm64 CC=$(ARM64_CC) BPF_ARCH=arm64 VMLINUX_DIR=vmlinux/arm64 \
		EXTRA_CPPFLAGS="-isystem $(ARM64_SYSROOT)/usr/include" \
		LDFLAGS="-L$(ARM64_SYSROOT)/usr/lib/aarch64-linux-gnu" \
		STATIC_OUT=$(B)/arm64/bpflame static

# The debug image (tools/image/Containerfile): the stripped static binary FROM
# scratch, built with podman (PODMAN="buildah" works as well). The labels
# follow the OCI annotations; SOURCE_DATE_EPOCH (the last commit's time) pins
# the creation time, so a rebuild of one commit gives the same image ID.
PODMAN ?= podman
IMAGE ?= localhost/bpflame:$(VERSION)
IMAGE_ARCHIVE ?= $(B)/bpflame-image.tar
IMAGE_SOURCE ?= $(shell git config --get remote.origin.url 2>/dev/null)
IMAGE_REVISION := $(shell git rev-parse HEAD 2>/dev/null)$(shell \
	git diff --quiet HEAD -- 2>/dev/null || echo -dirty)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE_LABELS := org.opencontainers.image.version=$(VERSION) \
	org.opencontainers.image.revision=$(IMAGE_REVISION) \
	org.opencontainers.image.created=$(shell date -u -d @$(SOURCE_DATE_EPOCH) +%FT%TZ) \
	$(if $(IMAGE_SOURCE),org.opencontainers.image.source=$(IMAGE_SOURCE))

.PHONY: image image-archive
$(B)/image/bpflame: $(USER_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -static -s -o $@ $^ $(LIBS)

image: $(B)/image/bpflame tools/image/Containerfile
	$(PODMAN) build -q --timestamp $(SOURCE_DATE_EPOCH) $(addprefix --label ,$(IMAGE_LABELS)) \
		-t $(IMAGE) -f tools/image/Containerfile $(B)/image >/dev/null
	@echo "image $(IMAGE): $$($(PODMAN) image inspect --format '{{.Size}}' $(IMAGE)) bytes"

# One archive for podman load, ctr import and docker load (tools/image/archive.sh).
image-archive: image
	PODMAN="$(PODMAN)" SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) \
		tools/image/archive.sh $(IMAGE) $(IMAGE_ARCHIVE)
	@echo "$(IMAGE_ARCHIVE): $$(stat -c %s $(IMAGE_ARCHIVE)) bytes"

$(B)/tests/%: tests/unit/%.c $(LIB_OBJ) tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_ALL) -Itests/unit $(CFLAGS) $(WARN) -o $@ $< $(LIB_OBJ) $(LIBS)

# The unit tests again, every module built with AddressSanitizer and
# UndefinedBehaviorSanitizer (any report fails the test: no recovery).
SAN_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
SAN_LIB_OBJ := $(patsubst $(B)/user/%,$(B)/asan/user/%,$(LIB_OBJ))
SAN_BIN := $(patsubst tests/unit/%.c,$(B)/asan/tests/%,$(UNIT_SRC))
.SECONDARY: $(SAN_LIB_OBJ)
$(B)/asan/user/%.o: user/%.c $(B)/profile.skel.h $(JS_HDR) $(USER_HDR) bpf/profile.h
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS_ALL) $(SAN_CFLAGS) $(WARN) -c $< -o $@
$(B)/asan/tests/%: tests/unit/%.c $(SAN_LIB_OBJ) tests/unit/tap.h
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS_ALL) -Itests/unit $(SAN_CFLAGS) $(WARN) -o $@ $< $(SAN_LIB_OBJ) $(LIBS)

# Fuzzers build every library module again with sanitizers.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(B)/fuzz/%: tests/fuzz/%.c $(USER_SRC) $(USER_HDR) $(B)/profile.skel.h $(JS_HDR)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -o $@ $< \
		$(filter-out user/main.c,$(USER_SRC)) $(LIBS)

tests-build: bpflame $(UNIT_BIN) $(SAN_BIN) $(FUZZ_BIN)

# Test parts: a script's part is its name up to the first '_' (record_exit.t
# is in test-record, fuzz.t in test-fuzz); `make test` runs every part.
TEST_SCRIPTS := $(sort $(wildcard tests/*.t))
TEST_PARTS := $(sort $(foreach t,$(TEST_SCRIPTS),$(firstword $(subst _, ,$(basename $(notdir $(t)))))))
part_scripts = $(filter tests/$(1)_%.t tests/$(1).t,$(TEST_SCRIPTS))
PROVE = BPFLAME=$(CURDIR)/bpflame FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) prove --exec '' -v

# Every Go build of the tests (fixtures, oracle, unit-test binaries, fuzz
# seeds) shares one build cache and module cache under build/, offline.
# `make test` drops the build cache at its end (the fixture binaries stay,
# cached by a key of their inputs), which keeps build/ small.
export GOCACHE := $(CURDIR)/$(B)/gocache
export GOMODCACHE := $(CURDIR)/$(B)/gomodcache
export GOPATH := $(CURDIR)/$(B)/gopath
export GOTOOLCHAIN := local
export GOPROXY := off
export GOFLAGS :=

.PHONY: test-unit test-asan test-trim $(addprefix test-,$(TEST_PARTS))

unit test-unit: $(UNIT_BIN)
	prove --exec '' $(addprefix ./,$(UNIT_BIN))

# Any ASan, LeakSanitizer or UBSan report ends a test program non-zero.
test-asan: $(SAN_BIN)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		prove --exec '' $(addprefix ./,$(SAN_BIN))

$(addprefix test-,$(TEST_PARTS)): test-%: tests-build
	$(PROVE) $(addprefix ./,$(call part_scripts,$*))

# The test command of README.md and .ci/run: every part in turn (one
# failing part does not stop the others), then a table of each part's
# result and wall time, then the intermediate outputs are dropped.
NPROC := $(shell getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
test:
	$(MAKE) --no-print-directory -j$(NPROC) tests-build
	@rc=0; tests/run-parts.sh "$(MAKE)" unit asan $(TEST_PARTS) || rc=$$?; \
		$(MAKE) --no-print-directory test-trim; exit $$rc

# What the tests leave that a later run does not need (the sanitizer build
# and the kernel matrix's apt lists are made again when needed, the unit
# tests' Go fixtures built again).
test-trim:
	rm -rf $(B)/gocache $(B)/tmp $(B)/fuzz/seed-src $(B)/tests/gopclntab-fixture/*.tmp \
		$(B)/asan $(B)/kernels/apt-*/lists $(B)/tests/gopclntab-fixture
	@du -sh $(B) | sed 's/^/build\/ after make test: /'

fuzz: $(FUZZ_BIN)
	for f in $(FUZZ_BIN); do \
		FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run-fuzzer.sh $$f || exit 1; done

bench: bpflame
	tools/bench.sh

demo: bpflame
	tools/demo.sh

# Ten minutes of continuous recording (--interval) with memory sampled every
# 10 s: fails if bpflame's RSS or BPF map memory grows (tools/soak.sh).
soak: bpflame
	tools/soak.sh

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

# (Go's module cache is read-only: make it writable first.)
clean:
	[ ! -d $(B) ] || chmod -R u+w $(B)
	rm -rf $(B) bpflame
