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

BUILD    ?= build
WERROR   ?= 0
SANITIZE ?=
FUZZ     ?= 0

include mk/modules.mk
include mk/flags.mk
include mk/rules.mk
include mk/targets.mk
