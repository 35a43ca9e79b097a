#!/usr/bin/env bash
# Every test: installs what is missing, builds (warnings are errors), runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$PWD/.build-tools/venv/bin:$PATH"
echo "==> swift build"
swift build --build-tests -Xswiftc -warnings-as-errors 2>&1 | grep -v '^\[' || true
test "${PIPESTATUS[0]}" -eq 0
echo "==> swift test"
swift test --skip-build --disable-xctest
