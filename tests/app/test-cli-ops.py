"""heron-cli move|copy|delete|mkdir|rename|rmdir against the harness's real Dovecot (run inside
tests/harness/heron-test-session: private XDG directories and an unlocked keyring, where the
account's password is kept). Usage: test-cli-ops.py HERON_CLI HERON_TEST_SERVER"""
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile

CLI, SERVER = sys.argv[1], sys.argv[2]
SEEDED = 12
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


def server_uids(env, mailbox):
    done = doveadm(env, "-f", "tab", "fetch", "-u", env["HERON_TEST_USER"], "uid", "mailbox", mailbox)
    return [int(line) for line in done.stdout.splitlines()[1:] if line.strip()]


def server_message_ids(env, mailbox):
    done = doveadm(env, "-f", "tab", "fetch", "-u", env["HERON_TEST_USER"], "hdr.message-id", "mailbox", mailbox)
    return [line.strip() for line in done.stdout.splitlines()[1:] if line.strip()]


def server_mailboxes(env):
    return set(doveadm(env, "mailbox", "list", "-u", env["HERON_TEST_USER"]).stdout.splitlines())


def listed(folder):
    done = cli("list", folder, "--limit", "1000", "--json")
    return json.loads(done.stdout)["messages"] if done.returncode == 0 else []


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
    done = cli("account", "add", "--email", user, "--user", user,
               "--imap-host", env["HERON_TEST_HOST"], "--imap-port", env["HERON_TEST_IMAP_PORT"],
               "--imap-security", "starttls", "--smtp-host", env["HERON_TEST_HOST"],
               "--smtp-port", env["HERON_TEST_SMTP_PORT"], "--smtp-security", "starttls",
               "--pinned-certificate", env["HERON_TEST_CA_FILE"], "--password-stdin",
               stdin=env["HERON_TEST_PASSWORD"] + "\n")
    check(done.returncode == 0, f"account add (stderr: {done.stderr.strip()})")
    account = done.stdout.strip()
    done = cli("sync")
    check(done.returncode == 0, f"sync (stderr: {done.stderr.strip()[-300:]})")

    inbox = server_uids(env, "INBOX")
    check(len(inbox) == SEEDED, f"the server has {SEEDED} messages in INBOX ({len(inbox)})")

    # move: two messages to Archive, numbered by the server
    moved = inbox[:2]
    done = cli("move", "INBOX", f"{moved[0]},{moved[1]}", "Archive", "--json")
    result = json.loads(done.stdout) if done.returncode == 0 else {}
    check(done.returncode == 0 and result.get("on-server") is True,
          f"move reaches the server ({done.returncode}: {done.stderr.strip()})")
    archive = server_uids(env, "Archive")
    check(sorted(result.get("new-uids", [])) == sorted(archive) and len(archive) == 2,
          f"move reports the server's new UIDs ({result.get('new-uids')} vs {archive})")
    check(not set(moved) & set(server_uids(env, "INBOX")), "the moved messages left INBOX on the server")
    check(sorted(m["uid"] for m in listed("Archive")) == sorted(archive), "the cache's Archive equals the server's")

    # copy: one message, in both folders then
    done = cli("copy", "INBOX", str(inbox[2]), "Archive")
    check(done.returncode == 0 and "on the server" in done.stdout,
          f"copy says it is on the server ({done.stdout.strip()})")
    check(inbox[2] in server_uids(env, "INBOX") and len(server_uids(env, "Archive")) == 3,
          "the copy is in Archive, the original in INBOX")

    # delete: to the Trash; in the Trash, or with --expunge, for good
    done = cli("delete", "INBOX", str(inbox[3]), "--json")
    result = json.loads(done.stdout) if done.returncode == 0 else {}
    trash = server_uids(env, "Trash")
    check(done.returncode == 0 and result.get("destination") == "Trash" and len(trash) == 1,
          f"delete moves to the Trash ({done.returncode}: {result}, Trash {trash})")
    done = cli("delete", "Trash", str(trash[0]) if trash else "1")
    check(done.returncode == 0 and server_uids(env, "Trash") == [], "delete in the Trash removes for good")
    done = cli("delete", "INBOX", str(inbox[4]), "--expunge", account)
    check(done.returncode == 0 and inbox[4] not in server_uids(env, "INBOX") and server_uids(env, "Trash") == [],
          "delete --expunge removes for good, ACCOUNT named")

    # folders
    done = cli("mkdir", "Projects", "--json")
    result = json.loads(done.stdout) if done.returncode == 0 else {}
    check(done.returncode == 0 and result.get("on-server") is True and "Projects" in server_mailboxes(env),
          f"mkdir creates the folder on the server ({done.stderr.strip()})")
    done = cli("mkdir", "Projects/Heron")
    check(done.returncode == 0 and "Projects/Heron" in server_mailboxes(env), "mkdir of a child")
    done = cli("rename", "Projects", "Work")
    boxes = server_mailboxes(env)
    check(done.returncode == 0 and {"Work", "Work/Heron"} <= boxes and "Projects" not in boxes,
          f"rename moves the folder and its child ({sorted(boxes)})")
    folders = {f["name"] for f in json.loads(cli("folders", "--json").stdout)["folders"]}
    check({"Work", "Work/Heron"} <= folders and "Projects" not in folders, "the cache's folder list follows")
    done = cli("rmdir", "Work/Heron")
    check(done.returncode == 0 and "Work/Heron" not in server_mailboxes(env), "rmdir deletes it on the server")
    done = cli("mkdir", "Brouillons été")
    check(done.returncode == 0 and "Brouillons été" in server_mailboxes(env), "mkdir with a non-ASCII name")

    # errors
    for args, code, what in [
        (["move", "INBOX", "abc", "Archive"], 2, "move with bad UIDs"),
        (["move", "INBOX", str(inbox[5])], 2, "move without a destination"),
        (["move", "INBOX", str(inbox[5]), "NoSuchFolder"], 3, "move to an unknown folder"),
        (["copy", "NoSuchFolder", "1", "Archive"], 3, "copy from an unknown folder"),
        (["delete", "INBOX", "999999"], 3, "delete of an unknown UID"),
        (["move", "INBOX", str(inbox[5]), "INBOX"], 2, "move into the same folder"),
        (["mkdir", "Archive"], 1, "mkdir of a folder that exists"),
        (["rmdir", "NoSuchFolder"], 3, "rmdir of an unknown folder"),
        (["rename", "INBOX", "Other"], 2, "rename of INBOX"),
        (["rename", "Archive"], 2, "rename without a new name"),
        (["mkdir", "X", "no-such-account"], 3, "an unknown account"),
    ]:
        done = cli(*args)
        check(done.returncode == code and done.stderr.startswith("heron-cli: "),
              f"{what}: exit {code} with a message ({done.returncode}: {done.stderr.strip()})")
    done = cli("rmdir", "NoSuchFolder", "--json")
    check(done.returncode == 3 and json.loads(done.stdout).get("exit-code") == 3, "errors as JSON too")

    # without the server (a wrong password in the keyring): in the cache, journaled, exit 0
    subprocess.run(["secret-tool", "store", "--label", "x", "xdg:schema", "io.github.heronmail.Heron.Secret",
                    "account", account, "protocol", "imap", "host", env["HERON_TEST_HOST"],
                    "user", user], input="wrong", text=True, timeout=30)
    done = cli("move", "INBOX", str(inbox[5]), "Archive", "--json")
    result = json.loads(done.stdout) if done.returncode == 0 else {}
    check(done.returncode == 0 and result.get("on-server") is False and
          all(uid < 0 for uid in result.get("new-uids", [1])),
          f"move without the server: journaled, local UIDs, exit 0 ({done.returncode}: {result})")
    check(inbox[5] in server_uids(env, "INBOX"), "the server does not have it yet")
    check(inbox[5] not in [m["uid"] for m in listed("INBOX")], "the cache has it already")
    done = cli("mkdir", "Offline")
    check(done.returncode == 0 and "journaled" in done.stdout, f"mkdir without the server ({done.stdout.strip()})")

    # the right password again: the next run replays the journal first
    subprocess.run(["secret-tool", "store", "--label", "x", "xdg:schema", "io.github.heronmail.Heron.Secret",
                    "account", account, "protocol", "imap", "host", env["HERON_TEST_HOST"],
                    "user", user], input=env["HERON_TEST_PASSWORD"], text=True, timeout=30)
    done = cli("sync")
    check(done.returncode == 0, f"sync with the right password ({done.stderr.strip()[-200:]})")
    check(inbox[5] not in server_uids(env, "INBOX") and len(server_uids(env, "Archive")) == 4,
          "the journaled move reached the server")
    check("Offline" in server_mailboxes(env), "the journaled mkdir reached the server")
    ids = server_message_ids(env, "Archive")
    check(len(ids) == 4 and len(set(ids)) == 4, f"nothing applied twice in Archive ({ids})")


with tempfile.TemporaryDirectory() as work:
    try:
        main(work)
    except Exception as error:  # a crash is a failure, not a silent skip
        check(False, f"the test ran to the end ({error!r})")
print(f"1..{count}")
sys.exit(1 if failures else 0)
