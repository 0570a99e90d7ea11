"""heron-cli show and sync --bodies against the harness's real Dovecot (run inside
tests/harness/heron-test-session: private XDG directories and an unlocked keyring, where the
account's password is kept). Usage: test-cli-show.py HERON_CLI HERON_TEST_SERVER"""
import email.utils
import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

CLI, SERVER = sys.argv[1], sys.argv[2]
SEEDED = 5
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


def cli(*args, timeout=120, text=True):
    return subprocess.run([CLI, *args], capture_output=True, text=text, timeout=timeout)


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


def save(env, subject, date, body):
    message = (f"From: Sender <sender@example.test>\nTo: {env['HERON_TEST_USER']}\nSubject: {subject}\n"
               f"Message-ID: <{subject.replace(' ', '.')}@example.test>\nDate: {date}\n\n{body}\n")
    done = doveadm(env, "save", "-u", env["HERON_TEST_USER"], "-m", "INBOX", stdin=message)
    check(done.returncode == 0, f"doveadm save {subject!r} ({done.stderr.strip()})")
    uid = doveadm(env, "-f", "flow", "search", "-u", env["HERON_TEST_USER"], "mailbox", "INBOX",
                  "header", "Message-ID", subject.replace(" ", "."))
    return int(uid.stdout.split()[-1]) if uid.returncode == 0 and uid.stdout.split() else 0


def body_local(account, uid):
    data = os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share"))
    db = sqlite3.connect(f"file:{os.path.join(data, 'heron', account, 'cache.db')}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT m.body_local FROM messages m JOIN folders f ON f.id = m.folder_id"
                         " WHERE f.name = 'INBOX' AND m.uid = ?", (uid,)).fetchone()
    finally:
        db.close()
    return row is not None and row[0] == 1


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
    done = subprocess.run([CLI, "account", "add", "--email", env["HERON_TEST_USER"], "--user",
                           env["HERON_TEST_USER"], "--imap-host", env["HERON_TEST_HOST"],
                           "--imap-port", env["HERON_TEST_IMAP_PORT"], "--imap-security", "starttls",
                           "--smtp-host", env["HERON_TEST_HOST"], "--smtp-port", "587",
                           "--smtp-security", "starttls", "--pinned-certificate",
                           env["HERON_TEST_CA_FILE"], "--password-stdin"],
                          input=env["HERON_TEST_PASSWORD"] + "\n", capture_output=True, text=True,
                          timeout=60)
    check(done.returncode == 0, f"account add (stderr: {done.stderr.strip()})")
    account = done.stdout.strip()

    recent = email.utils.format_datetime(email.utils.localtime().replace(microsecond=0))
    old = "Thu, 14 Nov 2024 09:30:00 +0000"
    new_uid = save(env, "recent news", recent, "Fresh words for the prefetch.")
    old_uid = save(env, "old news", old, "Stale words nobody prefetches.")

    # sync without bodies: summaries only
    done = cli("sync")
    check(done.returncode == 0, f"sync (stderr: {done.stderr.strip()[-300:]})")
    check(not body_local(account, old_uid), "after sync the old body is not local")

    # show fetches the body and renders it like render
    done = cli("show", "INBOX", str(old_uid), "--json")
    shown = json.loads(done.stdout) if done.returncode == 0 else {}
    check(done.returncode == 0 and shown.get("subject") == "old news",
          f"show --json renders the message ({done.returncode}: {done.stderr.strip()})")
    check("Stale words nobody prefetches." in shown.get("body", ""), "the body is the message's text")
    check(body_local(account, old_uid), "show kept the body in the cache")

    done = cli("show", "INBOX", str(old_uid))
    check(done.returncode == 0 and "Subject: old news" in done.stdout and "Stale words" in done.stdout,
          "show prints the headers and the body")
    done = cli("show", account, "INBOX", str(old_uid))
    check(done.returncode == 0 and "Subject: old news" in done.stdout, "show ACCOUNT FOLDER UID works too")

    # --raw: the server's bytes
    done = cli("show", "INBOX", str(old_uid), "--raw", text=False)
    server_text = doveadm(env, "fetch", "-u", env["HERON_TEST_USER"], "text", "mailbox", "INBOX",
                          "uid", str(old_uid)).stdout
    server_text = server_text.split("\n", 1)[1] if server_text.startswith("text:") else server_text
    check(done.returncode == 0 and
          done.stdout.replace(b"\r\n", b"\n").strip() == server_text.encode().strip(),
          "show --raw prints the message's source")

    # a seeded message never fetched: show fetches it too
    done = cli("show", "INBOX", "1", "--json")
    check(done.returncode == 0 and json.loads(done.stdout).get("subject"), "show of a seeded message")

    # sync --bodies: what is inside the prefetch window (30 days) is fetched, the rest is not
    another = save(env, "another old one", old, "Also stale.")
    done = cli("sync", "--bodies")
    check(done.returncode == 0, f"sync --bodies ({done.stderr.strip()[-300:]})")
    check(body_local(account, new_uid), "sync --bodies fetched the recent body")
    check(not body_local(account, another), "sync --bodies left the old one")

    # errors
    doveadm(env, "expunge", "-u", env["HERON_TEST_USER"], "mailbox", "INBOX", "uid", str(another))
    for args, code, what in [
        (["show", "INBOX"], 2, "show without a UID"),
        (["show", "INBOX", "abc"], 2, "show with a bad UID"),
        (["show", "INBOX", "1", "--raw", "--json"], 2, "--raw with --json"),
        (["show", "NoSuchFolder", "1"], 3, "show in an unknown folder"),
        (["show", "INBOX", "999999"], 3, "show of a UID the cache lacks"),
        (["show", "INBOX", str(another)], 3, "show of a message expunged behind the cache's back"),
    ]:
        done = cli(*args)
        check(done.returncode == code and done.stderr.startswith("heron-cli: "),
              f"{what}: exit {code} with a message ({done.returncode}: {done.stderr.strip()})")


with tempfile.TemporaryDirectory() as work:
    try:
        main(work)
    except Exception as error:  # a crash is a failure, not a silent skip
        check(False, f"the test ran to the end ({error!r})")
print(f"1..{count}")
sys.exit(1 if failures else 0)
