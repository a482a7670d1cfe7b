#!/bin/sh
# One file of a package from the npm registry, at a pinned version and checksum:
#   sh scripts/npm-file.sh PACKAGE VERSION INTEGRITY FILE_IN_PACKAGE TARGET
# The tarball's checksum (npm's "integrity", sha512) must match, or nothing is written.
set -eu

PACKAGE=$1 VERSION=$2 INTEGRITY=$3 FILE=$4 TARGET=$5

if ! command -v npm >/dev/null 2>&1; then
  echo "npm saknas: installera Node.js och npm (Debian: apt-get install npm) och kör make install igen." >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tarball="$work/$(echo "$PACKAGE" | sed 's|^@||; s|/|-|')-$VERSION.tgz"
actual=$(node -e 'const fs = require("fs"), crypto = require("crypto");
  process.stdout.write("sha512-" + crypto.createHash("sha512")
    .update(fs.readFileSync(process.argv[1])).digest("base64"));' "$tarball")
if [ "$actual" != "$INTEGRITY" ]; then
  echo "Fel kontrollsumma för $PACKAGE@$VERSION: väntade $INTEGRITY, fick $actual." >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work" "package/$FILE"
mkdir -p "$(dirname "$TARGET")"
mv "$work/package/$FILE" "$TARGET"
touch "$TARGET"  # the tarball's 1985 time stamp would make Dash's ?m= cache key meaningless
echo "$PACKAGE $VERSION ($FILE) -> $TARGET"
