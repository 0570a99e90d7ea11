"""heron-cli pending|retry|discard against the harness's real Dovecot and Postfix (run inside
tests/harness/heron-test-session: private XDG directories and an unlocked keyring, where the
account's passwords are kept).

A move into a folder deleted behind the client's back (doveadm) is refused: pending lists it as
failed; discard removes it and the cache is back in step with the server. Another such move is
retried once the folder exists again and reaches the server. A flag change made while the IMAP
server cannot be reached is listed as pending; retry fails while it still cannot, and succeeds
once it can. Messages queued (send --queue) while the SMTP server refuses the password or cannot
be reached stay in the outbox, are listed by pending, and retry sends each exactly once after the
server is fixed (deliveries counted with doveadm). A refused message is discarded. Unknown
numbers, Message-IDs and accounts are errors with their exit codes.
Usage: test-cli-pending.py HERON_CLI HERON_TEST_SERVER"""
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

CLI, SERVER = sys.argv[1], sys.argv[2]
SEEDED = 6
failures = 0
count = 0


def check(condition, what):
    global failures, count
    count += 1
    what = " | ".join(str(what).splitlines())
    print(f"{'ok' if condition else 'not ok'} {count} - {what}", flush=True)
    if not condition:
        failures += 1


def cli(*args, stdin=None, timeout=180):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=timeout)


def cli_json(*args):
    done = cli(*args, "--json")
    try:
        return done, json.loads(done.stdout)
    except ValueError:
        return done, None


def start_server(work):
    env_file = os.path.join(work, "env")
    log = open(os.path.join(work, "server.log"), "w+", encoding="utf-8")
    server = subprocess.Popen([SERVER, "--env-file", env_file, "--keep-going",
                               "--count", str(SEEDED), "--folder", "INBOX"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True)
    if server.stdout.readline().strip() != "ready":
        server.kill()
        log.seek(0)
        raise RuntimeError("heron-test-server did not start: " + log.read())
    env = {}
    with open(env_file, encoding="utf-8") as f:
        for text in f:
            if "=" in text and not text.startswith("#"):
                name, value = text.rstrip("\n").split("=", 1)
                env[name] = shlex.split(value)[0] if value else ""
    return server, env


def doveadm(env, *args):
    return subprocess.run(["doveadm", "-c", env["HERON_TEST_DOVECOT_CONFIG"], *args],
                          capture_output=True, text=True, timeout=30)


def server_uids(env, mailbox):
    done = doveadm(env, "-f", "tab", "fetch", "-u", env["HERON_TEST_USER"], "uid", "mailbox", mailbox)
    return sorted(int(line) for line in done.stdout.splitlines()[1:] if line.strip())


def server_flags(env, mailbox, uid):
    done = doveadm(env, "-f", "tab", "fetch", "-u", env["HERON_TEST_USER"], "flags", "mailbox", mailbox,
                   "uid", str(uid))
    return done.stdout.splitlines()[1] if len(done.stdout.splitlines()) > 1 else ""


def server_mailboxes(env):
    return set(doveadm(env, "mailbox", "list", "-u", env["HERON_TEST_USER"]).stdout.splitlines())


def deliveries(env, mailbox, message_id):
    done = doveadm(env, "search", "-u", env["HERON_TEST_USER"], "mailbox", mailbox, "header", "Message-ID",
                   f"<{message_id}>")
    return len([line for line in done.stdout.splitlines() if line.strip()])


def cached_uids(folder):
    done = cli("list", folder, "--limit", "1000", "--json")
    return sorted(m["uid"] for m in json.loads(done.stdout)["messages"]) if done.returncode == 0 else None


def cached_folders():
    done = cli("folders", "--json")
    return {f["name"] for f in json.loads(done.stdout)["folders"]} if done.returncode == 0 else set()


def store_password(env, account, protocol, password):
    subprocess.run(["secret-tool", "store", "--label", "x", "xdg:schema", "io.github.heronmail.Heron.Secret",
                    "account", account, "protocol", protocol, "host", env["HERON_TEST_HOST"],
                    "user", env["HERON_TEST_USER"]], input=password, text=True, timeout=30, check=True)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_port(account, group, port):
    """Points the account's IMAP or SMTP server at another port (a closed one: the server is
    "stopped" as far as Heron can tell), by editing its account file."""
    path = os.path.join(os.environ.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config")),
                        "heron", "accounts", f"{account}.conf")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    sections = re.split(r"(?m)^(?=\[)", text)
    for i, section in enumerate(sections):
        if section.startswith(f"[{group}]"):
            sections[i] = re.sub(r"(?m)^Port=.*$", f"Port={port}", section)
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(sections))


def operations(account):
    done, result = cli_json("pending", account)
    return (result or {}).get("operations", []) if done.returncode == 0 else None


def outbox_entries(account):
    done, result = cli_json("pending", account)
    return (result or {}).get("outbox", []) if done.returncode == 0 else None


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
    user = env["HERON_TEST_USER"]
    done = cli("account", "add", "--name", "Alice Tester", "--email", user, "--user", user,
               "--imap-host", env["HERON_TEST_HOST"], "--imap-port", env["HERON_TEST_IMAP_PORT"],
               "--imap-security", "starttls", "--smtp-host", env["HERON_TEST_HOST"],
               "--smtp-port", env["HERON_TEST_SMTP_PORT"], "--smtp-security", "starttls",
               "--pinned-certificate", env["HERON_TEST_CA_FILE"], "--password-stdin",
               stdin=env["HERON_TEST_PASSWORD"] + "\n")
    check(done.returncode == 0, f"account add ({done.stderr.strip()})")
    account = done.stdout.strip()

    done, result = cli_json("pending", account)
    check(done.returncode == 0 and result == {"operations": [], "outbox": []},
          f"pending before the first sync: nothing ({done.returncode}: {done.stdout.strip()})")
    check(doveadm(env, "mailbox", "create", "-u", user, "Doomed").returncode == 0, "doveadm creates Doomed")
    done = cli("sync", account)
    check(done.returncode == 0, f"sync ({done.stderr.strip()[-300:]})")
    inbox = server_uids(env, "INBOX")
    check(len(inbox) == SEEDED and "Doomed" in cached_folders(), f"the cache has INBOX ({len(inbox)}) and Doomed")
    done = cli("pending", account)
    check(done.returncode == 0 and "Nothing is waiting" in done.stdout, f"pending says nothing waits ({done.stdout.strip()})")

    # A move into a folder deleted behind the client's back: refused, listed as failed
    check(doveadm(env, "mailbox", "delete", "-u", user, "Doomed").returncode == 0, "doveadm deletes Doomed")
    done = cli("move", "INBOX", str(inbox[0]), "Doomed", account)
    check(done.returncode == 1 and "refused" in done.stderr, f"the move is refused ({done.returncode}: {done.stderr.strip()})")
    ops = operations(account)
    op = ops[0] if ops else {}
    check(len(ops or []) == 1 and op.get("kind") == "move" and op.get("folder") == "INBOX"
          and op.get("destination") == "Doomed" and op.get("messages") == 1 and op.get("state") == "failed"
          and op.get("attempts", 0) >= 1 and op.get("error") and op.get("age-seconds", -1) >= 0
          and op.get("created"),
          f"pending lists the move as failed with the server's words ({ops})")
    seq = op.get("seq", 0)
    done = cli("pending", account)
    check(done.returncode == 0 and re.search(rf"(?m)^{seq}\tfailed\tmove\tINBOX → Doomed\t1 message\t", done.stdout)
          and "Last error:" in done.stdout, f"pending prints it as a line ({done.stdout.strip()})")
    check(inbox[0] not in (cached_uids("INBOX") or []), "the cache still shows the refused move")

    done, result = cli_json("discard", account, str(seq))
    check(done.returncode == 0 and result and result.get("discarded") is True and result.get("resynced") is True,
          f"discard removes it and syncs again ({done.returncode}: {done.stdout.strip()} {done.stderr.strip()})")
    check(operations(account) == [], "pending is empty after the discard")
    check(cached_uids("INBOX") == server_uids(env, "INBOX") == inbox, "the cache's INBOX is the server's again")
    check("Doomed" not in cached_folders(), "the deleted folder left the cache")
    done = cli("sync", account)
    check(done.returncode == 0 and cached_uids("INBOX") == server_uids(env, "INBOX")
          and "Doomed" not in cached_folders(), "still in step after a sync")
    done = cli("discard", account, str(seq))
    check(done.returncode == 3, f"discarding it again: exit 3 ({done.stderr.strip()})")

    # Refused, then retried once the folder exists again: it reaches the server
    check(doveadm(env, "mailbox", "create", "-u", user, "Later").returncode == 0, "doveadm creates Later")
    cli("sync", account)
    doveadm(env, "mailbox", "delete", "-u", user, "Later")
    done = cli("move", "INBOX", str(inbox[1]), "Later", account)
    ops = operations(account) or []
    check(done.returncode == 1 and len(ops) == 1 and ops[0]["state"] == "failed", f"a second refused move ({ops})")
    seq = ops[0]["seq"] if ops else 0
    done = cli("retry", account, str(seq))
    check(done.returncode == 1 and "again" in done.stderr, f"retry while the folder is still gone: exit 1 ({done.stderr.strip()})")
    ops = operations(account) or []
    check(len(ops) == 1 and ops[0]["state"] == "failed" and "Later" in (ops[0]["error"] or ""),
          f"it stays failed with the server's new words ({ops})")
    doveadm(env, "mailbox", "create", "-u", user, "Later")
    done, result = cli_json("retry", account, str(seq))
    check(done.returncode == 0 and result and result.get("on-server") is True,
          f"retry after the folder is back: exit 0 ({done.returncode}: {done.stdout.strip()} {done.stderr.strip()})")
    check(len(server_uids(env, "Later")) == 1 and inbox[1] not in server_uids(env, "INBOX"),
          "the message moved on the server, once")
    check(operations(account) == [], "pending is empty after the retry")

    # Made while the IMAP server cannot be reached: pending
    set_port(account, "IMAP", closed_port())
    done = cli("flag", "INBOX", str(inbox[2]), "+\\Flagged", account)
    check(done.returncode == 0, f"a flag change offline is journaled ({done.stderr.strip()})")
    ops = operations(account) or []
    check(len(ops) == 1 and ops[0]["kind"] == "add-flags" and ops[0]["state"] == "pending"
          and ops[0]["folder"] == "INBOX" and ops[0]["messages"] == 1 and ops[0]["error"] is None,
          f"pending lists it as pending ({ops})")
    seq = ops[0]["seq"] if ops else 0
    done = cli("retry", account, str(seq), "--timeout", "60")
    check(done.returncode == 1 and "stays in the journal" in done.stderr,
          f"retry while the server cannot be reached: exit 1 ({done.stderr.strip()})")
    check("Flagged" not in server_flags(env, "INBOX", inbox[2]), "the server does not have the flag yet")
    set_port(account, "IMAP", env["HERON_TEST_IMAP_PORT"])
    done = cli("retry", account, str(seq))
    check(done.returncode == 0 and "reached the server" in done.stdout,
          f"retry once the server is back: exit 0 ({done.stdout.strip()} {done.stderr.strip()})")
    check("\\Flagged" in server_flags(env, "INBOX", inbox[2]), "the flag is on the server")
    check(operations(account) == [], "pending is empty again")

    # The outbox: a password the SMTP server refuses
    store_password(env, account, "smtp", "not-the-password")
    done = cli("send", "--queue", "--account", account, "--to", user, "--subject", "Wrong password first",
               "--json", stdin="x\n")
    sent = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    message_id = sent.get("message-id", "")
    check(done.returncode == 1 and sent.get("state") == "failed" and message_id,
          f"send --queue with a refused password: exit 1, failed ({done.stdout.strip()})")
    entries = outbox_entries(account) or []
    check(len(entries) == 1 and entries[0]["message-id"] == message_id and entries[0]["state"] == "failed"
          and "535" in (entries[0]["error"] or "") and entries[0]["recipients"] == [user]
          and entries[0]["subject"] == "Wrong password first",
          f"pending lists the message as failed ({entries})")
    done = cli("pending", account)
    check(f"<{message_id}>\tfailed\tsend\tWrong password first" in done.stdout,
          f"pending prints the message ({done.stdout.strip()})")
    done = cli("retry", account, f"<{message_id}>")
    check(done.returncode == 1 and "535" in done.stderr, f"retry with the password still wrong: exit 1 ({done.stderr.strip()})")
    check(deliveries(env, "INBOX", message_id) == 0, "nothing was delivered")
    store_password(env, account, "smtp", env["HERON_TEST_PASSWORD"])
    done, result = cli_json("retry", account, message_id)
    check(done.returncode == 0 and result and result.get("state") == "sent",
          f"retry after the password is fixed: sent ({done.stdout.strip()} {done.stderr.strip()})")
    delivered = 0
    for _ in range(100):
        delivered = deliveries(env, "INBOX", message_id)
        if delivered:
            break
        time.sleep(0.1)
    time.sleep(1)
    check(deliveries(env, "INBOX", message_id) == 1, f"delivered exactly once ({delivered})")
    check(deliveries(env, "Sent", message_id) == 1, "its copy is in Sent once")
    check(outbox_entries(account) == [] and json.loads(cli("outbox", account, "--json").stdout) == [],
          "the outbox is empty")
    done = cli("retry", account, message_id)
    check(done.returncode == 3, f"retrying it again: exit 3, not sent twice ({done.stderr.strip()})")
    check(deliveries(env, "INBOX", message_id) == 1, "still delivered once")

    # The outbox: the SMTP server cannot be reached (a temporary failure)
    set_port(account, "SMTP", closed_port())
    done = cli("send", "--queue", "--account", account, "--to", user, "--subject", "Server stopped",
               "--json", stdin="y\n")
    sent = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    stopped_id = sent.get("message-id", "")
    check(done.returncode == 1 and sent.get("state") == "queued" and stopped_id,
          f"send --queue with SMTP unreachable: exit 1, queued ({done.stdout.strip()})")
    listed = json.loads(cli("outbox", account, "--json").stdout or "[]")
    check(len(listed) == 1 and listed[0]["state"] == "queued" and listed[0]["error"], f"the outbox keeps it ({listed})")
    entries = outbox_entries(account) or []
    check(len(entries) == 1 and entries[0]["message-id"] == stopped_id and entries[0]["state"] == "queued"
          and entries[0]["attempts"] == 1, f"pending lists it as queued after a failure ({entries})")
    set_port(account, "SMTP", env["HERON_TEST_SMTP_PORT"])
    done = cli("retry", account, stopped_id)
    check(done.returncode == 0 and stopped_id in done.stdout,
          f"retry once the server is back: exit 0 ({done.stdout.strip()} {done.stderr.strip()})")
    for _ in range(100):
        if deliveries(env, "INBOX", stopped_id):
            break
        time.sleep(0.1)
    time.sleep(1)
    check(deliveries(env, "INBOX", stopped_id) == 1, "delivered exactly once")
    check(outbox_entries(account) == [], "nothing is left in the outbox")

    # A refused recipient: discarded
    done = cli("send", "--queue", "--account", account, "--to", "someone@elsewhere.example",
               "--subject", "Refused", "--json", stdin="z\n")
    refused_id = (json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}).get("message-id", "")
    entries = outbox_entries(account) or []
    check(done.returncode == 1 and len(entries) == 1 and "Relay access denied" in (entries[0]["error"] or ""),
          f"a refused recipient stays as failed ({entries})")
    done = cli("discard", account, refused_id)
    check(done.returncode == 0 and "Discarded" in done.stdout, f"discard of the message ({done.stdout.strip()} {done.stderr.strip()})")
    check(outbox_entries(account) == [] and json.loads(cli("outbox", account, "--json").stdout) == [],
          "it left the outbox")
    check(deliveries(env, "INBOX", refused_id) == 0, "and was not sent")

    # errors
    for args, code, what in [
        (["retry", account, "99999"], 3, "retry of an unknown number"),
        (["discard", account, "99999"], 3, "discard of an unknown number"),
        (["retry", account, "<nobody@example.invalid>"], 3, "retry of an unknown Message-ID"),
        (["discard", account, "nobody@example.invalid"], 3, "discard of an unknown Message-ID"),
        (["retry", account, "not-a-number"], 2, "retry of something that is neither"),
        (["retry", account], 2, "retry without what to retry"),
        (["discard", "1"], 2, "discard without the account"),
        (["retry", account, "1", "extra"], 2, "retry with an extra argument"),
        (["retry", account, "1", "--timeout", "0"], 2, "retry with a zero timeout"),
        (["retry", "no-such-account", "1"], 3, "retry on an unknown account"),
        (["pending", "no-such-account"], 3, "pending of an unknown account"),
        (["pending", account, "extra"], 2, "pending with an extra argument"),
    ]:
        done = cli(*args)
        check(done.returncode == code and done.stderr.startswith("heron-cli: "),
              f"{what}: exit {code} with a message ({done.returncode}: {done.stderr.strip()})")
    done, result = cli_json("discard", account, "99999")
    check(done.returncode == 3 and result and result.get("exit-code") == 3, f"errors as JSON too ({done.stdout.strip()})")


with tempfile.TemporaryDirectory() as work:
    try:
        main(work)
    except Exception as error:  # a crash is a failure, not a silent skip
        check(False, f"the test ran to the end ({error!r})")
print(f"1..{count}")
sys.exit(1 if failures else 0)
