#!/bin/sh
# The regenerator runtime that Dash's own scripts call for their async functions
# (window.regeneratorRuntime), from the npm registry at a pinned version and checksum. Dash
# would bring it inside Babel's whole polyfill, which the app does not load (dashboard/headers.py);
# it goes to the browser first in the app's scripts (dashboard/delivery.py).
set -eu

VERSION=0.14.1
sh "$(dirname "$0")/npm-file.sh" regenerator-runtime "$VERSION" \
  sha512-dYnhHh0nJoMfnkZs6GmmhFknAGRrLznOu5nc9ML+EJxGvrx6H7teuevqVqCuPcPK//3eDrrjQhehXVx9cnkGdw== \
  runtime.js "${1:-assets/vendor/regenerator-runtime-$VERSION.js}"
