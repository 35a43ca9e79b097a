#!/usr/bin/env bash
# The main job on the example desired state, against a local AWS emulator this
# script starts itself: create prod's live resources with the drift an incident
# left behind (scripts/demo-incident.yaml), then ask ballast what drifted, as
# text and as a pull-request comment; plan the fix, apply the saved plan and
# check again. Also shows validate catching an incident
# edit with mistakes before anything reaches AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$PWD/.build-tools/venv/bin:$PATH"
echo "==> swift build -c release"
swift build -c release --product ballast 2>&1 | grep -vE '^\[|^Building|^Compiling|^Write' || true
swift build -c release --product ballast-seed 2>&1 | grep -vE '^\[|^Building|^Compiling|^Write' || true
ballast="$PWD/.build/release/ballast"
seed="$PWD/.build/release/ballast-seed"
incident="$PWD/scripts/demo-incident.yaml"

scratch=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >"$scratch/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$scratch"' EXIT

# The emulator stands in for AWS: fake credentials, every endpoint local, no metadata lookups.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
for _ in $(seq 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break; sleep 0.1; done
# moto runs Lambda functions in Docker unless told not to (rotation invokes them).
python3 -c "import urllib.request as u; u.urlopen(u.Request('$AWS_ENDPOINT_URL/moto-api/config', data=b'{\"lambda\": {\"use_docker\": false}}', method='POST'))"

cp -r desired-state policies "$scratch/"
cd "$scratch"
git init -q -b main && git add -A
git -c user.name=demo -c user.email=demo@example.com commit -q -m "Example desired state"

run() { echo; echo "\$ ballast $*"; "$ballast" "$@" || echo "(exit $?)"; }

echo; echo "==> creating prod in the emulator, with the incident's hand edits"
"$seed" . --env prod --incident "$incident"
run doctor --env prod
run drift --env prod
run drift --env prod --output markdown
run plan --env prod --out prod.plan.json
run apply prod.plan.json
run drift --env prod   # what is left: the log group someone deleted

echo; echo "==> an incident edit with mistakes never reaches AWS"
sed -i 's/      MinSize: 3 .*/      MinSize: 20/; s/RetentionInDays: 90/RetentionInDay: 90/' desired-state/prod/tolling-vision.yaml
git -c user.name=demo -c user.email=demo@example.com commit -qam "Scale tolling-vision up during incident"
run validate
run drift --env prod
run validate --revision HEAD~1
