# shellcheck shell=bash
# Generators for the simulated nodes and their DRA ResourceSlices. Source after lib.sh.
#
# Node pools (no taints):
#   gpu-a100-0, gpu-a100-1  4 x NVIDIA-A100-SXM4-40GB  96 cpu, 1Ti
#   gpu-h100-0, gpu-h100-1  8 x NVIDIA-H100-80GB-HBM3  192 cpu, 2Ti
#   cpu-0, cpu-1            no GPU                     32 cpu, 128Gi
# Every GPU exists twice, as nvidia.com/gpu capacity (device plugin) and as a device in the
# node's ResourceSlice (DRA), like a node running both the device plugin and the DRA driver.

AIC_GPU_NODES="gpu-a100-0 gpu-a100-1 gpu-h100-0 gpu-h100-1"
AIC_CPU_NODES="cpu-0 cpu-1"
AIC_DRIVER_VERSION=575.57.08
AIC_CUDA_VERSION=12.9

# gpu_model NODE: sets the per-model variables used by the generators.
gpu_model() {
  case $1 in
  gpu-a100-*)
    product=NVIDIA-A100-SXM4-40GB product_name="NVIDIA A100-SXM4-40GB" count=4 mem_mib=40960
    mem_cap=40Gi family=ampere arch=Ampere cc_major=8 cc_minor=0 machine=HGX-A100-4-GPU
    cpu=96 memory=1Ti zone=zone-a pool=gpu-a100 ;;
  gpu-h100-*)
    product=NVIDIA-H100-80GB-HBM3 product_name="NVIDIA H100 80GB HBM3" count=8 mem_mib=81559
    mem_cap=80Gi family=hopper arch=Hopper cc_major=9 cc_minor=0 machine=DGX-H100
    cpu=192 memory=2Ti zone=zone-b pool=gpu-h100 ;;
  *) die "unknown GPU node $1" ;;
  esac
}

# gpu_uuid NODE INDEX: a stable, node-unique GPU UUID.
gpu_uuid() {
  local h
  h=$(printf '%s/%s' "$1" "$2" | sha256sum | cut -c1-32)
  printf 'GPU-%s-%s-%s-%s-%s' "${h:0:8}" "${h:8:4}" "${h:12:4}" "${h:16:4}" "${h:20:12}"
}

# node_ip NAME: a stable private address per node (nodes are simulated, nothing listens there).
node_ip() {
  local i=0 n
  for n in $AIC_GPU_NODES $AIC_CPU_NODES; do
    i=$((i + 1))
    [[ $n == "$1" ]] && { echo "10.240.0.$((10 + i))"; return; }
  done
}

node_yaml() { # NAME POOL ZONE CPU MEMORY GPUS EXTRA_LABELS
  cat <<YAML
---
apiVersion: v1
kind: Node
metadata:
  name: $1
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    app.kubernetes.io/part-of: aic-test-cluster
    ai-conformance.io/node-pool: $2
    kubernetes.io/hostname: $1
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node.kubernetes.io/instance-type: $2
    topology.kubernetes.io/region: aic
    topology.kubernetes.io/zone: $3
$7
spec: {}
status:
  capacity: {cpu: "$4", memory: $5, pods: "110", ephemeral-storage: 2Ti$6}
  allocatable: {cpu: "$4", memory: $5, pods: "110", ephemeral-storage: 2Ti$6}
  addresses:
  - {type: InternalIP, address: $(node_ip "$1")}
  - {type: Hostname, address: $1}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    osImage: Ubuntu 24.04.2 LTS
    kernelVersion: 6.8.0-60-generic
    containerRuntimeVersion: containerd://2.1.1
    kubeletVersion: $K8S_VERSION
    kubeProxyVersion: ""
    machineID: ""
    systemUUID: ""
    bootID: ""
YAML
}

gen_gpu_nodes() {
  local n product product_name count mem_mib mem_cap family arch cc_major cc_minor machine cpu memory zone pool
  local dmaj dmin drev rmaj rmin
  IFS=. read -r dmaj dmin drev <<<"$AIC_DRIVER_VERSION"
  IFS=. read -r rmaj rmin <<<"$AIC_CUDA_VERSION"
  for n in $AIC_GPU_NODES; do
    gpu_model "$n"
    node_yaml "$n" "$pool" "$zone" "$cpu" "$memory" ", nvidia.com/gpu: \"$count\"" "$(cat <<LABELS
    feature.node.kubernetes.io/pci-10de.present: "true"
    nvidia.com/gpu.present: "true"
    nvidia.com/gpu.deploy.device-plugin: "true"
    nvidia.com/gpu.product: $product
    nvidia.com/gpu.count: "$count"
    nvidia.com/gpu.memory: "$mem_mib"
    nvidia.com/gpu.family: $family
    nvidia.com/gpu.compute.major: "$cc_major"
    nvidia.com/gpu.compute.minor: "$cc_minor"
    nvidia.com/gpu.machine: $machine
    nvidia.com/gpu.mode: compute
    nvidia.com/gpu.replicas: "1"
    nvidia.com/gpu.sharing-strategy: none
    nvidia.com/mig.capable: "true"
    nvidia.com/mig.strategy: none
    nvidia.com/cuda.driver.major: "$dmaj"
    nvidia.com/cuda.driver.minor: "$dmin"
    nvidia.com/cuda.driver.rev: "$drev"
    nvidia.com/cuda.driver-version.full: "$AIC_DRIVER_VERSION"
    nvidia.com/cuda.driver-version.major: "$dmaj"
    nvidia.com/cuda.driver-version.minor: "$dmin"
    nvidia.com/cuda.driver-version.revision: "$drev"
    nvidia.com/cuda.runtime.major: "$rmaj"
    nvidia.com/cuda.runtime.minor: "$rmin"
    nvidia.com/cuda.runtime-version.full: "$AIC_CUDA_VERSION"
    nvidia.com/cuda.runtime-version.major: "$rmaj"
    nvidia.com/cuda.runtime-version.minor: "$rmin"
LABELS
)"
  done
}

gen_cpu_nodes() {
  local n
  for n in $AIC_CPU_NODES; do
    node_yaml "$n" cpu zone-a 32 128Gi "" ""
  done
}

gen_resourceslices() {
  local n i product product_name count mem_mib mem_cap family arch cc_major cc_minor machine cpu memory zone pool
  local dv=${AIC_DRIVER_VERSION%.*}.$((10#${AIC_DRIVER_VERSION##*.}))
  for n in $AIC_GPU_NODES; do
    gpu_model "$n"
    cat <<YAML
---
apiVersion: resource.k8s.io/v1
kind: ResourceSlice
metadata:
  name: $n-gpu.nvidia.com
  labels: {app.kubernetes.io/part-of: aic-test-cluster, ai-conformance.io/node-pool: $pool}
spec:
  driver: gpu.nvidia.com
  nodeName: $n
  pool: {name: $n, generation: 1, resourceSliceCount: 1}
  devices:
YAML
    for ((i = 0; i < count; i++)); do
      cat <<YAML
  - name: gpu-$i
    attributes:
      type: {string: gpu}
      uuid: {string: $(gpu_uuid "$n" "$i")}
      index: {int: $i}
      minor: {int: $i}
      productName: {string: "$product_name"}
      brand: {string: Nvidia}
      architecture: {string: $arch}
      cudaComputeCapability: {version: "$cc_major.$cc_minor.0"}
      driverVersion: {version: "$dv"}
      cudaDriverVersion: {version: "$AIC_CUDA_VERSION.0"}
      pcieBusID: {string: "0000:$(printf '%02x' $((0x10 + i * 16))):00.0"}
    capacity:
      memory: {value: $mem_cap}
YAML
    done
  done
}
