# dctc — the two set-up commands are `make demo` and `make test` (see README.md).
SWIFT ?= swift
PREFIX ?= /usr/local
BIN_DEBUG := .build/debug/dctc
BIN_RELEASE := .build/release/dctc

.PHONY: all deps test-deps build release demo test test-integrations test-servers stop-servers completions man bench install install-files uninstall clean

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
## A debug build: the quickest to get (make install builds the optimized one).
demo: build
	@bash Scripts/demo.sh $(BIN_DEBUG)

## Installs what the tests need (and the Airflow and Luigi virtualenvs, while building), starts the
## loopback test servers, builds, and runs every test: swift test, then Integrations/test.sh.
test: test-deps
	bash Integrations/test.sh setup & setup=$$!; \
	  $(SWIFT) build --build-tests; build=$$?; wait $$setup; setup=$$?; \
	  if [ $$build -ne 0 ]; then exit $$build; fi; if [ $$setup -ne 0 ]; then exit $$setup; fi
	bash Scripts/test-servers/all.sh start
	DCTC_TEST_HARNESS=1 DCTC_BIN=$(CURDIR)/$(BIN_DEBUG) $(SWIFT) test --skip-build --disable-xctest; status=$$?; \
	  DCTC_BIN=$(CURDIR)/$(BIN_DEBUG) bash Integrations/test.sh; integrations=$$?; \
	  bash Scripts/test-servers/all.sh stop; \
	  if [ $$status -eq 0 ]; then status=$$integrations; fi; exit $$status

## Only the orchestrator integrations (Airflow, Luigi), with the test servers already up (make test-servers).
test-integrations: build
	DCTC_BIN=$(CURDIR)/$(BIN_DEBUG) bash Integrations/test.sh

test-servers:
	bash Scripts/test-servers/all.sh start

stop-servers:
	bash Scripts/test-servers/all.sh stop

## Regenerates the committed shell completion scripts from the CLI definition.
completions: build
	$(BIN_DEBUG) completions bash > completions/dctc.bash
	$(BIN_DEBUG) completions zsh > completions/_dctc
	$(BIN_DEBUG) completions fish > completions/dctc.fish

## Regenerates the committed man pages (Docs/man/*.1) from the CLI definition.
man: build
	rm -f Docs/man/*.1
	$(BIN_DEBUG) generate-manual Docs/man

bench: release
	bash Benchmarks/compression-memory.sh

## Installs the release binary, the man pages and the completions under $(DESTDIR)$(PREFIX)
## (make install PREFIX=~/.local; packagers add DESTDIR=/staging).
install: release
	@$(MAKE) --no-print-directory install-files BIN=$(BIN_RELEASE)

## The copying part of install, for a binary that is already built (BIN=path/to/dctc).
BIN ?= $(BIN_RELEASE)
MANDIR ?= $(PREFIX)/share/man/man1
install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR) \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/dctc
	install -m 644 Docs/man/*.1 $(DESTDIR)$(MANDIR)/
	install -m 644 completions/dctc.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/dctc
	install -m 644 completions/_dctc $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_dctc
	install -m 644 completions/dctc.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/dctc.fish

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/dctc $(DESTDIR)$(MANDIR)/dctc.1 $(DESTDIR)$(MANDIR)/dctc-*.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/dctc \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_dctc $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/dctc.fish

clean:
	rm -rf .build
