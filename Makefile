# nnspatch: every target has a "## description"; `make help` lists them.

GO       ?= go
BIN      ?= bin/nnspatch
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.DEFAULT_GOAL := help
.PHONY: help build test setup-test vet unit race bench lint golden demo ci cross

help: ## List the targets with their descriptions
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build bin/nnspatch with version and commit stamped in
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/nnspatch

# test runs the suite under the race detector. Measured on the 2-core CI
# machine (one run, 14:40 UTC): go test ./... 42s, go test -race ./... 139s,
# so the whole `make test` stays far below the 20-minute CI budget.
test: setup-test lint cross race ## Set up a fresh machine, lint (gofmt, vet, staticcheck, deadcode), cross-compile, then run every test with -race (the CI command)

setup-test: ## Install what the tests need (jspeer node_modules, ...); see scripts/setup-test.sh
	scripts/setup-test.sh

vet: ## Run go vet on every package
	$(GO) vet ./...

unit: ## Run every Go test, without set-up or the race detector (quick local loop)
	$(GO) test ./...

race: ## Run every Go test under the race detector (no set-up)
	$(GO) test -race -timeout 30m ./...

bench: ## Run every benchmark once, without the tests
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

# The linters run at pinned versions through `go run`, so they need nothing
# installed beyond Go; deadcode prints findings but exits 0, hence the check.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE    ?= golang.org/x/tools/cmd/deadcode@v0.52.0

lint: ## Check gofmt, run go vet, staticcheck and deadcode -test (all must be clean)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@out=$$($(GO) run $(DEADCODE) -test ./...); if [ -n "$$out" ]; then echo "deadcode -test found unreachable code:"; echo "$$out"; exit 1; fi

cross: ## Build every package for linux, macOS and Windows without cgo (PKCS#11 needs cgo: elsewhere it is a clear error)
	@for p in linux/amd64 darwin/amd64 darwin/arm64 windows/amd64; do \
		echo "go build $$p"; GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build ./... || exit 1; \
	done

golden: ## Rewrite golden files of the CLI after an intended output change
	$(GO) test ./cmd/nnspatch/... -update

demo: ## Run the main job: the most complete end-to-end flow (scripts/demo.sh)
	scripts/demo.sh

ci: test ## Run what CI runs (the test command, which lints first)
