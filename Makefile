# The commands of the quick start. Each does its own set-up: the virtual environment,
# the dependencies and the Temporal binaries it needs.
SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: bytecode run cluster test test-slow test-cluster bench bench-report lint typecheck compose-check \
	temporal temporal-cluster postgresql clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

temporal: $(STAMP) bytecode
	@$(BIN)/python -m valuechain.cluster.binaries cli >/dev/null

# Temporal's sandbox imports a workflow's module afresh for every run: from its bytecode
# when there is some, else compiled again each time (where PYTHONDONTWRITEBYTECODE is set,
# Python never writes it). compileall writes it whatever that says; an image's install does.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q valuechain activities workflows workers starters tests \
		>/dev/null

# The cluster's binaries: temporal-server, temporal-sql-tool, the Web UI server.
temporal-cluster: $(STAMP)
	@$(BIN)/python -m valuechain.cluster.binaries cluster >/dev/null

# make run            the examples wait for people (Ctrl-C stops everything)
# make run MODE=auto  act as the people, drive every example to its end, exit 0
run: temporal
	$(BIN)/valuechain run $(if $(filter auto,$(MODE)),--auto,)

# PostgreSQL's server binaries (Debian's package) for the cluster: installed when missing.
postgresql:
	@compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || command -v pg_ctl >/dev/null \
	|| if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's postgresql (the cluster's database server)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql \
			>/dev/null; \
	else \
		echo "the cluster needs PostgreSQL's server: sudo apt-get install postgresql"; exit 1; \
	fi

# make cluster            the same on the production topology: PostgreSQL, the Temporal
#                         services as separate processes with mutual TLS, the Web UI
#                         server on :8080, two processes of each worker
# make cluster MODE=auto  drive every example to its end there, exit 0
cluster: temporal temporal-cluster postgresql
	$(BIN)/valuechain run --cluster $(if $(filter auto,$(MODE)),--auto,)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports

# docker-compose.yml read by a real compose implementation (Debian's docker-compose);
# CI installs it, elsewhere the check says how to get it.
compose-check:
	@if command -v docker-compose >/dev/null 2>&1; then \
		docker-compose -f docker-compose.yml --profile cluster --profile laptop \
			--profile starters config -q \
		&& echo "docker-compose.yml: valid"; \
	else \
		echo "docker-compose.yml: not checked, no docker-compose here (apt-get install docker-compose)"; \
	fi

test: temporal lint typecheck compose-check
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks: the project against a plain temporalio baseline, and with the payload codec
# (QUICK=1: about 3.5 minutes);
# TOPOLOGY=cluster: on the cluster too, with 1, 2 and 4 worker processes;
# FEATURES=1: what A's features cost (A with notices, publishing, both switched off).
# PROFILE=1: py-spy records each round's workers (.valuechain/profile), and the run ends
# by saying where their busy time went.
# SCENARIO=order: only the scenarios whose name holds the text.
bench: temporal $(if $(filter cluster,$(TOPOLOGY)),temporal-cluster postgresql,)
	$(BIN)/python -m tests.bench $(if $(QUICK),--quick,) $(if $(FEATURES),--features,) \
		$(if $(filter cluster,$(TOPOLOGY)),--topology cluster,) \
		$(if $(PROFILE),--profile .valuechain/profile,) \
		$(if $(SCENARIO),--scenario "$(SCENARIO)",)

# The process-insight report over 10,000 real workflows: its peak memory against 100.
bench-report: temporal
	$(BIN)/python -m tests.bench.report_memory --out .valuechain/bench-report.json

# The long reliability drills (crashes, restarts, the bad-input matrix).
test-slow: temporal
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

# The cluster: every workflow type, batches of orders, failure drills on the server's
# processes and PostgreSQL, mutual TLS refusals, the Web UI server in a browser.
test-cluster: temporal temporal-cluster postgresql
	$(BIN)/pytest -m cluster tests/cluster $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .valuechain .mypy_cache .ruff_cache .pytest_cache .import_linter_cache
