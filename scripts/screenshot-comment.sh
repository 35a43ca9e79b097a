#!/usr/bin/env bash
# Pictures a ballast pull-request comment as GitHub shows it, for the README:
# the demo's plan comment (or FILE.md) rendered by GitHub's renderer, cmark-gfm with
# GitHub's extensions, styled like a GitHub comment, and screenshot in headless Chromium.
#   scripts/screenshot-comment.sh [FILE.md] [OUT.png]
# Without FILE.md it runs the demo and keeps its comment as docs/plan-comment.md;
# OUT.png defaults to docs/plan-comment.png.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Chromium, and an emoji font for the status marks GitHub shows as emoji.
if ! command -v chromium >/dev/null 2>&1 || ! dpkg-query -W fonts-noto-color-emoji >/dev/null 2>&1; then
  echo "==> apt-get install chromium fonts-noto-color-emoji"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
fi
out="${2:-docs/plan-comment.png}"
comment="${1:-}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ -z "$comment" ]; then
  comment="docs/plan-comment.md"
  BALLAST_DEMO_COMMENT="$PWD/$comment" scripts/demo.sh >"$scratch/demo.log" 2>&1 || { tail -20 "$scratch/demo.log"; exit 1; }
fi
{
  cat <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><style>
body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328;
       margin: 0; padding: 16px; background: #fff; width: 1040px; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; }
.header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e;
          border-radius: 6px 6px 0 0; }
.body { padding: 16px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eff1f3; padding: .2em .4em;
       border-radius: 6px; }
table { border-collapse: collapse; margin: 8px 0 16px; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
tr:nth-child(2n) { background: #f6f8fa; }
h3 { font-size: 1.25em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
details { margin: 4px 0; } summary { cursor: pointer; }
hr { border: 0; height: 2px; background: #d1d9e0; }
sub { color: #59636e; }
</style></head><body><div class="comment"><div class="header"><b>github-actions</b> bot commented</div><div class="body">
HTML
  # GitHub's renderer; the first resource's details opened, to show what they hold.
  cmark-gfm --unsafe --extension table --extension strikethrough --extension autolink --extension tagfilter "$comment" \
    | sed '0,/<details>/s//<details open>/'
  echo '</div></div></body></html>'
} >"$scratch/comment.html"
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size=1074,1120 --screenshot="$PWD/$out" "file://$scratch/comment.html" >/dev/null 2>&1
echo "wrote $out ($(wc -c <"$comment") bytes of markdown)"
