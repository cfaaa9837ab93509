#!/bin/sh
# Install the WAT example applet into a fresh card file and run its script twice: the second run
# shows the persistent counter kept in the card file (ADD 3 again: 8 -> 11).
#
#   examples/applets/counter.sh [path/to/vusim]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vusim=${1:-vusim}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$vusim" card new --out "$dir/card.toml" >/dev/null
"$vusim" card install --card "$dir/card.toml" --module "$here/counter.wasm" --params 00000005
"$vusim" card applets "$dir/card.toml"
"$vusim" run --card "$dir/card.toml" "$here/counter.script"
# The counter is durable: a second session starts from 8.
printf 'select F0565553494D2D434F554E540001 => 62 * 9000\n80 02 00 00 00 => 00000008 9000\n' >"$dir/again.script"
"$vusim" run --card "$dir/card.toml" "$dir/again.script"
echo "counter.sh: ok"
