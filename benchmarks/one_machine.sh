#!/usr/bin/env bash
# Issue 16's figures measured one after the other on one machine, with the load average before
# each step (run it on a quiet machine: nothing else should be running). Not run in CI.
#
#   benchmarks/one_machine.sh [LOG]      (from the project root; about 15-20 minutes on 2 cores)
#
# Order: bulk import (20k, 100k; PostgreSQL default beside --exclusive also at 1M), the stored caseload's impact at 100k and 1M against the file
# path, the web impact page as a job (20k, 100k), POST /assessments with 1 and 2 workers on
# SQLite and PostgreSQL at 50 and 200 req/s, the mixed load at 100 req/s. Each script writes
# its own results file (the API rows are printed, not appended: the log keeps them).
set -uo pipefail  # a failed step is logged and the next one runs
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PG=postgresql+psycopg://postgres@127.0.0.1:5432
LOG=${1:-/tmp/haven-one-machine.log}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
# Sizes can be made small for a smoke run (e.g. IMPORT_SIZES=2000 STORED_SIZES=2000 ...).
IMPORT_SIZES=${IMPORT_SIZES:-20000 100000}
STORED_SIZES=${STORED_SIZES:-100000 1000000}
WEB_SIZES=${WEB_SIZES:-20000 100000}
# The default-beside---exclusive pair (PostgreSQL) also at a million: moving a caseload in is
# what --exclusive is for, and the 1M default import is otherwise only in stored_caseload.py.
EXCLUSIVE_SIZES=${EXCLUSIVE_SIZES:-$IMPORT_SIZES 1000000}

ONLY=${ONLY:-import stored web api mixed}  # the steps to run
want() { [[ " $ONLY " == *" $1 "* ]]; }
stamp() { echo "### $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) :: $*"; }
fresh_pg() {
  psql -h 127.0.0.1 -U postgres -d postgres -q \
    -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
  echo "$PG/$1"
}
drop_pg() { psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null; }

{
  stamp "git $(git rev-parse --short HEAD), $(nproc) cores, $(uname -m), $($PY -V)"
  if want import; then
    stamp "bulk import"
    $PY benchmarks/bulk_import.py --sizes $IMPORT_SIZES || stamp "FAILED: bulk import"
    stamp "bulk import, default beside --exclusive (PostgreSQL)"
    rm -rf /tmp/haven-bench-code && mkdir -p /tmp/haven-bench-code && git archive HEAD | tar -x -C /tmp/haven-bench-code
    $PY benchmarks/bulk_import.py --sizes $EXCLUSIVE_SIZES --backend postgresql \
      --baseline /tmp/haven-bench-code --code /tmp/haven-bench-code --after-args=--exclusive \
      || stamp "FAILED: exclusive import"
  fi
  if want stored; then
    stamp "stored caseload impact vs file"
    $PY benchmarks/stored_caseload.py --sizes $STORED_SIZES --note "benchmarks/one_machine.sh" \
      || stamp "FAILED: stored caseload"
  fi
  if want web; then
    stamp "web impact page as a job"
    $PY benchmarks/web_impact.py --cases $WEB_SIZES --note "benchmarks/one_machine.sh" \
      || stamp "FAILED: web impact"
  fi
  want api && for db in sqlite postgresql; do
    for workers in 1 2; do
      for rate in 50 200; do
        stamp "POST /assessments $db workers=$workers rate=$rate"
        if [ "$db" = postgresql ]; then
          HAVEN_DATABASE_URL=$(fresh_pg haven_one_api) \
            $PY benchmarks/api_latency.py --rate "$rate" --seconds "$SECONDS_PER_RUN" \
            --workers "$workers" --no-append || stamp FAILED
          drop_pg haven_one_api
        else
          $PY benchmarks/api_latency.py --rate "$rate" --seconds "$SECONDS_PER_RUN" \
            --workers "$workers" --no-append || stamp FAILED
        fi
      done
    done
  done
  want mixed && for db in postgresql sqlite; do
    for workers in 2 1; do
      stamp "mixed load $db workers=$workers rate=100"
      if [ "$db" = postgresql ]; then
        HAVEN_DATABASE_URL=$(fresh_pg haven_one_mixed) \
          $PY benchmarks/api_mixed.py --rate 100 --seconds "$SECONDS_PER_RUN" --workers "$workers" --no-append || stamp FAILED
        drop_pg haven_one_mixed
      else
        $PY benchmarks/api_mixed.py --rate 100 --seconds "$SECONDS_PER_RUN" --workers "$workers" --no-append || stamp FAILED
      fi
    done
  done
  stamp "done"
} 2>&1 | tee "$LOG"
