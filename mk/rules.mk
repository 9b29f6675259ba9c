# Objects and archives per module.
define module_rules
$(1)_SRCS := $$(sort $$(wildcard src/$(1)/*.c))
$(1)_OBJS := $$(patsubst src/%.c,$(BUILD)/obj/%.o,$$($(1)_SRCS))
$(1)_LIB  := $(BUILD)/lib/libbtt_$(1).a
$$($(1)_LIB): $$($(1)_OBJS)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_rules,$(m))))

# The archives a module links with: itself, then its dependencies.
mod_libs = $($(1)_LIB) $(foreach d,$($(1)_DEPS),$($(d)_LIB))

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/testobj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests -c $< -o $@

LIB_MODULES := $(filter-out cli,$(MODULES))
LIB_OBJS    := $(foreach m,$(LIB_MODULES),$($(m)_OBJS))

$(BUILD)/libbtt.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

CLI_LIBS := $(foreach d,$(cli_DEPS),$($(d)_LIB))
$(BUILD)/btt: $(cli_OBJS) $(CLI_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $(cli_OBJS) $(CLI_LIBS) $(PKG_LIBS)

# Unit tests: tests/unit/<module>/test_<unit>.c, one binary each, linked
# with the module and its dependencies only.
define unit_rules
$(1)_TESTS := $$(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,\
                $$(sort $$(wildcard tests/unit/$(1)/test_*.c)))
$(BUILD)/tests/unit/$(1)/%: $(BUILD)/testobj/tests/unit/$(1)/%.o \
                             $$(call mod_libs,$(1))
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS_ALL) -o $$@ $$< $$(call mod_libs,$(1)) -lcmocka $$(PKG_LIBS)
endef
$(foreach m,$(MODULES),$(eval $(call unit_rules,$(m))))
UNIT_TESTS := $(foreach m,$(MODULES),$($(m)_TESTS))

# Build and run one module's unit tests: make check-core, check-bt, ...
$(foreach m,$(MODULES),$(eval check-$(m): $$($(m)_TESTS) ; @BUILD=$(BUILD) sh scripts/run-tests.sh unit $(m)))
.PHONY: $(addprefix check-,$(MODULES))

# Keep intermediate objects.
.SECONDARY:

# Fuzz targets: fuzz/fuzz_<name>.c. The first line comment
# "// modules: a b c" names the archives it links (top first).
FUZZ_SRCS    := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES   := $(patsubst fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
fuzz_mods     = $(shell sed -n '1s|^// modules: ||p' fuzz/fuzz_$(1).c)
fuzz_libs     = $(foreach m,$(call fuzz_mods,$(1)),$($(m)_LIB))

# Replay drivers: the fuzz target plus fuzz/replay.c, built with $(CC).
define replay_rules
$(BUILD)/fuzz-replay/$(1): $(BUILD)/testobj/fuzz/fuzz_$(1).o \
                           $(BUILD)/testobj/fuzz/replay.o $$(call fuzz_libs,$(1))
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) $$(call fuzz_libs,$(1)) $$(PKG_LIBS)
$(BUILD)/fuzzers/$(1): $(BUILD)/testobj/fuzz/fuzz_$(1).o $$(call fuzz_libs,$(1))
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS_ALL) -fsanitize=fuzzer -o $$@ $$< $$(call fuzz_libs,$(1)) $$(PKG_LIBS)
endef
$(foreach f,$(FUZZ_NAMES),$(eval $(call replay_rules,$(f))))
REPLAYS := $(addprefix $(BUILD)/fuzz-replay/,$(FUZZ_NAMES))

# Benchmarks: bench/bench_<name>.c, linked with everything.
BENCH_SRCS := $(sort $(wildcard bench/bench_*.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
$(BUILD)/bench/%: $(BUILD)/testobj/bench/%.o $(CLI_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CLI_LIBS) $(PKG_LIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
