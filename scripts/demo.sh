#!/bin/sh
# QMOI's main job on the bundled example repository, in a temporary copy (the checkout stays
# clean): the manager fixes a broken workflow before running it (a retired ::set-output,
# misspelt keys), retries a step that fails once with a network error, ends green, writes
# the verified marker, and the stats log and the knowledge base show what happened.
#
#   scripts/demo.sh            (needs `qmoi` on PATH: pip install -e . in a venv)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/qmoi-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
repo="$work/demo-repo"
mkdir -p "$repo"
(cd "$here/examples/demo-repo" && tar cf - --exclude=.qmoi .) | (cd "$repo" && tar xf -)
cd "$repo"
unset QMOI_HOME QMOI_DATABASE_URL  # the demo's state stays in the copy's .qmoi/
git init -q -b main
git add -A
git -c user.name=QMOI -c user.email=qmoi@localhost commit -q -m "The example repository"

echo "== qmoi lint (before)"
qmoi lint || true
echo
echo "== qmoi manager --once --commit"
status=0
qmoi manager --once --commit --backoff 1 --plain || status=$?
echo
echo "== git log"
git log --format='%h %s' | cat
echo
echo "== QMOI_WORKFLOW_STATS.log"
cat QMOI_WORKFLOW_STATS.log
echo
echo "== qmoi verified"
qmoi verified || true
echo
echo "== qmoi learn list"
qmoi learn list
exit "$status"
