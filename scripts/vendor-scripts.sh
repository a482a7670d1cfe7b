#!/bin/sh
# The scripts the browser loads from npm, at the versions and checksums of package-lock.json:
# `npm ci` installs exactly the lock file (and fails on a checksum that does not match), then
# each file is copied to assets/vendor/ under a name with its version, which the app looks for.
set -eu
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "npm saknas: installera Node.js och npm (Debian: apt-get install npm) och kör make install igen." >&2
  exit 1
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

version() { node -p "require('./node_modules/$1/package.json').version"; }

# copy PACKAGE FILE_IN_PACKAGE TARGET_NAME
copy() {
  cp "node_modules/$1/$2" "assets/vendor/$3"
  touch "assets/vendor/$3"  # the package's 1985 time stamp would make Dash's ?m= cache key meaningless
  echo "$1 $(version "$1") ($2) -> assets/vendor/$3"
}

mkdir -p assets/vendor
rm -f assets/vendor/*.js  # a file of an earlier version must not linger beside the new one
copy plotly.js-basic-dist-min plotly-basic.min.js "plotly-basic-$(version plotly.js-basic-dist-min).min.js"
copy regenerator-runtime runtime.js "regenerator-runtime-$(version regenerator-runtime).js"
touch assets/vendor/.installed
