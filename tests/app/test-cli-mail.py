"""heron-cli sync|folders|list|flag|search|watch against the harness's real Dovecot (run inside
tests/harness/heron-test-session: private XDG directories and an unlocked keyring, where the
account's password is kept). Usage: test-cli-mail.py HERON_CLI HERON_TEST_SERVER"""
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

CLI, SERVER = sys.argv[1], sys.argv[2]
SEEDED = 30
failures = 0
count = 0


def check(condition, what):
    global failures, count
    count += 1
    what = " | ".join(what.splitlines())
    if condition:
        print(f"ok {count} - {what}", flush=True)
    else:
        failures += 1
        print(f"not ok {count} - {what}", flush=True)


def cli(*args, stdin=None, timeout=120):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=timeout)


def start_server(work):
    env_file = os.path.join(work, "env")
    log = open(os.path.join(work, "server.log"), "w+", encoding="utf-8")
    server = subprocess.Popen([SERVER, "--env-file", env_file, "--keep-going", "--no-smtp",
                               "--count", str(SEEDED), "--folder", "INBOX"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True)
    line = server.stdout.readline()
    if line.strip() != "ready":
        server.kill()
        log.seek(0)
        sys.stderr.write(log.read())
        raise RuntimeError("heron-test-server did not start")
    env = {}
    with open(env_file, encoding="utf-8") as f:
        for text in f:
            if "=" in text and not text.startswith("#"):
                name, value = text.rstrip("\n").split("=", 1)
                env[name] = shlex.split(value)[0] if value else ""
    return server, env


def doveadm(env, *args, stdin=None):
    return subprocess.run(["doveadm", "-c", env["HERON_TEST_DOVECOT_CONFIG"], *args],
                          input=stdin, capture_output=True, text=True, timeout=30)


def main(work):
    server, env = start_server(work)
    try:
        run(env)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def run(env):
    # no account yet: the offline commands say so
    done = cli("folders")
    check(done.returncode == 3, f"folders without an account: exit 3 ({done.returncode})")

    done = cli("account", "add", "--email", env["HERON_TEST_USER"], "--user", env["HERON_TEST_USER"],
               "--imap-host", env["HERON_TEST_HOST"], "--imap-port", env["HERON_TEST_IMAP_PORT"],
               "--imap-security", "starttls", "--smtp-host", env["HERON_TEST_HOST"],
               "--smtp-port", env["HERON_TEST_SMTP_PORT"], "--smtp-security", "starttls",
               "--pinned-certificate", env["HERON_TEST_CA_FILE"], "--password-stdin",
               stdin=env["HERON_TEST_PASSWORD"] + "\n")
    check(done.returncode == 0, f"account add (stderr: {done.stderr.strip()})")
    account = done.stdout.strip()

    # sync: every folder, a JSON summary that matches the server
    done = cli("sync", "--json")
    check(done.returncode == 0, f"sync succeeds (stderr: {done.stderr.strip()[-300:]})")
    summary = json.loads(done.stdout) if done.returncode == 0 else {"folders": []}
    counts = {f["name"]: f["messages"] for f in summary["folders"]}
    check(counts.get("INBOX") == SEEDED, f"sync reports {SEEDED} messages in INBOX ({counts.get('INBOX')})")

    done = cli("sync", account)
    check(done.returncode == 0 and "INBOX: up to date" in done.stdout,
          "sync ACCOUNT prints a line per folder")

    # folders: the server's list, from the cache
    server_folders = set(doveadm(env, "mailbox", "list", "-u", env["HERON_TEST_USER"]).stdout.split())
    done = cli("folders", "--json")
    folders = json.loads(done.stdout)["folders"] if done.returncode == 0 else []
    check(done.returncode == 0 and {f["name"] for f in folders} == server_folders,
          f"folders equals the server's list ({sorted(server_folders)})")
    inbox = next((f for f in folders if f["name"] == "INBOX"), {})
    check(inbox.get("messages") == SEEDED and "unread" in inbox, "folders shows INBOX's counts")
    done = cli("folders")
    check(done.returncode == 0 and any(line.startswith("INBOX\t") for line in done.stdout.splitlines()),
          "folders prints one line a folder")

    # list: the 5 newest, newest first
    done = cli("list", "INBOX", "--limit", "5", "--json")
    listed = json.loads(done.stdout)["messages"] if done.returncode == 0 else []
    check(len(listed) == 5, f"list --limit 5 shows 5 messages ({len(listed)})")
    dates = [m["date"] for m in listed]
    check(dates == sorted(dates, reverse=True), "list is newest first")
    everything = json.loads(cli("list", "INBOX", "--limit", "1000", "--json").stdout)["messages"]
    newest = sorted(everything, key=lambda m: (m["date"], m["uid"]), reverse=True)[:5]
    check([m["uid"] for m in listed] == [m["uid"] for m in newest], "list shows the 5 newest")
    check(all(m["subject"] is not None and "flags" in m for m in listed), "rows have subject and flags")
    done = cli("list", "INBOX", "--limit", "3")
    check(done.returncode == 0 and len(done.stdout.splitlines()) == 3, "list prints one line a message")

    # flag: in the cache and on the server
    uid = next((m["uid"] for m in listed if "\\Flagged" not in m["flags"]), listed[0]["uid"] if listed else 1)
    done = cli("flag", "INBOX", str(uid), "+\\Flagged", "+$Label1", "--json")
    result = json.loads(done.stdout) if done.returncode == 0 else {}
    check(done.returncode == 0 and result.get("on-server") is True,
          f"flag +\\Flagged reaches the server (stderr: {done.stderr.strip()})")
    check("\\Flagged" in result.get("flags", []) and "$Label1" in result.get("flags", []),
          "the cache has the new flags")
    fetched = doveadm(env, "fetch", "-u", env["HERON_TEST_USER"], "flags", "mailbox", "INBOX", "uid", str(uid))
    check("\\Flagged" in fetched.stdout and "$Label1" in fetched.stdout,
          f"doveadm sees \\Flagged and $Label1 ({fetched.stdout.strip()})")
    done = cli("flag", "INBOX", str(uid), "-\\Flagged")
    fetched = doveadm(env, "fetch", "-u", env["HERON_TEST_USER"], "flags", "mailbox", "INBOX", "uid", str(uid))
    check(done.returncode == 0 and "\\Flagged" not in fetched.stdout, "flag -\\Flagged clears it on the server")

    # search: a word of a listed subject
    words = [w for m in listed for w in (m["subject"] or "").split() if w.isalpha() and len(w) > 3]
    word = words[0] if words else "nothing"
    done = cli("search", word, "--json", "--limit", "100")
    found = json.loads(done.stdout)["messages"] if done.returncode == 0 else []
    check(done.returncode == 0 and any(m["uid"] in [l["uid"] for l in listed] and word in m["subject"] for m in found),
          f"search finds a listed message by the subject word {word!r}")
    done = cli("search", word, "--folder", "INBOX")
    check(done.returncode == 0 and len(done.stdout.splitlines()) >= 1, "search --folder prints lines")

    # errors
    for args, code, what in [
        (["list"], 2, "list without a folder"),
        (["list", "INBOX", "--limit", "0"], 2, "list --limit 0"),
        (["list", "INBOX", "--bogus"], 2, "an unknown option"),
        (["flag", "INBOX", "abc", "+\\Seen"], 2, "flag with a bad UID"),
        (["flag", "INBOX", str(uid), "+\\Bogus"], 2, "flag with an unknown system flag"),
        (["flag", "INBOX", str(uid)], 2, "flag without a change"),
        (["search"], 2, "search without a query"),
        (["list", "No/Such/Folder"], 3, "list of an unknown folder"),
        (["flag", "NoSuchFolder", "1", "+\\Seen"], 3, "flag in an unknown folder"),
        (["flag", "INBOX", "999999", "+\\Seen"], 3, "flag of an unknown UID"),
        (["sync", "--folder", "NoSuchFolder"], 3, "sync of an unknown folder"),
        (["folders", "no-such-account"], 3, "an unknown account"),
    ]:
        done = cli(*args)
        check(done.returncode == code and done.stderr.startswith("heron-cli: "),
              f"{what}: exit {code} with a message ({done.returncode}: {done.stderr.strip()})")
    done = cli("list", "No/Such/Folder", "--json")
    check(done.returncode == 3 and json.loads(done.stdout).get("exit-code") == 3, "errors as JSON too")

    # watch: a new delivery arrives as an event; SIGTERM ends it cleanly
    watch = subprocess.Popen([CLI, "watch", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    events = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = watch.stdout.readline()
            if not line:
                break
            events.append(json.loads(line))
            if events[-1] == {"event": "state", "state": "online"}:
                break
        check({"event": "state", "state": "online"} in events, "watch goes online")
        time.sleep(1)
        message = ("From: Watcher <watcher@example.test>\nTo: " + env["HERON_TEST_USER"] +
                   "\nSubject: Watched delivery\nMessage-ID: <watched@example.test>\n"
                   "Date: Mon, 1 Jan 2030 10:00:00 +0000\n\nHello.\n")
        saved = doveadm(env, "save", "-u", env["HERON_TEST_USER"], "-m", "INBOX", stdin=message)
        check(saved.returncode == 0, f"doveadm save ({saved.stderr.strip()})")
        start = time.monotonic()
        added = None
        while time.monotonic() - start < 10 and added is None:
            line = watch.stdout.readline()
            if not line:
                break
            event = json.loads(line)
            if event.get("event") == "messages-added" and event.get("folder") == "INBOX":
                added = time.monotonic() - start
        check(added is not None, f"watch prints messages-added for INBOX within 10 s ({added})")
        watch.send_signal(signal.SIGTERM)
        code = watch.wait(timeout=15)
        check(code == 0, f"SIGTERM ends watch with exit 0 ({code}: {watch.stderr.read().strip()})")
    finally:
        if watch.poll() is None:
            watch.kill()

    done = cli("search", "Watched", "--json")
    found = json.loads(done.stdout)["messages"] if done.returncode == 0 else []
    check(any(m["subject"] == "Watched delivery" for m in found), "the watched delivery is in the cache")

    # a wrong password: sync fails with exit 1 and says so
    subprocess.run(["secret-tool", "store", "--label", "x", "xdg:schema", "io.github.heronmail.Heron.Secret",
                    "account", account, "protocol", "imap", "host", env["HERON_TEST_HOST"],
                    "user", env["HERON_TEST_USER"]], input="wrong", text=True, timeout=30)
    done = cli("sync")
    check(done.returncode == 1 and "refused the password" in done.stderr,
          f"a refused password: exit 1 ({done.returncode}: {done.stderr.strip()})")
    done = cli("list", "INBOX", "--limit", "2")
    check(done.returncode == 0 and len(done.stdout.splitlines()) == 2, "list still works offline")

    # a flag change while the server cannot be used: in the cache, journaled, exit 0
    done = cli("flag", "INBOX", str(uid), "+$Offline", "--json")
    result = json.loads(done.stdout) if done.returncode == 0 else {}
    check(done.returncode == 0 and result.get("on-server") is False and "$Offline" in result.get("flags", []),
          f"flag without the server: in the cache, not on the server, exit 0 ({done.returncode})")
    fetched = doveadm(env, "fetch", "-u", env["HERON_TEST_USER"], "flags", "mailbox", "INBOX", "uid", str(uid))
    check("$Offline" not in fetched.stdout, "the server does not have it yet")
    done = cli("flag", "INBOX", str(uid), "+$Offline2")
    check(done.returncode == 0 and "journaled" in done.stdout, f"the text says it is journaled ({done.stdout.strip()})")


with tempfile.TemporaryDirectory() as work:
    try:
        main(work)
    except Exception as error:  # a crash is a failure, not a silent skip
        check(False, f"the test ran to the end ({error!r})")
print(f"1..{count}")
sys.exit(1 if failures else 0)
