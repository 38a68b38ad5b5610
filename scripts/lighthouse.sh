#!/usr/bin/env bash
# Lighthouse (accessibility, best practices, performance) on the built page, served on
# localhost: a benchmark, not part of every test run. Needs a built dist/ (scripts/build-dist.sh).
source "$(dirname "$0")/env.sh"
cd "$ROOT"
apt_install chromium
[ -f dist/index.html ] || bash scripts/build-dist.sh
(cd "$CACHE" && npm install --no-save --no-audit --no-fund --silent lighthouse@12.2.3 >/dev/null)
node -e '
const { serve } = require("./scripts/static-server");
serve([["/contrastive-playground/", "dist"]], { port: 8765, isolated: true }).then(() => console.log("serving"));
' &
server=$!
trap 'kill $server' EXIT
sleep 1
out="$CACHE/lighthouse"
mkdir -p "$out"
CHROME_PATH=/usr/bin/chromium lighthouse "http://127.0.0.1:8765/contrastive-playground/" \
  --only-categories=accessibility,best-practices,performance \
  --chrome-flags="--headless=new --no-sandbox --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-quic" \
  --output=json --output=html --output-path="$out/report" --quiet
node -e '
const r = require(process.argv[1]);
for (const [k, c] of Object.entries(r.categories)) console.log(`${c.title}: ${Math.round(c.score * 100)}`);
' "$out/report.report.json"
