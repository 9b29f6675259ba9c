PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wvla -Wformat=2 -Wno-format-nonliteral -Wundef -Wpointer-arith
ifeq ($(WERROR),1)
WARN += -Werror
endif

OPT ?= -O2 -g
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -Isrc \
              $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDFLAGS_ALL := $(LDFLAGS)

ifneq ($(SANITIZE),)
CFLAGS_ALL  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
               -fno-sanitize-recover=all
LDFLAGS_ALL += -fsanitize=$(SANITIZE)
endif

ifeq ($(FUZZ),1)
CFLAGS_ALL  += -fsanitize=fuzzer-no-link,address,undefined \
               -fno-omit-frame-pointer -DBTT_FUZZING=1
LDFLAGS_ALL += -fsanitize=address,undefined
endif
