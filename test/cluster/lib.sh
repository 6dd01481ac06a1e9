# shellcheck shell=bash
# Shared settings for test/cluster scripts. Source it; do not run it.

AIC_CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AIC_VERSIONS_FILE="$AIC_CLUSTER_DIR/versions.env"
AIC_CACHE_DIR=${AIC_CACHE_DIR:-$HOME/.cache/ai-conformance}
AIC_KUBECONFIG=${AIC_KUBECONFIG:-$AIC_CACHE_DIR/kubeconfig}
AIC_CLUSTER_NAME=aic

# shellcheck source=versions.env
source "$AIC_VERSIONS_FILE"

AIC_VERSIONS_SHA=$(sha256sum "$AIC_VERSIONS_FILE" | cut -c1-16)
AIC_BIN_DIR="$AIC_CACHE_DIR/bin/$AIC_VERSIONS_SHA"
# kwokctl state (pki, pids, logs, etcd data) lives under the cache, never in ~/.kwok.
export KWOK_WORKDIR="$AIC_CACHE_DIR/kwok"
AIC_KWOK_CLUSTER_DIR="$KWOK_WORKDIR/clusters/$AIC_CLUSTER_NAME"
# Host processes started by up (kueue, test-adapter): pid files, logs, certs.
AIC_RUN_DIR="$AIC_CACHE_DIR/run"

# Fixed ports (all on 127.0.0.1 except the test adapter's write port, which it hard-codes to :8080).
AIC_APISERVER_PORT=${AIC_APISERVER_PORT:-32766}
AIC_ETCD_PORT=${AIC_ETCD_PORT:-32767}
AIC_KUEUE_WEBHOOK_PORT=9443
AIC_KUEUE_METRICS_PORT=8443
AIC_KUEUE_HEALTH_PORT=8081
AIC_ADAPTER_PORT=6444
AIC_ADAPTER_WRITE_PORT=8080

_aic_t0=$(date +%s)
log() { printf '[%s +%4ss] %s\n' "$(basename "$0")" "$(($(date +%s) - _aic_t0))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# kubectl against the test cluster, always the self-built one.
k() { "$AIC_BIN_DIR/kubectl" --kubeconfig "$AIC_KUBECONFIG" "$@"; }
