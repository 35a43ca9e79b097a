#!/usr/bin/env bash
# scripts/release.sh VERSION [--out DIR]
#
# Release archive for this machine's architecture: a release build with the Swift standard
# library and Foundation linked in (--static-swift-stdlib), stripped, packed as
# DIR/ballast-VERSION-linux-ARCH.tar.gz (default DIR: dist/) with LICENSE, README.md and
# RUNTIME-PACKAGES (the Debian 12 packages it needs at run time, read off the binary), and
# DIR/SHA256SUMS for every archive of VERSION in DIR. `ballast --version` then prints the
# version, the commit and the build date (SOURCE_DATE_EPOCH when set, as reproducible builds
# have it; else now).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "release: $*" >&2; exit 1; }
[ $# -ge 1 ] || fail "usage: scripts/release.sh VERSION [--out DIR]"
version="$1"; shift
out=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || fail "--out needs a folder"; out="$2"; shift 2 ;;
    *) fail "unknown argument '$1' (usage: scripts/release.sh VERSION [--out DIR])" ;;
  esac
done
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] \
  || fail "VERSION is MAJOR.MINOR.PATCH with an optional -PRERELEASE (1.2.0, 1.2.0-rc.1), not '$version'"
# One version per source tree: User-Agent, plan files and SARIF name it too, so the release
# takes it from the source and refuses another.
source_file=Sources/BallastCore/Model/BallastVersion.swift
source_version=$(sed -n 's/.*static let current = "\([^"]*\)".*/\1/p' "$source_file")
[ "$version" = "$source_version" ] \
  || fail "$source_file says $source_version, not $version: change it there first (and tag that commit v$version)"

commit=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  commit="$commit-dirty"
  echo "release: warning: the tree has uncommitted changes; the binary says commit $commit" >&2
fi
epoch="${SOURCE_DATE_EPOCH:-$(date +%s)}"
[[ "$epoch" =~ ^[0-9]+$ ]] || fail "SOURCE_DATE_EPOCH is seconds since 1970, not '$epoch'"
built=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

arch=$(uname -m)
case "$arch" in
  x86_64 | aarch64) ;;
  *) fail "no release for $arch: ballast is released for linux-x86_64 and linux-aarch64" ;;
esac
# This machine's architecture only. Cross-building needs a Swift SDK for the other one (`swift sdk
# list`: none here) and Debian's -dev libraries of that architecture; the release workflow builds
# each architecture on a runner of its own instead.
echo "release: building linux-$arch (this machine's); the other architecture is built on its own runner" >&2

scripts/install-deps.sh --build-only
scratch=.build-release
echo "==> swift build -c release --static-swift-stdlib (commit $commit, built $built)"
# libgit2 and what it needs linked in (Package.swift says why), by lld, with identical code folded once,
# and no symbol exported: an executable's 25,000 public Swift symbols were 2.2 MB of dynamic symbol
# table that nothing loads it for.
export BALLAST_STATIC_LIBGIT2=1
mkdir -p "$scratch"
printf '{\n  local: *;\n};\n' >"$scratch/no-exports.map"
build=(swift build -c release --product ballast --static-swift-stdlib --scratch-path "$scratch"
       -Xswiftc -warnings-as-errors -Xswiftc -use-ld=lld -Xlinker --icf=all
       -Xlinker "--version-script=$PWD/$scratch/no-exports.map"
       -Xcc "-DBALLAST_BUILD_COMMIT=\"$commit\"" -Xcc "-DBALLAST_BUILD_DATE=\"$built\"")
"${build[@]}" 2>&1 | grep -v '^\[' || true
test "${PIPESTATUS[0]}" -eq 0
binary="$("${build[@]}" --show-bin-path)/ballast"

# Nothing of Swift's may be left to load at run time: that is the point of the archive.
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
swift_libraries=$(grep -E '^lib(swift|Foundation|_Foundation|dispatch|BlocksRuntime)' <<<"$needed" || true)
[ -z "$swift_libraries" ] || fail "the binary still loads Swift's libraries: $swift_libraries"
# Nor libgit2, whose soname differs on every system; nor ICU's data, which Foundation brings (ballast
# imports FoundationEssentials only).
! grep -q '^libgit2' <<<"$needed" || fail "the binary loads libgit2 (it is meant to be linked in)"
! nm "$binary" 2>/dev/null | grep -q ' icudt[0-9]*_dat$' \
  || fail "the binary holds ICU's data: a module imports Foundation"
# The newest glibc symbol version it needs: the oldest glibc it runs on.
glibc=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)

name="ballast-$version-linux-$arch"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$stage/$name/ballast"
strip --strip-all "$stage/$name/ballast"
cp LICENSE README.md "$stage/$name/"

# The Debian package of each shared library the binary names (in this architecture's library
# folder, not a 32-bit one), and ca-certificates for TLS.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$arch-linux-gnu")
packages=(ca-certificates)
for library in $needed; do
  owner=$(dpkg-query -S "*/$multiarch/$library" 2>/dev/null | grep -v '^diversion' | head -1 | cut -d: -f1) \
    || true
  [ -n "$owner" ] || fail "no Debian package has $library"
  packages+=("$owner")
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
# Debian 13 and Ubuntu 24.04 renamed two of them in the 64-bit time_t transition (same sonames): their line
# names the new package first and Debian 12's second, as apt's alternatives are written.
lines=()
for package in "${packages[@]}"; do
  case "$package" in
    libcurl4 | libssl3) lines+=("${package}t64 | $package") ;;
    *) lines+=("$package") ;;
  esac
done
{
  echo "# The packages ballast $version needs at run time, read off the binary: its shared libraries"
  echo "# ($(tr '\n' ' ' <<<"$needed" | sed 's/ $//')), glibc $glibc or later"
  echo "# (${glibc#GLIBC_} is its newest symbol version), and ca-certificates for TLS. A line with '|' names the"
  echo "# package of Debian 13 and Ubuntu 24.04 first, Debian 12's second. On Debian 12:"
  echo "#   apt-get install --no-install-recommends ${packages[*]}"
  printf '%s\n' "${lines[@]}"
} >"$stage/$name/RUNTIME-PACKAGES"

mkdir -p "$out"
archive="$out/$name.tar.gz"
# Packed the same way every time: sorted names, no owners, one time (the build date), gzip without
# a time stamp, so the same binary gives the same archive.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$stage" -cf - "$name" \
  | gzip -n -9 >"$archive"
(cd "$out" && sha256sum ballast-"$version"-linux-*.tar.gz >SHA256SUMS)

echo "==> $archive ($(du -k "$archive" | cut -f1) KiB; binary $(du -k "$stage/$name/ballast" | cut -f1) KiB)"
echo "    runtime packages: ${packages[*]}; glibc ${glibc#GLIBC_} or later"
cat "$out/SHA256SUMS"
