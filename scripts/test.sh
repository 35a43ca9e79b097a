#!/usr/bin/env bash
# Every test: installs what is missing, builds (warnings are errors), runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$PWD/.build-tools/venv/bin:$PATH"
echo "==> swift build (a first build takes about 3 minutes on 2 cores)"
swift build --build-tests -Xswiftc -warnings-as-errors 2>&1 | awk -f scripts/build-progress.awk
test "${PIPESTATUS[0]}" -eq 0
echo "==> swift test (about 4 minutes on 2 cores)"
# A crash prints the crashed thread only: with every thread's stack (hundreds of loopback
# servers' threads) the log's tail, which CI keeps, lost the one that mattered.
export SWIFT_BACKTRACE="enable=yes,threads=crashed"
# The slow release tests (a release build, a Debian root, an image) run after the rest, alone: a
# release build on every core beside the suite's loopback servers would only slow both.
swift test --skip-build --disable-xctest --skip ReleaseTests
echo "==> swift test --filter ReleaseTests (about 5 to 9 minutes: a release build, a Debian root, an image)"
swift test --skip-build --disable-xctest --filter ReleaseTests
