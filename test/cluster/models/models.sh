# shellcheck shell=bash disable=SC2034
# Settings shared by test/cluster/models scripts. Source after ../lib.sh.
AIC_MODELS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
AIC_TSX="$AIC_MODELS_ROOT/node_modules/tsx/dist/cli.mjs"
AIC_MODEL_REGISTRY=127.0.0.1:5000
# Registry storage, the node emulator's variant file: wiped with the run directory by test/cluster/down.
AIC_MODELS_DIR="$AIC_RUN_DIR/models"
AIC_MODEL_VARIANT_FILE="$AIC_MODELS_DIR/variant"
