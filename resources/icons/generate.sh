#!/usr/bin/env bash
# Renders the icon sources into what each platform needs, next to this script:
#   rill-<N>.png  the hicolor theme sizes (Linux) and the Qt resource (window, tray)
#   rill.ico      the Windows executable and the NSIS installer
#   rill.icns     the macOS bundle and disk image
# The outputs are committed, so building Rill needs no image tools on any platform; CI runs
# this into a scratch folder and checks the committed files are what the sources make.
# Needs Debian's librsvg2-bin, icoutils and icnsutils (all in .ci/deps).
# Usage: generate.sh [output-dir]   (default: this folder)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"

render() { # size source
  rsvg-convert --width "$1" --height "$1" --output "$out/rill-$1.png" "$here/$2"
}
# Below 24 px three waves run together: the small drawing has two.
render 16 rill-16.svg
render 22 rill-16.svg
for size in 24 32 48 64 128 256 512; do
  render "$size" rill.svg
done

# The 256 px image as PNG inside the ICO (Vista and later), the small ones as bitmaps.
icotool --create --output "$out/rill.ico" "$out"/rill-{16,24,32,48}.png --raw="$out/rill-256.png"
png2icns "$out/rill.icns" "$out"/rill-{16,32,48,128,256,512}.png >/dev/null
