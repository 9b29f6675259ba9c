# btt: one non-recursive GNU Make build. Outputs go under $(BUILD).
#
#   make            build build/btt and build/libbtt.a
#   make test       install missing packages, build, run every test
#   make demo       install, build, run the local demo
#   make bench      run the benchmarks (ratios against real clients)
#   make fuzz       build the libFuzzer targets with clang
#   make lint       formatting, banned functions, file sizes
#
# Options: SANITIZE=address,undefined  CC=clang  WERROR=1  BUILD=dir

WERROR   ?= 0
SANITIZE ?=
# Sanitizer and clang builds get their own directory so objects never mix.
BUILD    ?= build$(if $(SANITIZE),-san)$(if $(filter clang%,$(notdir $(CC))),-clang)
FUZZ     ?= 0

include mk/modules.mk
include mk/flags.mk
include mk/rules.mk
include mk/targets.mk
