#!/usr/bin/env bash
# The main job on the example desired state, against a local AWS emulator this
# script starts itself: create prod's live resources with the drift an incident
# left behind (scripts/demo-incident.yaml), then ask ballast what drifted, as
# text and as a pull-request comment; plan the fix, apply the saved plan and
# check again; change a setting through git, roll it back by revision, record
# the rollback with a revert commit, and read the apply journal. The next
# incident: `watch --events` (on the queue `events template` makes) names the
# engineer who changed a setting by hand within seconds of the call; a hold keeps
# the right change, self-heal puts back the wrong one, adopt writes the kept one
# into git. Also shows validate catching an incident edit with mistakes before
# anything reaches AWS.
# --serve: at the end, the bad edit reverted, a watch serves the status page until Ctrl-C (its address printed).
set -euo pipefail
serve=false
case "${1:-}" in
  --serve) serve=true ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--serve]" >&2; exit 1 ;;
esac
cd "$(dirname "$0")/.."
export PATH="$PWD/.build-tools/venv/bin:$PATH"
if [ -n "${BALLAST_DEMO_BIN:-}" ]; then
  # The docs test runs the demo with the binaries it has built (its examples quote this transcript).
  ballast="$BALLAST_DEMO_BIN/ballast"
  seed="$BALLAST_DEMO_BIN/ballast-seed"
else
  # Only what the demo needs: the C libraries, the emulator and cfn-lint's schemas (not the test checkers).
  scripts/install-deps.sh --demo
  echo "==> swift build -c release (a first build takes about 8 minutes on 2 cores; then seconds)"
  swift build -c release --product ballast 2>&1 | awk -f scripts/build-progress.awk
  test "${PIPESTATUS[0]}" -eq 0
  swift build -c release --product ballast-seed 2>&1 | awk -f scripts/build-progress.awk
  test "${PIPESTATUS[0]}" -eq 0
  ballast="$PWD/.build/release/ballast"
  seed="$PWD/.build/release/ballast-seed"
fi
incident="$PWD/scripts/demo-incident.yaml"

scratch=$(mktemp -d)
# The emulator: moto, with the tests' stand-ins in front for the operations moto lacks (a budget's
# UpdateBudget, ElastiCache's writes); it prints its endpoint, and stops when this script does.
"$seed" --serve >"$scratch/endpoint" 2>"$scratch/emulator.log" &
emulator=$!
trap 'kill $emulator 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 300); do [ -s "$scratch/endpoint" ] && break; sleep 0.1; done
[ -s "$scratch/endpoint" ] || { cat "$scratch/emulator.log"; exit 1; }

# The emulator stands in for AWS: fake credentials, every endpoint local, no metadata lookups.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL="$(head -1 "$scratch/endpoint")" AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent

mkdir "$scratch/repo"
cp -r desired-state policies "$scratch/repo/"
cd "$scratch/repo"
git init -q -b main && git config user.name "Dana Ops" && git config user.email dana@example.com
git add -A && git commit -q -m "Example desired state"

# Each step: the command, echoed shell-quoted (it pastes), and the exit code it must end with; any other
# stops the demo, naming the step. The demo's clock is its own, not the machine's: BALLAST_NOW (which
# ballast reads for change windows, holds and the journal) starts on a Monday morning, outside prod's
# change windows, and moves a minute a step, so the story is the same at any hour.
clock_start=$(date -u -d "2026-12-07T10:00:00Z" +%s)
steps=0
tick() { steps=$((steps + 1)); BALLAST_NOW=$(date -u -d "@$((clock_start + steps * 60))" +%Y-%m-%dT%H:%M:%SZ); export BALLAST_NOW; }
run() {
  local expected=$1; shift
  tick
  echo; printf '$ ballast'; printf ' %q' "$@"; echo
  local status=0
  "$ballast" "$@" || status=$?
  [ "$status" -eq 0 ] || echo "(exit $status)"
  if [ "$status" -ne "$expected" ]; then
    printf 'demo: step %d, ballast%s, exited %d where the story expects %d\n' "$steps" "$(printf ' %q' "$@")" \
      "$status" "$expected" >&2
    exit 1
  fi
}
run 0 policy test

echo; echo "==> creating prod in the emulator, with the incident's hand edits"
# The incident's edits were an on-call engineer's, through the CLI: the emulator's CloudTrail records them so.
AWS_ACCESS_KEY_ID=ASIADEMOONCALLALICE "$seed" . --env prod --incident "$incident"
run 0 doctor --env prod
run 2 drift --env prod
run 2 drift --env prod --explain
run 2 drift --env prod --output markdown
# The pull-request comment of the fix (scripts/screenshot-comment.sh pictures it for the README).
echo; echo "\$ ballast plan --env prod --output markdown"
"$ballast" plan --env prod --output markdown | tee "${BALLAST_DEMO_COMMENT:-/dev/null}" || true
run 2 plan --env prod --out prod.plan.json
echo; echo "==> a plan file is a CI artifact: someone edits it (and recomputes its checksum)"
python3 - prod.plan.json forged.plan.json <<'PY'
import hashlib, json, sys
plan = json.load(open(sys.argv[1]))
plan.pop("checksum")
for change in plan["changes"]:
    if change["call"] == "logs:PutRetentionPolicy":
        change["set"]["/RetentionInDays"]["to"] = 1   # keep the logs for one day
    if change["call"] == "cloudwatch:PutMetricAlarm":
        change["set"]["/AlarmActions"] = {"from": [], "to": ["arn:aws:sns:us-east-1:123456789012:not-ours"]}
text = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
plan["checksum"] = hashlib.sha256(text.encode()).hexdigest()
json.dump(plan, open(sys.argv[2], "w"), indent=2)
PY
run 1 apply forged.plan.json --override-window "an attacker's reason"
# prod takes changes only in its change windows; outside them an apply needs a journaled reason.
run 1 apply prod.plan.json   # the demo's clock is a Monday morning: outside prod's windows
run 1 apply prod.plan.json --override-window "INC-2291: restore the settings changed by hand"  # partial: one group is gone
# The rotation the apply turned on runs the rotation function, whose last step makes the new version
# AWSCURRENT (and no longer AWSPENDING); the emulator runs no function, so the demo does that step (else
# the rotation reads as failed).
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import boto3, sys
sm = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=sys.argv[1])
stages = sm.describe_secret(SecretId="prod/transit/timetables-db")["VersionIdsToStages"]
pending = [v for v, s in stages.items() if "AWSPENDING" in s and "AWSCURRENT" not in s]
current = [v for v, s in stages.items() if "AWSCURRENT" in s]
if pending:
    sm.update_secret_version_stage(SecretId="prod/transit/timetables-db", VersionStage="AWSCURRENT",
                                   MoveToVersionId=pending[0], RemoveFromVersionId=current[0])
    sm.update_secret_version_stage(SecretId="prod/transit/timetables-db", VersionStage="AWSPENDING",
                                   RemoveFromVersionId=pending[0])
PY
run 2 drift --env prod   # what is left: the log group someone deleted

window=(--override-window "DEMO: outside prod's change window")
echo; echo "==> the team re-creates the deleted log group (a settings tool never creates resources), with its"
echo "    declared 30 days: giving a retention to a group that keeps its events for ever is destructive later"
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import boto3, sys
logs = boto3.client("logs", region_name="us-east-1", endpoint_url=sys.argv[1])
logs.create_log_group(logGroupName="/aws/lambda/vehicle-tracking-prod-api")
logs.put_retention_policy(logGroupName="/aws/lambda/vehicle-tracking-prod-api", retentionInDays=30)
PY
echo; echo "==> a change through git: page sooner on the tolling-vision queue backlog"
sed -i '/tolling-vision-prod-queue-backlog/,/Threshold/ s/Threshold: 300/Threshold: 60/' desired-state/prod/tolling-vision.yaml
git commit -qam "Page on tolling-vision backlog after 60 s"
run 0 apply --env prod --auto-approve "${window[@]}"
echo; echo "==> the pager storms: roll back to the previous revision at once"
run 0 rollback --to HEAD~1 --env prod --auto-approve "${window[@]}"
echo; echo "==> then make git say so: revert the commit (live already matches, so nothing to write)"
run 0 revert HEAD --env prod --apply --auto-approve "${window[@]}"
echo; echo "\$ git log --oneline -3"; git log --oneline -3
run 0 history --env prod --limit 3

echo; echo "==> tolling-vision's WAF web ACL was made by hand (AWS chose its id): adopt it from live"
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import boto3, sys
waf = boto3.client("wafv2", region_name="us-east-1", endpoint_url=sys.argv[1])
def visibility(name):
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}
rule = {"Name": "plate-reader-rate", "Priority": 0, "Action": {"Block": {}}, "VisibilityConfig": visibility("plate-reader-rate"),
        "Statement": {"RateBasedStatement": {"Limit": 1000, "AggregateKeyType": "IP", "EvaluationWindowSec": 300}}}
waf.create_web_acl(Name="tolling-vision-acl", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[rule],
                   VisibilityConfig=visibility("tolling-vision-acl"))
PY
run 0 import --env prod --from-live --type AWS::WAFv2::WebACL --id 'tolling-vision-acl|*'
acl_file=$(ls desired-state/prod/*web-acl*.yaml)
echo; echo "\$ cat $acl_file"; cat "$acl_file"
git add -A && git commit -qm "Adopt tolling-vision's web ACL"
echo; echo "==> an incident: a plate-reader retry storm is blocked, so someone raises the rate limit by hand"
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import boto3, sys
waf = boto3.client("wafv2", region_name="us-east-1", endpoint_url=sys.argv[1])
summary = next(a for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == "tolling-vision-acl")
got = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])
acl = got["WebACL"]
acl["Rules"][0]["Statement"]["RateBasedStatement"]["Limit"] = 20000
waf.update_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"], DefaultAction=acl["DefaultAction"],
                   Rules=acl["Rules"], VisibilityConfig=acl["VisibilityConfig"], LockToken=got["LockToken"])
PY
run 2 drift --env prod
run 0 apply --env prod --auto-approve "${window[@]}"

echo; echo "==> a type with no native kind: vehicle-tracking's Kinesis stream, read and written through Cloud Control"
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import boto3, sys
boto3.client("kinesis", region_name="us-east-1", endpoint_url=sys.argv[1]).create_stream(
    StreamName="vehicle-positions-prod", ShardCount=3)
PY
run 0 schema fetch AWS::Kinesis::Stream
cat > desired-state/prod/vehicle-positions-stream.yaml <<'YAML'
resources:
  # No native kind: read and written through Cloud Control, checked against schemas/AWS-Kinesis-Stream.json.
  - type: AWS::Kinesis::Stream
    id: vehicle-positions-prod
    properties:
      ShardCount: {within: [2, 4]}   # the on-call may reshard inside this at rush hour; outside it is drift
      RetentionPeriodHours: 48       # two days of positions to replay after an incident
YAML
git add -A && git commit -qm "Keep vehicle-positions-prod's shards and retention in git"
echo; echo "==> a rush hour: someone doubles the shards by hand, past the range"
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import boto3, sys
boto3.client("kinesis", region_name="us-east-1", endpoint_url=sys.argv[1]).update_shard_count(
    StreamName="vehicle-positions-prod", TargetShardCount=6, ScalingType="UNIFORM_SCALING")
PY
run 2 drift --env prod
run 0 drift --env prod --dry-run-reads
run 0 apply --env prod --auto-approve "${window[@]}"

echo; echo "==> the incident also left log groups made by hand: adopt what is live (git becomes the truth)"
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import boto3, sys
logs = boto3.client("logs", region_name="us-east-1", endpoint_url=sys.argv[1])
# Kept at least 30 days, as prod's log-retention-minimum policy asks: adopted, they pass it.
for name, days in [("/aws/lambda/fare-table-scraper-prod-debug", 30), ("/aws/lambda/road-works-scraper-prod-debug", 60)]:
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=days)
PY
run 0 import --env prod --from-live --type AWS::Logs::LogGroup --id '/aws/lambda/*-debug'
echo; echo "\$ cat desired-state/prod/logs-log-group.yaml"; cat desired-state/prod/logs-log-group.yaml
git add -A && git commit -qm "Adopt the incident's debug log groups"
run 0 drift --env prod

echo; echo "==> drift within seconds: CloudTrail's events, through EventBridge, on a queue the watch reads"
echo "\$ ballast events template --env prod --queue-name ballast-prod-events > ../events.yaml"
"$ballast" events template --env prod --queue-name ballast-prod-events >../events.yaml
echo "  $(grep -c 'Type: AWS::Events::Rule' ../events.yaml) rules on the default bus, for the calls that change what" \
  "prod owns; a queue, its dead-letter queue, a policy that lets only those rules send"
# Deployed as `aws cloudformation deploy --template-file events.yaml --stack-name ballast-prod-events` would.
queue=$(python3 - "$AWS_ENDPOINT_URL" <<'PY'
import boto3, sys
cfn = boto3.client("cloudformation", region_name="us-east-1", endpoint_url=sys.argv[1])
cfn.create_stack(StackName="ballast-prod-events", TemplateBody=open("../events.yaml").read())
outputs = cfn.describe_stacks(StackName="ballast-prod-events")["Stacks"][0]["Outputs"]
print(next(o["OutputValue"] for o in outputs if o["OutputKey"] == "QueueUrl"))
PY
)
echo "  stack ballast-prod-events made; its queue: $queue"

echo; echo "==> the next incident, both ways: alice scales tolling-vision up by hand (right, keep it), and cuts its"
echo "    log retention to a week (wrong, put it back); the watch, running, names her within seconds of each call"
tick
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo; echo "\$ ballast watch --env prod --events $queue --interval 1h --listen 127.0.0.1:$port   # its log, once stopped"
"$ballast" watch --env prod --events "$queue" --interval 1h --listen "127.0.0.1:$port" 2>"$scratch/events.log" &
watcher=$!
# How many drifts the watch has reported from events so far (0 until it answers).
detections() {
  curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null | awk '/^ballast_detection_seconds_count/ {n = $2} END {print n + 0}'
}
for _ in $(seq 150); do grep -q ' run$' "$scratch/events.log" && break; sleep 0.2; done
edit() {
  local before; before=$(detections)
  AWS_ACCESS_KEY_ID=ASIADEMOONCALLALICE python3 -c "$1"
  for _ in $(seq 150); do [ "$(detections)" -gt "$before" ] && return; sleep 0.1; done
  echo "demo: the watch reported no drift within 15 s of alice's call" >&2; cat "$scratch/events.log" >&2; exit 1
}
edit "import boto3; boto3.client('autoscaling', region_name='us-east-1', endpoint_url='$AWS_ENDPOINT_URL')\
.update_auto_scaling_group(AutoScalingGroupName='tolling-vision-prod-asg', MaxSize=20, DesiredCapacity=16)"
edit "import boto3; boto3.client('logs', region_name='us-east-1', endpoint_url='$AWS_ENDPOINT_URL')\
.put_retention_policy(logGroupName='/aws/ec2/tolling-vision', retentionInDays=7)"
kill "$watcher"; wait "$watcher" 2>/dev/null || true
sed 's/^/  /' "$scratch/events.log"
# The incident runs in prod's Sunday change window, so self-heal may write: the demo's clock moves there.
clock_start=$(( $(date -u -d "2026-12-13T02:30:00Z" +%s) - steps * 60 ))
run 0 hold --env prod --type AWS::AutoScaling::AutoScalingGroup --id tolling-vision-prod-asg \
  --property MaxSize --property DesiredCapacity --for 4h --reason "INC-4411: peak traffic on the bridge gantries"
run 0 hold --list
run 2 drift --env prod
tick
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo; echo "\$ ballast watch --env prod --self-heal --interval 2s --listen 127.0.0.1:$port   # until its first heal"
"$ballast" watch --env prod --self-heal --interval 2s --listen "127.0.0.1:$port" 2>"$scratch/watch.log" &
watcher=$!
for _ in $(seq 150); do
  curl -sf "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -qE '"outcome" *: *"(healed|heal_failed|heal_refused)"' && break
  sleep 0.2
done
echo "  /metrics: $(curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null | grep '^ballast_held_properties' || true)"
kill "$watcher"; wait "$watcher" 2>/dev/null || true
sed 's/^/  /' "$scratch/watch.log"
run 0 drift --env prod   # the retention is back; the held scale-up is not open drift
echo; echo "==> the incident is over and the scale-up stays: adopt it into git, with who made it"
run 0 adopt --env prod --type AWS::AutoScaling::AutoScalingGroup --id tolling-vision-prod-asg --widen --commit \
  --message "Keep tolling-vision at 16 workers after INC-4411"
echo; echo "\$ git show --stat HEAD"; git show --stat HEAD | sed 's/^/  /'
echo; echo "\$ git diff HEAD~1 -- desired-state/prod/tolling-vision.yaml"; git diff HEAD~1 -- desired-state/prod/tolling-vision.yaml
run 0 drift --env prod

echo; echo "==> policies: a branch that cuts prod's plate-read logs to 7 days and its readers back to 12 is denied (exit 3)"
# What Auto Scaling publishes with group metrics collection on (the emulator publishes nothing itself):
# the incident's 16 instances in service, within the last hour of the demo's clock.
python3 -c "
import boto3, datetime
now = datetime.datetime.strptime('$BALLAST_NOW', '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
boto3.client('cloudwatch', region_name='us-east-1', endpoint_url='$AWS_ENDPOINT_URL').put_metric_data(
    Namespace='AWS/AutoScaling', MetricData=[{'MetricName': 'GroupInServiceInstances', 'Value': 16,
    'Dimensions': [{'Name': 'AutoScalingGroupName', 'Value': 'tolling-vision-prod-asg'}],
    'Timestamp': now - datetime.timedelta(minutes=m)} for m in (40, 25, 10)])"
echo "  (Auto Scaling published tolling-vision-prod-asg's GroupInServiceInstances: 16 in the last hour)"
git checkout -q -b cost-cutting
sed -i 's/RetentionInDays: 90 .*/RetentionInDays: 7/; s/      MaxSize: 20$/      MaxSize: 12/' \
  desired-state/prod/tolling-vision.yaml
sed -i 's/DesiredCapacity: {within: \[3, 16\]}/DesiredCapacity: {within: [3, 12]}/' desired-state/prod/tolling-vision.yaml
git commit -qam "Keep tolling-vision logs 7 days, and 12 readers at most"
run 3 plan --env prod
echo; echo "\$ ballast plan --env prod --output sarif   # for code scanning; the first result:"
"$ballast" plan --env prod --output sarif | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['runs'][0]['results'][0], indent=2))" || true
run 3 apply --env prod --auto-approve "${window[@]}"
git checkout -q main

echo; echo "==> an incident edit with mistakes never reaches AWS"
sed -i 's/      MinSize: 3 .*/      MinSize: 20/; s/RetentionInDays: 90/RetentionInDay: 90/' desired-state/prod/tolling-vision.yaml
git commit -qam "Scale tolling-vision up during incident"
run 1 validate
run 1 drift --env prod
run 0 validate --revision HEAD~1

if $serve; then
  echo; echo "==> the status page: the bad edit reverted, a watch reads prod every 30 s and serves what it sees"
  git revert --no-edit HEAD >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "\$ ballast watch --env prod --interval 30s --listen 127.0.0.1:$port"
  echo "    the status page: http://127.0.0.1:$port/   (its JSON: /api/status.json; Ctrl-C stops it and the emulator)"
  "$ballast" watch --env prod --interval 30s --listen "127.0.0.1:$port" || true
fi
