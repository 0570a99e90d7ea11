#!/bin/sh
# check-demo-profile.sh HERON-BINARY — run by build-aux/demo in place of Heron (see the 'demo'
# test in tests/app/meson.build). Checks, from inside the isolated demo profile, what
# build-aux/demo promises, then starts the real heron there and checks its window.
set -eu
heron=$1
fail() { echo "not ok: $*"; exit 1; }

# shellcheck disable=SC1090
. "$HERON_DEMO_ENV"

# The profile is isolated: its own XDG directories, not the caller's.
case "$XDG_CONFIG_HOME" in
  */heron-session.*/config) ;;
  *) fail "XDG_CONFIG_HOME is not the private session's: $XDG_CONFIG_HOME" ;;
esac

# The account exists, as heron-cli sees it, and its file holds no secret.
id=$("$HERON_CLI" account list --json | python3 -c '
import json, sys
accounts = json.load(sys.stdin)["accounts"]
assert len(accounts) == 1, accounts
print(accounts[0]["id"])') || fail "heron-cli does not list exactly one account"
conf="$XDG_CONFIG_HOME/heron/accounts/$id.conf"
[ -f "$conf" ] || fail "no demo account file at $conf"
grep -q "^Host=$HERON_TEST_HOST\$" "$conf" || fail "the account file does not name the demo server"
if grep -qF "$HERON_TEST_PASSWORD" "$conf"; then fail "the account file contains the password"; fi

# The password is in the session's keyring, under Heron's schema, for IMAP and SMTP.
for protocol in imap smtp; do
  found=$(secret-tool lookup xdg:schema io.github.heronmail.Heron.Secret account "$id" \
    protocol "$protocol" host "$HERON_TEST_HOST" user "$HERON_TEST_USER") || fail "no $protocol secret"
  [ "$found" = "$HERON_TEST_PASSWORD" ] || fail "the $protocol secret is not the demo password"
done

# The demo server holds a few thousand messages in several folders.
status=$(doveadm -c "$HERON_TEST_DOVECOT_CONFIG" mailbox status -u "$HERON_TEST_USER" messages '*')
echo "$status"
folders=$(echo "$status" | awk '$2 ~ /^messages=/ { split($2, a, "="); if (a[2] > 0) n++ } END { print n + 0 }')
total=$(echo "$status" | awk '$2 ~ /^messages=/ { split($2, a, "="); t += a[2] } END { print t + 0 }')
echo "demo mailbox: $total messages in $folders non-empty folders"
[ "$folders" -ge 5 ] || fail "fewer than 5 non-empty folders"
[ "$total" -ge 3000 ] || fail "fewer than 3000 messages"

exec "$(dirname "$0")/check-heron-starts.sh" "$heron" demo
