#!/bin/sh
# The partial plotly.js bundle ("basic": scatter, bar and pie traces) that the browser loads
# instead of the full bundle, from the npm registry at a pinned version and checksum.
# Its version must be the plotly.js that the installed Python plotly (and so Kaleido's exports)
# ships; the app refuses to start if the file is missing or of another version.
set -eu

PACKAGE=plotly.js-basic-dist-min
VERSION=4.1.1
INTEGRITY=sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ==
TARGET=${1:-assets/vendor/plotly-basic-$VERSION.min.js}

if ! command -v npm >/dev/null 2>&1; then
  echo "npm saknas: installera Node.js och npm (Debian: apt-get install npm) och kör make install igen." >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tarball="$work/$PACKAGE-$VERSION.tgz"
actual=$(node -e 'const fs = require("fs"), crypto = require("crypto");
  process.stdout.write("sha512-" + crypto.createHash("sha512")
    .update(fs.readFileSync(process.argv[1])).digest("base64"));' "$tarball")
if [ "$actual" != "$INTEGRITY" ]; then
  echo "Fel kontrollsumma för $PACKAGE@$VERSION: väntade $INTEGRITY, fick $actual." >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/plotly-basic.min.js
mkdir -p "$(dirname "$TARGET")"
mv "$work/package/plotly-basic.min.js" "$TARGET"
touch "$TARGET"  # the tarball's 1985 time stamp would make Dash's ?m= cache key meaningless
echo "plotly.js basic $VERSION -> $TARGET"
