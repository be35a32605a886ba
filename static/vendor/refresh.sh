#!/usr/bin/env bash
# Re-vendor Fieldwork's third-party front-end files from the npm registry.
#
# Downloads exactly the pinned package versions below with `npm pack`
# (no install, no lifecycle scripts), checks each tarball against the pinned
# sha512 integrity (the same value as `npm view NAME@VERSION dist.integrity`),
# and copies only the listed files into the subdirectories of this directory.
# Each managed subdirectory is replaced as a whole, so stale files disappear.
# README.md and this script are left alone.
#
# Usage:   static/vendor/refresh.sh
# Needs:   bash, node + npm, tar, network access to the npm registry.
#
# To upgrade a package: change its version AND integrity below (get the new
# integrity with `npm view NAME@VERSION dist.integrity`), run this script,
# update README.md, and check the app still works.
set -euo pipefail

VENDOR_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# name@version | sha512 integrity | target subdir | files (paths inside the package)
PACKAGES=(
  "@picocss/pico@2.1.1|sha512-kIDugA7Ps4U+2BHxiNHmvgPIQDWPDU4IeU6TNRdvXQM1uZX+FibqDQT2xUOnnO2yq/LUHcwnGlu1hvf4KfXnMg==|pico|css/pico.min.css css/pico.classless.min.css LICENSE.md"
  "htmx.org@2.0.11|sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==|htmx|dist/htmx.min.js LICENSE"
  "d3@7.9.2|sha512-ZKb/mONPVKzaO5UlcWcwN8bS4ezvQaYu+bsou+XgNABdGC800kwH651ADTbbTxMPHW13UlvbQafdmJQDk1w7Mg==|d3|dist/d3.min.js LICENSE"
  "topojson-client@3.1.0|sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw==|topojson-client|dist/topojson-client.min.js LICENSE"
  "world-atlas@2.0.2|sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==|world-atlas|countries-50m.json countries-110m.json land-110m.json LICENSE"
  "wavesurfer.js@7.12.12|sha512-fyKNuREQTliCl4b9w7pUzpFXQIkX5tcdYu1o6vBdH+NlUXvTxshvfbG2hj8OxDevzQNZlDTHzZGyAT3FhuutWw==|wavesurfer|dist/wavesurfer.min.js dist/plugins/regions.min.js dist/plugins/timeline.min.js LICENSE"
  "tom-select@2.6.2|sha512-eiXIkk82XzzUTOVQDFpy+ZGejuqdTvMukyUyeZBQaKnqW42UoTiTZnrod/eX0rkqJEc4rZY9DZ3zdjV07i29wQ==|tom-select|dist/js/tom-select.popular.min.js dist/js/tom-select.popular.min.js.map dist/css/tom-select.min.css dist/css/tom-select.min.css.map LICENSE"
)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fieldwork-vendor.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/stage"
mkdir -p "$STAGE"

sri_sha512() {  # print the "sha512-<base64>" integrity string of a file
  node -e 'const c=require("crypto"),f=require("fs");
           process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r spec integrity subdir files <<<"$entry"
  echo "==> $spec"
  pkgdir="$WORK/pkg/$subdir"
  mkdir -p "$pkgdir"
  tarball="$(cd "$pkgdir" && npm pack --silent --ignore-scripts "$spec" | tail -n 1)"
  actual="$(sri_sha512 "$pkgdir/$tarball")"
  if [[ "$actual" != "$integrity" ]]; then
    echo "integrity mismatch for $spec" >&2
    echo "  expected $integrity" >&2
    echo "  got      $actual" >&2
    exit 1
  fi
  tar -xzf "$pkgdir/$tarball" -C "$pkgdir"
  mkdir -p "$STAGE/$subdir"
  for f in $files; do
    src="$pkgdir/package/$f"
    [[ -f "$src" ]] || { echo "missing $f in $spec" >&2; exit 1; }
    cp "$src" "$STAGE/$subdir/$(basename "$f")"
    echo "    $subdir/$(basename "$f")"
  done
done

# Everything downloaded and verified: now replace the managed subdirectories.
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r _ _ subdir _ <<<"$entry"
  rm -rf "${VENDOR_DIR:?}/$subdir"
  cp -R "$STAGE/$subdir" "$VENDOR_DIR/$subdir"
  chmod 644 "$VENDOR_DIR/$subdir"/*
done

echo "Vendored files refreshed in $VENDOR_DIR"
