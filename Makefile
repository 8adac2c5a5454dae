# Everything starts from python3, make and git: the first target builds .venv/.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# With Slack credentials (environment or .env) run the bot; without, the terminal console.
run: $(STAMP)
	@if [ -n "$$SLACK_BOT_TOKEN" ] || grep -qs '^SLACK_BOT_TOKEN=..*' .env; then \
		$(VENV)/bin/peerconsult serve; \
	else \
		echo "No SLACK_BOT_TOKEN found: starting the terminal console (see README to connect Slack)."; \
		$(VENV)/bin/peerconsult console; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint
	$(VENV)/bin/peerconsult content check
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/search.py
	$(PY) bench/search_quality.py
	$(PY) bench/ack_latency.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache peerconsult.db*
