#!/usr/bin/env bash
# The main job on the example desired state: build, then validate it at two
# revisions of a scratch copy of this repository — a good commit, and an
# "incident edit" that breaks it — and show what doctor sees.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
echo "==> swift build"
swift build -c release --product ballast 2>&1 | grep -vE '^\[|^Building|^Compiling|^Write' || true
ballast="$PWD/.build/release/ballast"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r desired-state policies "$scratch/"
cd "$scratch"
git init -q -b main && git add -A
git -c user.name=demo -c user.email=demo@example.com commit -q -m "Example desired state"

run() { echo; echo "\$ ballast $*"; "$ballast" "$@" || echo "(exit $?)"; }

run doctor --no-aws   # the AWS side joins when the demo starts its own emulator
run validate
# An incident edit: someone raises MinSize above MaxSize and types a property name wrong.
sed -i 's/      MinSize: 3 .*/      MinSize: 20/; s/RetentionInDays: 90/RetentionInDay: 90/' desired-state/prod/tolling-vision.yaml
git -c user.name=demo -c user.email=demo@example.com commit -qam "Scale tolling-vision up during incident"
run validate
run validate --revision HEAD~1
