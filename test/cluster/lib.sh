# shellcheck shell=bash disable=SC2034
# Shared settings for test/cluster scripts. Source it; do not run it.

AIC_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AIC_VERSIONS_FILE="$AIC_CLUSTER_DIR/versions.env"
AIC_CACHE_DIR=${AIC_CACHE_DIR:-$HOME/.cache/ai-conformance}
AIC_KUBECONFIG=${AIC_KUBECONFIG:-$AIC_CACHE_DIR/kubeconfig}
AIC_CLUSTER_NAME=aic

# shellcheck source=versions.env
source "$AIC_VERSIONS_FILE"

AIC_VERSIONS_SHA=$(sha256sum "$AIC_VERSIONS_FILE" | cut -c1-16)
# Built binaries can be shared by several cluster sandboxes (test/cluster/isolated): AIC_BIN_ROOT.
AIC_BIN_ROOT=${AIC_BIN_ROOT:-$AIC_CACHE_DIR/bin}
AIC_BIN_DIR="$AIC_BIN_ROOT/$AIC_VERSIONS_SHA"
# kwokctl state (pki, pids, logs, etcd data) lives under the cache, never in ~/.kwok.
export KWOK_WORKDIR="$AIC_CACHE_DIR/kwok"
AIC_KWOK_CLUSTER_DIR="$KWOK_WORKDIR/clusters/$AIC_CLUSTER_NAME"
# Host processes started by up (kueue, test-adapter): pid files, logs, certs.
AIC_RUN_DIR="$AIC_CACHE_DIR/run"

# Fixed ports (all on 127.0.0.1 except the test adapter's write port, which it hard-codes to :8080).
# kwokctl picks the other components' ports itself, counting down from 32767; stay clear of that.
AIC_APISERVER_PORT=${AIC_APISERVER_PORT:-36443}
AIC_ETCD_PORT=${AIC_ETCD_PORT:-32379}
AIC_ETCD_PEER_PORT=${AIC_ETCD_PEER_PORT:-32380}
AIC_KUEUE_WEBHOOK_PORT=9443
AIC_KUEUE_METRICS_PORT=8443
AIC_KUEUE_HEALTH_PORT=8081
AIC_ADAPTER_PORT=6444
AIC_ADAPTER_WRITE_PORT=8080
# Kubeflow Trainer and JobSet (host processes): webhooks and health (their metrics servers are off).
AIC_TRAINER_WEBHOOK_PORT=9444
AIC_TRAINER_HEALTH_PORT=8094
AIC_JOBSET_WEBHOOK_PORT=9445
AIC_JOBSET_HEALTH_PORT=8095
# Variant operator-webhook-down points the Trainer's webhooks at this port, where nothing listens.
AIC_TRAINER_DOWN_PORT=9449
# Traefik (Gateway API): entry point "web" for Gateway listeners on port 80, ping on its own entry point.
AIC_TRAEFIK_WEB_PORT=80
AIC_TRAEFIK_PING_PORT=9080
# Karpenter binds both on all interfaces (its defaults, 8080 and 8081, are taken above).
AIC_KARPENTER_METRICS_PORT=8097
AIC_KARPENTER_HEALTH_PORT=8098

_aic_t0=$(date +%s)
log() { printf '[%s +%4ss] %s\n' "$(basename "$0")" "$(($(date +%s) - _aic_t0))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# kubectl against the test cluster, always the self-built one.
k() { "$AIC_BIN_DIR/kubectl" --kubeconfig "$AIC_KUBECONFIG" "$@"; }

# kubeconfig with certificate file paths, written by kwokctl; used by the host processes.
AIC_KWOK_KUBECONFIG="$AIC_KWOK_CLUSTER_DIR/kubeconfig.yaml"
AIC_KUEUE_MODULE_DIR() { echo "$(go env GOMODCACHE)/sigs.k8s.io/kueue@$KUEUE_VERSION"; }
AIC_KARPENTER_MODULE_DIR() { echo "$(go env GOMODCACHE)/sigs.k8s.io/karpenter@$KARPENTER_VERSION"; }
# The autoscaled GPU pool (manifests/autoscaler.yaml): its nodes carry this label.
AIC_AUTOSCALED_POOL=ai-conformance.io/node-pool=gpu-autoscaled

# ---- host processes started by up (kueue, test-adapter): pid file + log under $AIC_RUN_DIR ----
host_pid() { cat "$AIC_RUN_DIR/$1.pid" 2>/dev/null || true; }
host_alive() {
  local pid
  pid=$(host_pid "$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}
# host_start NAME BINARY ARGS...: runs BINARY detached (own session), logs to $AIC_RUN_DIR/NAME.log
host_start() {
  local name=$1
  shift
  mkdir -p "$AIC_RUN_DIR"
  # Not a job-control shell, so the child is no process-group leader and setsid execs in place:
  # $! is the daemon's own pid.
  # 9>&-: daemons must not inherit the cluster lock (cluster_lock), or it would never be released.
  setsid "$@" >"$AIC_RUN_DIR/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$AIC_RUN_DIR/$name.pid"
}
# host_stop NAME: TERM, then KILL after 10 s; also any stray process running that cached binary.
host_stop() {
  local name=$1 bin=$2 pid i
  pid=$(host_pid "$name")
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$AIC_RUN_DIR/$name.pid"
  # strays, e.g. from a run dir that was wiped: only processes of our own cached binary
  for pid in $(aic_pgrep "^$AIC_BIN_ROOT/[^/]*/$bin( |$)"); do
    kill -9 "$pid" 2>/dev/null || true
  done
}

# aic_pgrep PATTERN: pgrep -f, limited to processes in this shell's network namespace, so that a
# cluster never stops another sandbox's (test/cluster/isolated) processes, which share binaries.
aic_pgrep() {
  local self pid
  self=$(readlink /proc/self/ns/net)
  for pid in $(pgrep -f "$1" || true); do
    [[ $(readlink "/proc/$pid/ns/net" 2>/dev/null) == "$self" ]] && echo "$pid"
  done
  return 0
}

# wait_for SECONDS DESCRIPTION CMD...: retries CMD every 0.5 s.
wait_for() {
  local timeout=$1 what=$2 deadline
  shift 2
  deadline=$(($(date +%s) + timeout))
  until "$@" >/dev/null 2>&1; do
    (($(date +%s) < deadline)) || { log "timed out after ${timeout}s waiting for $what"; return 1; }
    sleep 0.5
  done
}

# Active broken variants are marker files (see test/cluster/variant).
variant_on() { [[ -f "$AIC_RUN_DIR/variants/$1" ]]; }

# ---- Kueue webhooks: the module's manifests, clientConfig pointed at the host process ----
# Each clientConfig.service {name, namespace, path} becomes
#   {url: https://127.0.0.1:<webhook port><path>, caBundle: <kwok CA>}
# The webhook serves the kwok admin certificate, which has the IP SAN 127.0.0.1.
kueue_webhooks_apply() {
  local ca
  ca=$(base64 -w0 <"$AIC_KWOK_CLUSTER_DIR/pki/ca.crt")
  "$AIC_BIN_DIR/kubectl" kustomize "$(AIC_KUEUE_MODULE_DIR)/config/components/webhook" |
    k apply --dry-run=client -o json -f - |
    jq --arg ca "$ca" --arg base "https://127.0.0.1:$AIC_KUEUE_WEBHOOK_PORT" '
      .items |= map(select(.kind | test("WebhookConfiguration$"))
        | .metadata.name = "kueue-" + .metadata.name
        | .metadata.labels["app.kubernetes.io/part-of"] = "aic-test-cluster"
        | .webhooks |= map(.clientConfig = {url: ($base + .clientConfig.service.path), caBundle: $ca}))' |
    k apply -f - >/dev/null
}
kueue_webhooks_delete() {
  k delete mutatingwebhookconfiguration kueue-mutating-webhook-configuration --ignore-not-found >/dev/null
  k delete validatingwebhookconfiguration kueue-validating-webhook-configuration --ignore-not-found >/dev/null
}

# ---- starting the host processes (used by up and variant) ----
start_kueue() {
  host_start kueue "$AIC_BIN_DIR/kueue" --config="$AIC_RUN_DIR/kueue-config.yaml" --kubeconfig="$AIC_KWOK_KUBECONFIG"
}
wait_kueue_ready() {
  wait_for 90 "Kueue readyz" curl -fs "http://127.0.0.1:$AIC_KUEUE_HEALTH_PORT/readyz" ||
    { tail -20 "$AIC_RUN_DIR/kueue.log" >&2; die "Kueue did not become ready (log: $AIC_RUN_DIR/kueue.log)"; }
}
start_test_adapter() {
  local pki="$AIC_KWOK_CLUSTER_DIR/pki"
  host_start test-adapter "$AIC_BIN_DIR/test-adapter" \
    --secure-port="$AIC_ADAPTER_PORT" --bind-address=127.0.0.1 \
    --tls-cert-file="$pki/admin.crt" --tls-private-key-file="$pki/admin.key" \
    --lister-kubeconfig="$AIC_KWOK_KUBECONFIG" \
    --authentication-kubeconfig="$AIC_KWOK_KUBECONFIG" \
    --authorization-kubeconfig="$AIC_KWOK_KUBECONFIG"
}
# Traefik's kubernetesGateway provider reads KUBECONFIG when not in a pod; Gateways report 127.0.0.1.
start_traefik() {
  host_start traefik env KUBECONFIG="$AIC_KWOK_KUBECONFIG" "$AIC_BIN_DIR/traefik" \
    --entryPoints.web.address="127.0.0.1:$AIC_TRAEFIK_WEB_PORT" \
    --entryPoints.traefik.address="127.0.0.1:$AIC_TRAEFIK_PING_PORT" --ping=true \
    --providers.kubernetesgateway=true --providers.kubernetesgateway.statusaddress.ip=127.0.0.1 \
    --log.level=INFO
}
wait_gateway_class_accepted() {
  wait_for 90 "Traefik /ping" curl -fs "http://127.0.0.1:$AIC_TRAEFIK_PING_PORT/ping" ||
    { tail -20 "$AIC_RUN_DIR/traefik.log" >&2; die "Traefik did not start (log: $AIC_RUN_DIR/traefik.log)"; }
  k wait --for=condition=Accepted gatewayclass/traefik --timeout=60s >/dev/null ||
    { tail -20 "$AIC_RUN_DIR/traefik.log" >&2; die "GatewayClass traefik not Accepted (log: $AIC_RUN_DIR/traefik.log)"; }
}
AIC_GATEWAY_API_MODULE_DIR() { echo "$(go env GOMODCACHE)/sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION"; }
gateway_api_crds_apply() {
  local dir
  dir=$(AIC_GATEWAY_API_MODULE_DIR)
  [[ -d $dir ]] || go mod download "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION"
  k apply --server-side --force-conflicts -f "$dir/config/crd/standard/" >/dev/null
  # shellcheck disable=SC2086
  k wait --for=condition=Established $AIC_GATEWAY_API_CRDS --timeout=60s >/dev/null
}
AIC_GATEWAY_API_CRDS="crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io"
# Karpenter's kwok provider: creates and deletes the autoscaled pool's nodes (kwok-controller then
# plays their kubelet). Leader election off; metrics and health on ports of their own.
start_karpenter() {
  KUBECONFIG="$AIC_KWOK_KUBECONFIG" \
    INSTANCE_TYPES_FILE_PATH="$AIC_CLUSTER_DIR/manifests/karpenter-instance-types.json" \
    DISABLE_LEADER_ELECTION=true METRICS_PORT=$AIC_KARPENTER_METRICS_PORT HEALTH_PROBE_PORT=$AIC_KARPENTER_HEALTH_PORT \
    FEATURE_GATES="NodeRepair=false,ReservedCapacity=true,SpotToSpotConsolidation=false,NodeOverlay=false,StaticCapacity=true,CapacityBuffer=false" \
    BATCH_IDLE_DURATION=1s BATCH_MAX_DURATION=3s LOG_LEVEL=info \
    host_start karpenter "$AIC_BIN_DIR/karpenter-kwok"
}
wait_karpenter_ready() {
  wait_for 90 "Karpenter readyz" curl -fs "http://127.0.0.1:$AIC_KARPENTER_HEALTH_PORT/readyz" ||
    { tail -20 "$AIC_RUN_DIR/karpenter.log" >&2; die "Karpenter did not become ready (log: $AIC_RUN_DIR/karpenter.log)"; }
}
pool_node_ready() {
  k get nodes -l "$AIC_AUTOSCALED_POOL" -o jsonpath='{.items[*].status.conditions[?(@.type=="Ready")].status}' | grep -qw True
}
# wait_pool_baseline: the static NodePool's node exists and is Ready (Karpenter makes it after start).
wait_pool_baseline() {
  wait_for 120 "the autoscaled pool's baseline node" pool_node_ready ||
    { tail -20 "$AIC_RUN_DIR/karpenter.log" >&2; die "no Ready node in the autoscaled pool $AIC_AUTOSCALED_POOL (log: $AIC_RUN_DIR/karpenter.log)"; }
}

AIC_METRICS_APISERVICES="apiservice/v1beta1.custom.metrics.k8s.io apiservice/v1beta2.custom.metrics.k8s.io apiservice/v1beta1.external.metrics.k8s.io"
wait_metrics_available() {
  # shellcheck disable=SC2086
  k wait --for=condition=Available $AIC_METRICS_APISERVICES --timeout=90s >/dev/null ||
    { tail -20 "$AIC_RUN_DIR/test-adapter.log" >&2; die "custom-metrics APIServices not Available"; }
}

# One cluster per machine, shared: up, down and variant take this lock so that two of them never
# interleave (e.g. two test runs starting at once). Nested calls (up running down) inherit it.
cluster_lock() {
  [[ -n ${AIC_CLUSTER_LOCKED:-} ]] && return 0
  mkdir -p "$AIC_CACHE_DIR"
  exec 9>"$AIC_CACHE_DIR/cluster.lock"
  if ! flock -n 9; then
    log "waiting for another up/down/variant to finish (lock $AIC_CACHE_DIR/cluster.lock)"
    flock -w 600 9 || die "could not get the cluster lock within 10 minutes"
  fi
  export AIC_CLUSTER_LOCKED=1
}

# ---- Kubeflow Trainer and JobSet (host processes), webhooks by URL with a CA of our own ----
AIC_TRAINER_MODULE_DIR() { echo "$(go env GOMODCACHE)/github.com/kubeflow/trainer/v2@$TRAINER_VERSION"; }
AIC_JOBSET_MODULE_DIR() { echo "$(go env GOMODCACHE)/sigs.k8s.io/jobset@$JOBSET_VERSION"; }
AIC_TRAINER_CERTS="$AIC_RUN_DIR/trainer-certs"
# Our CA and one serving certificate (IP SAN 127.0.0.1) for both webhook servers.
trainer_certs_create() {
  local d=$AIC_TRAINER_CERTS
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=aic-trainer-webhook-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/tls.key" -out "$d/tls.csr" 2>/dev/null
  openssl x509 -req -in "$d/tls.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') -out "$d/tls.crt" 2>/dev/null
  # With cert management off, Trainer's webhook server reads controller-runtime's default dir,
  # $TMPDIR/k8s-webhook-server/serving-certs: a TMPDIR of its own keeps it private to this cluster.
  mkdir -p "$AIC_RUN_DIR/trainer-tmp/k8s-webhook-server/serving-certs"
  cp "$d/tls.crt" "$d/tls.key" "$AIC_RUN_DIR/trainer-tmp/k8s-webhook-server/serving-certs/"
}
# CRDs from the module zips (Trainer's three, JobSet's one); up applies them before Kueue starts.
trainer_crds_apply() {
  [[ -d $(AIC_TRAINER_MODULE_DIR) ]] || go mod download "github.com/kubeflow/trainer/v2@$TRAINER_VERSION"
  [[ -d $(AIC_JOBSET_MODULE_DIR) ]] || go mod download "sigs.k8s.io/jobset@$JOBSET_VERSION"
  k apply --server-side --force-conflicts -k "$(AIC_TRAINER_MODULE_DIR)/manifests/base/crds" >/dev/null
  k apply --server-side --force-conflicts -f "$(AIC_JOBSET_MODULE_DIR)/config/components/crd/bases/" >/dev/null
}
start_trainer() {
  cat >"$AIC_RUN_DIR/trainer-config.yaml" <<EOF
apiVersion: config.trainer.kubeflow.org/v1alpha1
kind: Configuration
health: {healthProbeBindAddress: "127.0.0.1:$AIC_TRAINER_HEALTH_PORT", readinessEndpointName: readyz, livenessEndpointName: healthz}
metrics: {bindAddress: "0"}
webhook: {host: 127.0.0.1, port: $AIC_TRAINER_WEBHOOK_PORT}
leaderElection: {leaderElect: false}
certManagement: {enable: false}
EOF
  host_start trainer env TMPDIR="$AIC_RUN_DIR/trainer-tmp" KUBECONFIG="$AIC_KWOK_KUBECONFIG" \
    "$AIC_BIN_DIR/trainer-controller-manager" --config="$AIC_RUN_DIR/trainer-config.yaml"
}
start_jobset() {
  cat >"$AIC_RUN_DIR/jobset-config.yaml" <<EOF
apiVersion: config.jobset.x-k8s.io/v1alpha1
kind: Configuration
health: {healthProbeBindAddress: "127.0.0.1:$AIC_JOBSET_HEALTH_PORT"}
metrics: {bindAddress: "0"}
webhook: {host: 127.0.0.1, port: $AIC_JOBSET_WEBHOOK_PORT, certDir: "$AIC_TRAINER_CERTS"}
leaderElection: {leaderElect: false}
internalCertManagement: {enable: false}
EOF
  host_start jobset "$AIC_BIN_DIR/jobset" --config="$AIC_RUN_DIR/jobset-config.yaml" --kubeconfig="$AIC_KWOK_KUBECONFIG"
}
# wait_operator_ready NAME HEALTH_PORT
wait_operator_ready() {
  wait_for 90 "$1 readyz" curl -fs "http://127.0.0.1:$2/readyz" ||
    { tail -20 "$AIC_RUN_DIR/$1.log" >&2; die "$1 did not become ready (log: $AIC_RUN_DIR/$1.log)"; }
}
# webhook_configs_apply KUSTOMIZE_DIR PORT NAME_PREFIX: the module's webhook configurations with every
# clientConfig.service rewritten to {url: https://127.0.0.1:PORT<path>, caBundle: our CA}.
webhook_configs_apply() {
  local ca
  ca=$(base64 -w0 <"$AIC_TRAINER_CERTS/ca.crt")
  # create --dry-run=client converts to JSON without reading the live objects (re-applied by variants)
  "$AIC_BIN_DIR/kubectl" kustomize "$1" |
    k create --dry-run=client -o json -f - |
    jq --arg ca "$ca" --arg base "https://127.0.0.1:$2" --arg prefix "$3" '
      (if .kind == "List" then .items else [.] end) as $all | {apiVersion: "v1", kind: "List", items: $all}
      | .items |= map(select(.kind | test("WebhookConfiguration$"))
        | .metadata = {name: ($prefix + .metadata.name), labels: {"app.kubernetes.io/part-of": "aic-test-cluster"}}
        | .webhooks |= map(.clientConfig = {url: ($base + .clientConfig.service.path), caBundle: $ca}))' |
    k apply --server-side --force-conflicts --field-manager=aic-test-cluster -f - >/dev/null
}
# Trainer's keep their upstream names (validator.trainer.kubeflow.org, defaulter.trainer.kubeflow.org).
# An optional port argument points them elsewhere (variant operator-webhook-down).
trainer_webhooks_apply() { webhook_configs_apply "$(AIC_TRAINER_MODULE_DIR)/manifests/base/webhook" "${1:-$AIC_TRAINER_WEBHOOK_PORT}" ""; }
jobset_webhooks_apply() { webhook_configs_apply "$(AIC_JOBSET_MODULE_DIR)/config/components/webhook" "$AIC_JOBSET_WEBHOOK_PORT" jobset-; }
jobset_webhooks_delete() {
  k delete validatingwebhookconfiguration jobset-validating-webhook-configuration --ignore-not-found >/dev/null
  k delete mutatingwebhookconfiguration jobset-mutating-webhook-configuration --ignore-not-found >/dev/null
}
