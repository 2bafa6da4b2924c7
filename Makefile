# Safety Points Mart: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench translations install browser extract clean

# Create the virtual environment and install the product with its test tools; redone when pyproject changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

# Compile the translation catalogues (the .po files are the source; .mo files are built, not committed).
translations: $(STAMP)
	$(BIN)/pybabel compile -d app/translations -f

# Migrate the embedded SQLite database in instance/, load the demo plant when it is empty, serve on :5000.
run: install
	@echo "make run: the demo plant (its sign-ins are published); a real plant starts clean with mart run"
	$(BIN)/mart run --demo

# The browser tests drive the system Chromium (never a downloaded one); the deploy tests put nginx in front
# of gunicorn; the export tests open every Excel file in LibreOffice. Installed here when missing and this is
# root (CI, the project's machines); elsewhere install `chromium fonts-noto-cjk nginx-light
# libreoffice-calc-nogui` yourself, or those tests are skipped and say so.
browser:
	@if { [ ! -x /usr/bin/chromium ] || ! command -v nginx >/dev/null || ! command -v soffice >/dev/null; } && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Chromium, CJK fonts, nginx and LibreOffice Calc for the browser, deploy and export tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk nginx-light libreoffice-calc-nogui >/dev/null; \
	fi

# Lint and run the whole suite (set TEST_DATABASE_URL to run the database tests on PostgreSQL as well).
# The suite runs on a server clock in UTC (a rented server's), and the clock tests once more on one far from
# the plant: the product must read the plant's zone from MART_TIMEZONE, never from the server.
test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	TZ=UTC $(BIN)/pytest -q
	TZ=America/Los_Angeles $(BIN)/pytest -q tests/test_clock.py

bench: install
	$(BIN)/python -m tests.bench

# (Developers) re-extract the translatable strings after changing templates or messages.
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --ignore-dirs=".venv instance" .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
