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

# Wait until the window is mapped and viewable, not merely created. GTK also makes an unmapped
# 1x1 leader window with the same name, so look at every window called "Heron".
heron_window_viewable() {
  for id in $(xwininfo -root -tree 2>/dev/null | awk '/"Heron"/ { print $1 }'); do
    xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable' && return 0
  done
  return 1
}
tries=0
until heron_window_viewable; do
  if ! kill -0 $pid 2>/dev/null; then
    echo "heron exited before showing a window:"; cat "$log"; exit 1
  fi
  tries=$((tries + 1))
  if [ $tries -gt 300 ]; then
    echo "heron showed no window within 30 s:"; cat "$log"; exit 1
  fi
  sleep 0.1
done
# The first frames may take a moment to be drawn: retry the screenshot for up to 10 s.
colours=0
tries=0
while [ "$colours" -le 8 ]; do
  tries=$((tries + 1))
  if [ $tries -gt 50 ]; then
    echo "the screen stayed (nearly) one flat colour ($colours colours) for 10 s"; exit 1
  fi
  sleep 0.2
  import -window root "$shots/$name.png"
  colours=$(convert "$shots/$name.png" -format %k info:)
done
echo "screenshot $shots/$name.png has $colours colours"
# The private test session has no notification server (org.freedesktop.Notifications): GLib warns
# when Heron announces new mail there. That one is the session's, not Heron's.
if grep -E 'CRITICAL|WARNING' "$log" | grep -v -q 'unable to send notifications through org.freedesktop.Notifications'; then
  echo "heron printed warnings:"; cat "$log"; exit 1
fi
kill -TERM $pid
wait $pid 2>/dev/null || true
echo "heron started and showed its window"
