#!/bin/sh
# check-heron-starts.sh HERON-BINARY [SCREENSHOT-NAME]
# Starts the real heron binary on the test display, waits until its window is mapped, takes a
# screenshot of the whole screen from outside (as a person would see it), and checks that the
# screen shows more than a flat colour. Run inside heron-test-session --display.
set -eu
heron=$1
name=${2:-heron-starts}
[ -n "${DISPLAY:-}" ] || { echo "not ok: no DISPLAY (run inside heron-test-session --display)"; exit 1; }
shots=${HERON_TEST_SCREENSHOT_DIR:?}
mkdir -p "$shots"
log=$(mktemp)
"$heron" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT

tries=0
until xwininfo -root -tree 2>/dev/null | grep -q '"Heron"'; do
  if ! kill -0 $pid 2>/dev/null; then
    echo "heron exited before showing a window:"; cat "$log"; exit 1
  fi
  tries=$((tries + 1))
  if [ $tries -gt 300 ]; then
    echo "heron showed no window within 30 s:"; cat "$log"; exit 1
  fi
  sleep 0.1
done
# Let the first frames be drawn.
sleep 1
import -window root "$shots/$name.png"
colours=$(convert "$shots/$name.png" -format %k info:)
echo "screenshot $shots/$name.png has $colours colours"
[ "$colours" -gt 8 ] || { echo "the screen is (nearly) one flat colour"; exit 1; }
if grep -q -E 'CRITICAL|WARNING' "$log"; then
  echo "heron printed warnings:"; cat "$log"; exit 1
fi
kill -TERM $pid
wait $pid 2>/dev/null || true
echo "heron started and showed its window"
