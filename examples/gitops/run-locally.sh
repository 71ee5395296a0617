#!/usr/bin/env bash
# The GitOps pipeline's steps, run here in two separate clones, as two CI runners would:
#   runner 1 (merge request): init, plan -out, show -markdown (the review comment), and
#            the plan "uploaded" as an artifact;
#   runner 2 (merge to main): the artifact "downloaded" into a fresh clone, init, apply
#            the saved plan, then a plan that must show no changes.
# The state lives in PostgreSQL (PG_CONN_STR, required: use a fresh database); the cloud
# is the served emulator (`vpnform cloud serve`), started here on loopback and stopped
# at exit. The secrets a CI would hold (TF_VAR_psk, TF_VAR_state_passphrase) are taken
# from the environment, or made up for this run.
#
#   PG_CONN_STR=postgres://user@127.0.0.1:5432/vpnform_demo?sslmode=disable ./run-locally.sh
#
# VPNFORM names the vpnform command (default: vpnform on PATH); WORK_DIR the directory the
# clones go in (default: a new temporary directory).
set -euo pipefail

: "${PG_CONN_STR:?set PG_CONN_STR to a fresh PostgreSQL database}"
export PG_CONN_STR
VPNFORM=${VPNFORM:-vpnform}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK_DIR:-$(mktemp -d)}
mkdir -p "$WORK"
CLOUD_PID=""

stop_cloud() {
  if [ -n "$CLOUD_PID" ]; then
    kill "$CLOUD_PID" 2>/dev/null || true
    wait "$CLOUD_PID" 2>/dev/null || true
  fi
}
trap stop_cloud EXIT

step() { printf '\n=== %s\n' "$*"; }

# --- the services: the served emulator on a free loopback port -------------------------
step "service: the served emulator"
VPNFORM_EMULATOR_DELAY_SCALE=${VPNFORM_EMULATOR_DELAY_SCALE:-0} \
  $VPNFORM cloud serve -listen=127.0.0.1:0 -data="$WORK/cloud" >"$WORK/cloud.log" 2>&1 &
CLOUD_PID=$!
URL=""
for _ in $(seq 1 200); do  # at most 20 s
  URL=$(head -n 1 "$WORK/cloud.log" | grep -o 'https\?://[^ ]*' || true)
  [ -n "$URL" ] && break
  kill -0 "$CLOUD_PID" 2>/dev/null || { cat "$WORK/cloud.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "the emulator printed no URL" >&2; exit 1; }
read -r SECRET_ID SECRET_KEY < <(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["accounts"][0]
print(a["secret_id"], a["secret_key"])' "$WORK/cloud/credentials.json")
export TENCENTCLOUD_ENDPOINT="$URL" TENCENTCLOUD_SECRET_ID="$SECRET_ID" \
  TENCENTCLOUD_SECRET_KEY="$SECRET_KEY"
echo "emulator at $URL (PID $CLOUD_PID)"

# --- the CI secrets ---------------------------------------------------------------------
random_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
export TF_VAR_psk=${TF_VAR_psk:-$(random_secret)}
export TF_VAR_state_passphrase=${TF_VAR_state_passphrase:-$(random_secret)}
export TF_IN_AUTOMATION=1

clone() {  # a fresh checkout: the configuration only, nothing from another runner
  mkdir -p "$1"
  cp "$HERE"/*.tf "$1"/
}

# --- runner 1: the merge request ---------------------------------------------------------
step "runner 1 (merge request): init, plan -out, show -markdown"
clone "$WORK/runner-1"
(
  cd "$WORK/runner-1"
  $VPNFORM init -input=false
  $VPNFORM plan -input=false -lock-timeout=60s -lint=error -out=tfplan
  $VPNFORM show -markdown tfplan >plan-comment.md
)
mkdir -p "$WORK/artifacts"
cp "$WORK/runner-1/tfplan" "$WORK/artifacts/tfplan"
echo "review comment: $WORK/runner-1/plan-comment.md; artifact: $WORK/artifacts/tfplan"

# --- runner 2: the merge to main --------------------------------------------------------
step "runner 2 (merge to main): init, apply the saved plan"
clone "$WORK/runner-2"
cp "$WORK/artifacts/tfplan" "$WORK/runner-2/tfplan"
(
  cd "$WORK/runner-2"
  $VPNFORM init -input=false
  $VPNFORM apply -input=false -lock-timeout=60s tfplan
  step "runner 2: the infrastructure matches the configuration"
  $VPNFORM plan -input=false -lock-timeout=60s -detailed-exitcode
)
step "done: the state is in PostgreSQL, the runners' directories hold no state file"
