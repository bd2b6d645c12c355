# dctc — the two set-up commands are `make demo` and `make test` (see README.md).
SWIFT ?= swift
PREFIX ?= /usr/local
BIN_DEBUG := .build/debug/dctc
BIN_RELEASE := .build/release/dctc

.PHONY: all deps test-deps build release demo test test-servers stop-servers completions check-completions bench install clean

all: build

deps:
	@bash Scripts/install-deps.sh

test-deps:
	@bash Scripts/install-deps.sh --test

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Runs the main job on local folders with no server: copy, then sync, a sample tree, compressing on the way.
demo: release
	@bash Scripts/demo.sh $(BIN_RELEASE)

## Installs what the tests need, starts the loopback test servers, builds, and runs every test.
test: test-deps
	$(SWIFT) build --build-tests
	bash Scripts/test-servers/all.sh start
	DCTC_TEST_HARNESS=1 DCTC_BIN=$(CURDIR)/$(BIN_DEBUG) $(SWIFT) test --skip-build --disable-xctest; status=$$?; \
	  bash Scripts/test-servers/all.sh stop; exit $$status

test-servers:
	bash Scripts/test-servers/all.sh start

stop-servers:
	bash Scripts/test-servers/all.sh stop

## Regenerates the committed shell completion scripts from the CLI definition.
completions: build
	$(BIN_DEBUG) completions bash > completions/dctc.bash
	$(BIN_DEBUG) completions zsh > completions/_dctc
	$(BIN_DEBUG) completions fish > completions/dctc.fish

bench: release
	bash Benchmarks/compression-memory.sh

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN_RELEASE) $(DESTDIR)$(PREFIX)/bin/dctc
	install -m 644 completions/dctc.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/dctc
	install -m 644 completions/_dctc $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_dctc
	install -m 644 completions/dctc.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/dctc.fish

clean:
	rm -rf .build
