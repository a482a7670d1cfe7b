#!/bin/sh
# The partial plotly.js bundle ("basic": scatter, bar and pie traces) that the browser loads
# instead of the full bundle, from the npm registry at a pinned version and checksum.
# Its version must be the plotly.js that the installed Python plotly (and so Kaleido's exports)
# ships; the app refuses to start if the file is missing or of another version.
set -eu

VERSION=4.1.1
sh "$(dirname "$0")/npm-file.sh" plotly.js-basic-dist-min "$VERSION" \
  sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ== \
  plotly-basic.min.js "${1:-assets/vendor/plotly-basic-$VERSION.min.js}"
