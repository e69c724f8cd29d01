# tests/fuzz/fuzz.mk - fuzzing and valgrind targets; the main Makefile does
#   include tests/fuzz/fuzz.mk
#
#   make fuzz [FUZZ_SECONDS=60]    build the libFuzzer harnesses into out/fuzz/
#                                  and run each for FUZZ_SECONDS; fails on a crash
#   make fuzz-smoke                the same, 30 s each (CI)
#   make fuzz-build                only build the harnesses
#   make fuzz-corpus               rewrite the seed-* inputs of tests/fuzz/corpus/
#   make valgrind                  one short training + eval of specs/mlp.yaml under
#                                  valgrind: no errors, no definite/indirect leaks
#   FUZZ_HARNESSES="fuzz_csv"      run a subset
#
# Each harness fuzzes out/fuzz/corpus-H (a growing working copy, never
# committed) seeded read-only from tests/fuzz/corpus/H.  A crash leaves its
# input in out/fuzz/crash-H-*; minimise it (out/fuzz/H -minimize_crash=1
# -runs=10000 FILE), copy it to tests/fuzz/corpus/H/regress-NAME and report it.

FUZZ_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

FUZZ_CC ?= $(shell command -v clang-14 >/dev/null 2>&1 && echo clang-14 || echo clang)
FUZZ_SECONDS ?= 60
FUZZ_OUT := out/fuzz
FUZZ_DIR := tests/fuzz
FUZZ_HARNESSES ?= fuzz_spec fuzz_idx fuzz_gz fuzz_csv fuzz_npy fuzz_imgdir fuzz_weights fuzz_import fuzz_import_keras
FUZZ_DEBS := clang-14 libclang-rt-14-dev valgrind
# _POSIX_C_SOURCE: the harnesses and runtime use mkdir/unlink/fileno under -std=c11.
FUZZ_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Wall -Wextra
# Per-harness options: inputs up to max_len bytes (a CSV header alone is ~6 KB);
# an input taking over 25 s counts as a hang, i.e. a failure.
FUZZ_OPTS := -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_MAXLEN_fuzz_spec := 4096
FUZZ_MAXLEN_fuzz_idx := 4096
FUZZ_MAXLEN_fuzz_gz := 8192
FUZZ_MAXLEN_fuzz_csv := 32768
FUZZ_MAXLEN_fuzz_npy := 4096
FUZZ_MAXLEN_fuzz_imgdir := 4096
FUZZ_MAXLEN_fuzz_weights := 4096
FUZZ_MAXLEN_fuzz_import := 16384
# a .keras seed: ~2.5 KB of config.json and a ~17 KB model.weights.h5
FUZZ_MAXLEN_fuzz_import_keras := 65536
FUZZ_DICT_fuzz_spec := -dict=$(FUZZ_DIR)/spec.dict
FUZZ_DICT_fuzz_csv := -dict=$(FUZZ_DIR)/csv.dict
FUZZ_DICT_fuzz_npy := -dict=$(FUZZ_DIR)/npy.dict
FUZZ_DICT_fuzz_imgdir := -dict=$(FUZZ_DIR)/png.dict
# Any single allocation over 512 MB fails fuzz_imgdir (libFuzzer's default,
# the 2 GB RSS limit, let a 1.6 GB libpng text-chunk buffer through, see
# runtime/image.c; the largest legitimate buffer from 4 KB is ~146 MB RGBA).
FUZZ_EXTRA_fuzz_imgdir := -malloc_limit_mb=512
FUZZ_DICT_fuzz_weights := -dict=$(FUZZ_DIR)/weights.dict
FUZZ_DICT_fuzz_import := -dict=$(FUZZ_DIR)/import.dict
FUZZ_DICT_fuzz_import_keras := -dict=$(FUZZ_DIR)/import.dict

# Own lists (not the main Makefile's), so the include may sit anywhere in it.
FUZZ_GEN_SRC := $(filter-out gen/main.c,$(wildcard gen/*.c))
FUZZ_GEN_DEPS := $(wildcard gen/*.c gen/*.h)
FUZZ_RT_HDR := $(wildcard runtime/*.h)
FUZZ_TEMPLATES := $(wildcard templates/*.m4)
FUZZ_MODEL := $(FUZZ_OUT)/grad_conv
FUZZ_MODEL_SPEC := tests/specs/grad/grad_conv.yaml
FUZZ_UTIL := $(FUZZ_DIR)/fuzz_util.h
# Every loader harness links all the loaders (one file per format).
FUZZ_LOADERS := $(addprefix runtime/,data.c idx.c npy.c csv.c imgdir.c image.c)

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-deps fuzz-corpus fuzz-clean valgrind

# clang and its libFuzzer runtime (and valgrind), as the main Makefile's deps.
fuzz-deps: $(FUZZ_OUT)/.fuzz-deps
$(FUZZ_OUT)/.fuzz-deps:
	@mkdir -p $(FUZZ_OUT)
	$(call apt_install,$(FUZZ_DEBS))
	@touch $@

fuzz-build: $(addprefix $(FUZZ_OUT)/,$(FUZZ_HARNESSES))

$(FUZZ_OUT)/fuzz_spec: $(FUZZ_DIR)/fuzz_spec.c $(FUZZ_UTIL) $(FUZZ_GEN_DEPS) | $(FUZZ_OUT)/.fuzz-deps deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(YAML_CFLAGS) $(KERAS_CFLAGS) -o $@ $< $(FUZZ_GEN_SRC) $(or $(YAML_LIBS),-lyaml) $(or $(CJSON_LIBS),-lcjson) $(KERAS_LIBS) -lm

# seqc --import (gen/import.c) with the front end it runs the imported spec through
$(FUZZ_OUT)/fuzz_import: $(FUZZ_DIR)/fuzz_import.c $(FUZZ_UTIL) $(FUZZ_GEN_DEPS) | $(FUZZ_OUT)/.fuzz-deps deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(YAML_CFLAGS) $(KERAS_CFLAGS) -o $@ $< $(FUZZ_GEN_SRC) $(or $(YAML_LIBS),-lyaml) $(or $(CJSON_LIBS),-lcjson) $(KERAS_LIBS) -lm

# seqc --import of .keras files (gen/import_keras.c: libzip, libhdf5)
$(FUZZ_OUT)/fuzz_import_keras: $(FUZZ_DIR)/fuzz_import_keras.c $(FUZZ_DIR)/hdf5.supp $(FUZZ_UTIL) $(FUZZ_GEN_DEPS) | $(FUZZ_OUT)/.fuzz-deps deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_HDF5_SUPP='"$(abspath $(FUZZ_DIR)/hdf5.supp)"' $(YAML_CFLAGS) $(KERAS_CFLAGS) -o $@ $< $(FUZZ_GEN_SRC) $(or $(YAML_LIBS),-lyaml) $(or $(CJSON_LIBS),-lcjson) $(KERAS_LIBS) -lm

FUZZ_LOADER_HARNESSES := $(addprefix $(FUZZ_OUT)/,fuzz_idx fuzz_gz fuzz_csv fuzz_npy fuzz_imgdir)
$(FUZZ_LOADER_HARNESSES): $(FUZZ_OUT)/%: $(FUZZ_DIR)/%.c $(FUZZ_UTIL) $(FUZZ_DIR)/fuzz_data.h $(FUZZ_LOADERS) $(FUZZ_RT_HDR) | $(FUZZ_OUT)/.fuzz-deps deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LOADERS) -lpng -lz -lm

# The weights loader is compiled against one small generated model, made by
# the main Makefile's own rules; the sub-make sets FUZZ_SUBMAKE so that this
# rule does not compete with (or recurse into) them there.
ifndef FUZZ_SUBMAKE
$(FUZZ_MODEL).c: $(FUZZ_MODEL_SPEC) $(FUZZ_GEN_DEPS) $(FUZZ_TEMPLATES) | deps
	$(MAKE) --no-print-directory $@ SPEC=$(FUZZ_MODEL_SPEC) OUT=$(FUZZ_OUT) SAN= FUZZ_SUBMAKE=1
endif

$(FUZZ_OUT)/fuzz_weights: $(FUZZ_DIR)/fuzz_weights.c $(FUZZ_UTIL) $(FUZZ_MODEL).c runtime/weights.c $(FUZZ_RT_HDR) | $(FUZZ_OUT)/.fuzz-deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Iruntime -I$(FUZZ_OUT) -DRT_MODEL_HEADER='"grad_conv.h"' \
	  -o $@ $< $(FUZZ_MODEL).c runtime/weights.c -lz -lm

# Runs every harness (all of them, even after a crash), then prints one line
# per harness from libFuzzer's final "Done N runs in S second(s)" and fails if
# any crashed, leaked, timed out or ran out of memory.
define FUZZ_RUN
@mkdir -p $(FUZZ_OUT); rm -f $(FUZZ_OUT)/summary.txt; fail=0; \
	for h in $(FUZZ_HARNESSES); do \
	  case $$h in \
	    fuzz_spec) ml=$(FUZZ_MAXLEN_fuzz_spec); dict="$(FUZZ_DICT_fuzz_spec)";; \
	    fuzz_idx) ml=$(FUZZ_MAXLEN_fuzz_idx); dict="";; \
	    fuzz_gz) ml=$(FUZZ_MAXLEN_fuzz_gz); dict="";; \
	    fuzz_csv) ml=$(FUZZ_MAXLEN_fuzz_csv); dict="$(FUZZ_DICT_fuzz_csv)";; \
	    fuzz_npy) ml=$(FUZZ_MAXLEN_fuzz_npy); dict="$(FUZZ_DICT_fuzz_npy)";; \
	    fuzz_imgdir) ml=$(FUZZ_MAXLEN_fuzz_imgdir); dict="$(FUZZ_DICT_fuzz_imgdir) $(FUZZ_EXTRA_fuzz_imgdir)";; \
	    fuzz_weights) ml=$(FUZZ_MAXLEN_fuzz_weights); dict="$(FUZZ_DICT_fuzz_weights)";; \
	    fuzz_import) ml=$(FUZZ_MAXLEN_fuzz_import); dict="$(FUZZ_DICT_fuzz_import)";; \
	    fuzz_import_keras) ml=$(FUZZ_MAXLEN_fuzz_import_keras); dict="$(FUZZ_DICT_fuzz_import_keras)";; \
	    *) ml=4096; dict="";; \
	  esac; \
	  mkdir -p $(FUZZ_OUT)/corpus-$$h; \
	  echo "fuzz: $$h for $(FUZZ_SECONDS) s (log $(FUZZ_OUT)/$$h.log)"; \
	  start=$$(date +%s); \
	  $(FUZZ_OUT)/$$h $(FUZZ_OPTS) -max_len=$$ml $$dict -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_OUT)/crash-$$h- \
	    $(FUZZ_OUT)/corpus-$$h $(FUZZ_DIR)/corpus/$$h > $(FUZZ_OUT)/$$h.log 2>&1; \
	  rc=$$?; wall=$$(( $$(date +%s) - start )); \
	  done_line=$$(grep -E '^Done [0-9]+ runs in [0-9]+ second' $(FUZZ_OUT)/$$h.log | tail -1); \
	  runs=$$(echo "$$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/'); \
	  secs=$$(echo "$$done_line" | sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/'); \
	  cov=$$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE).*cov: ' $(FUZZ_OUT)/$$h.log | tail -1 | sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+).*/cov \1 ft \2/'); \
	  if [ $$rc -eq 0 ] && [ -n "$$done_line" ]; then \
	    line=$$(printf '%-13s ok     %12s execs  %5s s  %s  corpus %s files' $$h $$runs $$secs "$$cov" $$(ls $(FUZZ_OUT)/corpus-$$h | wc -l)); \
	  else \
	    fail=1; \
	    why=$$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)[^(]*|runtime error: .*|deadly signal' $(FUZZ_OUT)/$$h.log | head -1); \
	    line=$$(printf '%-13s CRASH  after %s s (exit %s): %s; input: %s' $$h $$wall $$rc "$$why" "$$(ls -t $(FUZZ_OUT)/crash-$$h-* $(FUZZ_OUT)/leak-$$h-* $(FUZZ_OUT)/timeout-$$h-* $(FUZZ_OUT)/oom-$$h-* 2>/dev/null | head -1)"); \
	  fi; \
	  echo "$$line"; echo "$$line" >> $(FUZZ_OUT)/summary.txt; \
	done; \
	echo "---- fuzz summary ($(FUZZ_SECONDS) s each) ----"; cat $(FUZZ_OUT)/summary.txt; \
	if [ $$fail -ne 0 ]; then echo "fuzz: FAILED (see $(FUZZ_OUT)/*.log)"; exit 1; fi

endef

fuzz: fuzz-build
	$(FUZZ_RUN)

# 30 s each unless FUZZ_SECONDS is given on the command line.
fuzz-smoke: FUZZ_SECONDS = 30
fuzz-smoke: fuzz-build
	$(FUZZ_RUN)

# Rewrites the seed-* inputs (regress-* stay) from mkcorpus.py and a weights
# file written by the runtime's own writer for the grad_conv model.
fuzz-corpus: $(FUZZ_MODEL).c
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -Iruntime -I$(FUZZ_OUT) \
	  -DRT_MODEL_HEADER='"grad_conv.h"' -o $(FUZZ_OUT)/mkweights $(FUZZ_DIR)/mkweights.c \
	  $(FUZZ_MODEL).c runtime/weights.c -lz -lm
	$(FUZZ_OUT)/mkweights $(FUZZ_OUT)/grad_conv.weights
	python3 $(FUZZ_DIR)/mkcorpus.py $(FUZZ_OUT)/grad_conv.weights

fuzz-clean:
	rm -rf $(FUZZ_OUT) out/vg

# ---- valgrind ----------------------------------------------------------------
# The mlp trainer without sanitizers and without -march=native (valgrind does
# not decode AVX-512), trained for one epoch on a 512/256 subset of the digits,
# then evaluated from the saved weights, both with --threads 1.  libgomp's
# thread pool shows as "possibly lost"; only definite/indirect leaks fail.
VG_OUT := out/vg
VG_TRAIN ?= 512
VG_TEST ?= 256
VALGRIND := valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --show-leak-kinds=definite,indirect --track-origins=yes --quiet

valgrind: data $(FUZZ_OUT)/.fuzz-deps
	$(MAKE) --no-print-directory model SPEC=specs/mlp.yaml OUT=$(VG_OUT) SAN= OPT='-O1 -g' FUZZ_SUBMAKE=1
	@mkdir -p $(VG_OUT)/data
	$(CC) -std=c11 -O2 $(WARN) -o $(VG_OUT)/idx_subset $(FUZZ_DIR)/idx_subset.c
	$(VG_OUT)/idx_subset $(DATA)/train-images-idx3-ubyte $(VG_TRAIN) $(VG_OUT)/data/train-images-idx3-ubyte
	$(VG_OUT)/idx_subset $(DATA)/train-labels-idx1-ubyte $(VG_TRAIN) $(VG_OUT)/data/train-labels-idx1-ubyte
	$(VG_OUT)/idx_subset $(DATA)/t10k-images-idx3-ubyte $(VG_TEST) $(VG_OUT)/data/t10k-images-idx3-ubyte
	$(VG_OUT)/idx_subset $(DATA)/t10k-labels-idx1-ubyte $(VG_TEST) $(VG_OUT)/data/t10k-labels-idx1-ubyte
	$(VALGRIND) $(VG_OUT)/mlp train --data $(VG_OUT)/data --epochs 1 --threads 1 \
	  --save $(VG_OUT)/mlp.weights --log $(VG_OUT)/mlp-history.csv --quiet
	$(VALGRIND) $(VG_OUT)/mlp eval --weights $(VG_OUT)/mlp.weights --data $(VG_OUT)/data --threads 1
	@echo "valgrind: train + eval clean (no errors, no definite/indirect leaks)"

.DEFAULT_GOAL := $(FUZZ_SAVED_DEFAULT_GOAL)
