# doithoai: `make demo` and `make test` each build .venv themselves.
# GNU make; recipes use only POSIX sh.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx

.PHONY: demo test check lint fmt bench bench-quick clean system-packages i18n docs

# Reinstalled whenever pyproject.toml changes. Editable, so moderator_ui/,
# client_widget/ and the Lua scripts are used from the working tree.
$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/doithoai demo

# Browser tests need Debian's chromium, the load balancer test its nginx, the
# deployment's test (tests/test_deploy.py) systemd-analyze and openssl too;
# they fail (never skip) without them, so `make test` installs what is missing.
system-packages:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	[ -x $(NGINX) ] || missing="$$missing nginx"; \
	[ -x /usr/bin/systemd-analyze ] || missing="$$missing systemd"; \
	[ -x /usr/bin/openssl ] || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && apt-get install -y $$missing; \
		else \
			echo "missing:$$missing; run 'sudo apt-get install -y$$missing' (or make test as root)" >&2; \
			exit 1; \
		fi; \
	fi

# Two workers (this machine has two cores), each with its own Redis, ports,
# temp dirs and Chromium; a test file stays on one worker, so a module's
# server and seed are made once.
XDIST := -n 2 --dist loadfile

# Then the store's tests again on a real Redis Cluster (3 primaries, 3
# replicas on loopback; those that need the single Redis are left out): about
# 40 s at load 4, two 20,000-question seeds included (tests/support/bulk.py).
test: $(VENV)/.installed system-packages
	$(MAKE) lint
	$(BIN)/python -m pytest $(XDIST)
	$(BIN)/python -m pytest --redis-cluster tests/store

# The fast lane, under a minute: lint, then the pure tests (domain, layering,
# settings, the hub) and the store's (a private redis-server, no app server).
FAST_TESTS := tests/domain tests/realtime tests/store tests/test_layering.py tests/test_config.py

check: $(VENV)/.installed
	$(MAKE) lint
	$(BIN)/python -m pytest $(XDIST) $(FAST_TESTS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The catalogs of the pages and the widget, from the templates, the server's
# messages (server/domain/wording.py: a Refused's, a ValidationError's,
# N_-marked ones) and the widget's t() msgids (babel.cfg); then fill in every
# new msgid of moderator_ui/locale/vi (tests fail on an empty one).
I18N_KEYWORDS := -k N_ -k Refused:2 -k ValidationError:3 -k _invalid:2 -k Message:1
i18n: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output \
		-o moderator_ui/locale/messages.pot .
	$(BIN)/pybabel update -i moderator_ui/locale/messages.pot -d moderator_ui/locale \
		--no-fuzzy-matching --ignore-obsolete

# docs/api.md, the API's reference, rendered from the OpenAPI document the code
# generates (tests/test_docs.py fails when it is stale).
docs: $(VENV)/.installed
	$(BIN)/python -m server.web.apidoc

# docs/benchmarks.md says what each measures. `make bench`: fan-out against
# its peers (the bare-write floor, python websockets, Node Socket.IO with
# the Redis adapter, installed with npm into a temporary directory when node
# is here) at 1k/5k/10k viewers and docs/bench-fanout.svg, ingest against
# its floors, then the other benchmarks: under 15 minutes on 2 cores.
# `make bench-quick`: fan-out at 1k and short ingest phases, under 2 minutes.
bench: $(VENV)/.installed
	$(BIN)/python -m bench

bench-quick: $(VENV)/.installed
	$(BIN)/python -m bench --quick

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
