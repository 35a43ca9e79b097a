#!/usr/bin/env bash
# Fuzzes one of ballast's parsers with libFuzzer (swiftc -sanitize=fuzzer,address).
#   scripts/fuzz.sh yaml|cel|planfile [SECONDS]     (default 600)
# The corpus grows in .build-fuzz/corpus/TARGET (seeded from the example repository
# and the tests); a crash or hang is written to .build-fuzz/findings/TARGET and
# becomes a test. Builds in .build-fuzz, apart from the ordinary build.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh yaml|cel|planfile [seconds]}
seconds=${2:-600}
scripts/install-deps.sh
export BALLAST_FUZZ=1
swift build --scratch-path .build-fuzz --product "fuzz-$target" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | grep -v '^\[' || true
binary=.build-fuzz/debug/fuzz-$target
test -x "$binary"
corpus=.build-fuzz/corpus/$target findings=.build-fuzz/findings/$target
mkdir -p "$corpus" "$findings"
seed() { # copy a file into the corpus under its content's hash
  cp "$1" "$corpus/$(sha1sum "$1" | cut -c1-16)"
}
case $target in
  yaml)
    for f in desired-state/*/*.yaml policies/*.yaml scripts/demo-incident.yaml; do seed "$f"; done ;;
  cel)
    # Every assert of the default policies and the CEL conformance inputs, one per file.
    python3 - "$corpus" <<'PY'
import glob, hashlib, re, sys
out = sys.argv[1]
exprs = set()
for path in glob.glob("policies/*.yaml"):
    exprs.update(m.strip().strip('"') for m in re.findall(r"assert:\s*(.+)", open(path).read()))
for path in glob.glob("Tests/BallastCoreTests/CELConformance/*.textproto"):
    exprs.update(bytes(m, "utf-8").decode("unicode_escape", "ignore")
                 for m in re.findall(r'expr:\s*"((?:[^"\\]|\\.)*)"', open(path).read()))
for e in exprs:
    open(f"{out}/{hashlib.sha1(e.encode('utf-8', 'ignore')).hexdigest()[:16]}", "w").write(e)
PY
    ;;
  planfile)
    for f in Fuzz/Seeds/planfile/*.json; do seed "$f"; done ;;
  *) echo "unknown target $target (yaml, cel, planfile)" >&2; exit 2 ;;
esac
echo "==> fuzz-$target for $seconds s, corpus $corpus ($(ls "$corpus" | wc -l) inputs)"
# Leak checking is off: LeakSanitizer reports Swift's lazily made globals (the kinds'
# schemas) and Foundation's regex cache as leaks. AddressSanitizer's checks on every
# access stay on.
export ASAN_OPTIONS=detect_leaks=0
"$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 -detect_leaks=0 \
  -artifact_prefix="$findings/" -print_final_stats=1
