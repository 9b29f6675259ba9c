.PHONY: all deps test unit integ interop fuzz fuzz-replay bench demo lint \
        format clean

all: $(BUILD)/btt $(BUILD)/libbtt.a

deps:
	@sh scripts/deps.sh

build-tests: all $(UNIT_TESTS) $(REPLAYS)
.PHONY: build-tests

# The whole suite; the runner prints "N passed, N failed" last.
test: deps
	@$(MAKE) --no-print-directory build-tests
	@BUILD=$(BUILD) sh scripts/run-tests.sh all

unit: $(UNIT_TESTS)
	@BUILD=$(BUILD) sh scripts/run-tests.sh unit

integ: all
	@BUILD=$(BUILD) sh scripts/run-tests.sh integ

interop: all
	@BUILD=$(BUILD) sh scripts/run-tests.sh interop

fuzz-replay: $(REPLAYS)
	@BUILD=$(BUILD) sh scripts/run-tests.sh fuzz

# libFuzzer needs clang; everything is rebuilt with coverage in its own dir.
fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang FUZZ=1 \
	    $(addprefix build/fuzz/fuzzers/,$(FUZZ_NAMES))
	@echo "fuzzers in build/fuzz/fuzzers/; run: scripts/fuzz.sh NAME SECONDS"

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@BUILD=$(BUILD) sh bench/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh scripts/demo.sh

lint:
	@sh scripts/lint.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build
