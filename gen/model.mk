# model.mk - build one model: SPEC -> $(OUT)/NAME.defs.m4 -> NAME.c/.h -> trainer.
# Included by the top-level Makefile and installed with seqc (seqc --build
# runs it with TEMPLATES_DIR and RUNTIME_DIR pointing at the installed copies).
#
#   SPEC=path/NAME.yaml OUT=dir SEQC=path/to/seqc  [V=16] [SAN=1]

TEMPLATES_DIR ?= templates
RUNTIME_DIR ?= runtime
M4 ?= m4
# Samples per block in the generated code: the inner loops are V lanes wide.
V ?= 16
# The trainer also links NAME.tail.c, the model built with TAIL_V lanes, for
# a batch's last chunk of at most TAIL_V samples (runtime/train.c): batch
# 100 is 6 blocks of 16 and a tail of 4, which in a block of 16 costs a
# whole block.  TAIL_V=0 (or = V) leaves it out.
TAIL_V ?= 4
RT_CFLAGS ?= -std=c11 -O3 -march=native -ffp-contract=fast -Wall -Wextra -fopenmp

TEMPLATES := $(wildcard $(TEMPLATES_DIR)/*.m4)
RT_SRC := $(addprefix $(RUNTIME_DIR)/,main.c cli.c cmd_train.c cmd_eval.c cmd_predict.c cmd_export.c cmd_quant.c quant.c qat.c quant_export.c train.c fit.c targets.c model_optim.c adam.c weights.c data.c idx.c npy.c csv.c imgdir.c report.c metrics.c \
	export.c image.c checkpoint.c optim.c adapt.c onnx.c)
RT_HDR := $(wildcard $(RUNTIME_DIR)/*.h)

# export --onnx (runtime/onnx.c) serializes with protobuf-c: the C code for
# Debian libonnx-dev's onnx.proto is generated at build time, into OUT.
# protoc-c's output (protobuf-c 1.4) is warning-free under -Wall -Wextra
# -Werror; RT_CFLAGS has no -Werror anyway.  Link: -lprotobuf-c.
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
ONNX_PB := $(OUT)/onnx/onnx.pb-c.c
$(OUT)/onnx/onnx.pb-c.c $(OUT)/onnx/onnx.pb-c.h &: $(ONNX_PROTO)
	@mkdir -p $(OUT)/onnx
	protoc-c --c_out=$(OUT)/onnx -I$(dir $(ONNX_PROTO)) $(ONNX_PROTO)

# MPI=1: a data-parallel trainer (runtime/mpi.c): mpicc, -DRT_MPI; run it
# with mpirun -np N out/NAME train ...  (README: "Data-parallel training").
ifeq ($(MPI),1)
CC := mpicc
RT_CFLAGS += -DRT_MPI
RT_SRC += $(RUNTIME_DIR)/mpi.c
endif

NAME ?= $(basename $(notdir $(SPEC)))

model: $(OUT)/$(NAME)

$(OUT)/$(NAME).defs.m4: $(SPEC) $(SEQC)
	@mkdir -p $(OUT)
	$(SEQC) -o $@ $(SPEC)

# m4_pair STEM LANES EXTRA: STEM.c and STEM.h from the defs ($<), with the
# m4 files EXTRA read before the skeletons.  m4 writes to temporary files; a
# macro name that survives into C (a typo or an overquoted macro in a
# template) fails the build.
define m4_pair
	$(M4) -P -Dseqc_V=$(2) -I $(TEMPLATES_DIR) $(TEMPLATES_DIR)/lib.m4 $< $(3) \
	  $(TEMPLATES_DIR)/model.c.m4 > $(1).c.tmp
	$(M4) -P -Dseqc_V=$(2) -I $(TEMPLATES_DIR) $(TEMPLATES_DIR)/lib.m4 $< $(3) \
	  $(TEMPLATES_DIR)/model.h.m4 > $(1).h.tmp
	@if grep -n 'm4_\|seqc_' $(1).c.tmp $(1).h.tmp; then \
	  echo "error: m4 macro names survived into the generated C (see above)"; \
	  rm -f $(1).c.tmp $(1).h.tmp; exit 1; fi
	mv $(1).h.tmp $(1).h
	mv $(1).c.tmp $(1).c
endef

$(OUT)/$(NAME).c $(OUT)/$(NAME).h &: $(OUT)/$(NAME).defs.m4 $(TEMPLATES)
	$(call m4_pair,$(OUT)/$(NAME),$(V),)

ifneq ($(filter-out 0 2 4 8,$(TAIL_V)),)
$(error TAIL_V=$(TAIL_V): the tail build's lanes per block must be 2, 4 or 8 (or 0: no tail build))
endif
# the tail build's lanes (4 when TAIL_V=0 asks a test for the files alone)
TAIL_LANES := $(or $(filter-out 0,$(TAIL_V)),4)
ifeq ($(filter 0 $(V),$(TAIL_V)),)
TAIL_SRC := $(OUT)/$(NAME).tail.c
TAIL_HDR := $(OUT)/$(NAME).tail.h
TAIL_FLAGS := -DRT_TAIL_V=$(TAIL_V) -DRT_TAIL_HEADER='"$(NAME).tail.h"'
endif

# NAME.tail.h declares its passes (runtime/model.h includes it) and, for
# tests that run the tail build alone, its API under the generic names.
$(OUT)/$(NAME).tail.c $(OUT)/$(NAME).tail.h &: $(OUT)/$(NAME).defs.m4 $(TEMPLATES)
	$(call m4_pair,$(OUT)/$(NAME).tail,$(TAIL_LANES),$(TEMPLATES_DIR)/tail.m4)

# The tail build is compiled with -mno-red-zone on x86-64: GCC 12.2 with
# AVX-512 at -O2 places arrays of 16-byte vectors (the 4-lane blocks) in
# the red zone at addresses 8 mod 16 and faults on its own aligned moves
# (27 of the 37 golden specs' tail builds crashed so; tests/run trains one
# built at -O2).  The layer functions are leaves with large frames: the
# flag costs nothing measurable.
TAIL_CC_FLAGS := $(if $(findstring x86_64,$(shell $(CC) -dumpmachine 2>/dev/null)),-mno-red-zone)

# The trainer: every source compiled to its own object, as many at once as
# there are cores (on two that halves the build: the model and its tail
# build, first, take most of it), into NAME.obj/; then one link to a
# temporary file, renamed into place.
TRAINER_SRC = $(OUT)/$(NAME).c $(TAIL_SRC) $(RT_SRC) $(ONNX_PB)
TRAINER_CC = $(CC) $(RT_CFLAGS) $(TAIL_FLAGS) -I$(RUNTIME_DIR) -I$(OUT) -I$(OUT)/onnx \
	-DRT_MODEL_HEADER='"$(NAME).h"' -DRT_TEMPLATES='"$(abspath $(TEMPLATES_DIR))"' \
	-DRT_DEFS='"$(abspath $(OUT)/$(NAME).defs.m4)"'
$(OUT)/$(NAME): $(OUT)/$(NAME).c $(OUT)/$(NAME).h $(TAIL_SRC) $(TAIL_HDR) $(RT_SRC) $(RT_HDR) $(ONNX_PB)
	@rm -rf $@.obj && mkdir -p $@.obj
	@echo "$(CC) $(RT_CFLAGS) $(TAIL_FLAGS) -c (NAME.tail.c also $(or $(TAIL_CC_FLAGS),nothing)), one per core at a time: $(TRAINER_SRC)"
	@jobs=$$(nproc 2>/dev/null || echo 2); st=0; pids=; k=0; \
	for f in $(TRAINER_SRC); do \
	  extra=; case $$f in *.tail.c) extra="$(TAIL_CC_FLAGS)";; esac; \
	  $(TRAINER_CC) $$extra -c $$f -o $@.obj/$$(echo $$f | tr / _).o & pids="$$pids $$!"; k=$$((k + 1)); \
	  if [ $$k -ge $$jobs ]; then for p in $$pids; do wait $$p || st=1; done; pids=; k=0; fi; \
	done; for p in $$pids; do wait $$p || st=1; done; exit $$st
	$(CC) $(RT_CFLAGS) -o $@.tmp $@.obj/*.o -lprotobuf-c -lpng -lz -lm
	@rm -rf $@.obj
	mv $@.tmp $@
