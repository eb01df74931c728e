# Silverback — build, run and test. `make help` lists the targets.

GO        ?= go
BIN       := bin/silverback
PREFIX    ?= servroot
FUZZTIME  ?= 20s
PKGS      := ./...
BENCH     ?= .
COUNT     ?= 1

.PHONY: help build run test test-short fuzz bench bench-go lint deck services clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/silverback
	$(GO) build -trimpath -o $(BIN) ./cmd/silverback

run: build ## build and start the gateway on the embedded SQLite store (prefix ./servroot)
	$(BIN) start -p $(PREFIX)

deck: ## build Kong's decK CLI (used by the compatibility tests) into .cache/bin
	./scripts/build-deck.sh

services: ## make sure PostgreSQL and Redis answer on 127.0.0.1 (starts or installs them)
	./scripts/test-services.sh

test: deck services ## run every test, with the race detector, against real sockets, PostgreSQL and Kong's clients
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 40m $(PKGS)

test-short: ## unit tests only (no decK build)
	$(GO) test -short -count=1 $(PKGS)

fuzz: ## run every fuzz test for FUZZTIME each
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

bench: ## side-by-side load benchmark against nginx (docs/benchmarks.md); LOADBENCH_FLAGS='-rounds 2 -duration 3s -warmup 1s' for a ~1 min smoke run
	$(GO) build -o bin/loadbench ./scripts/loadbench && bin/loadbench $(LOADBENCH_FLAGS)

bench-go: ## run the Go micro-benchmarks matching BENCH, COUNT times each (output for benchstat)
	$(GO) test -run '^$$' -bench '$(BENCH)' -count $(COUNT) -benchmem $(PKGS)

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

clean: ## remove build outputs
	rm -rf bin $(PREFIX)
