"""heron-cli account add|list|remove against a real gnome-keyring (run inside
tests/harness/heron-test-session, which gives this process private XDG directories and an
unlocked keyring). Every check asserts what a person or a script relies on: ids, JSON, exit codes,
the password in the keyring and never in the file, and clear errors."""
import glob
import json
import os
import subprocess
import sys

CLI = sys.argv[1]
CONFIG = os.environ["XDG_CONFIG_HOME"]
failures = 0
count = 0


def check(condition, what):
    global failures, count
    count += 1
    if condition:
        print(f"ok {count} - {what}")
    else:
        failures += 1
        print(f"not ok {count} - {what}")


def cli(*args, stdin=None):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=60)


def secret(account, protocol, host, user):
    done = subprocess.run(["secret-tool", "lookup", "xdg:schema", "io.github.heronmail.Heron.Secret",
                           "account", account, "protocol", protocol, "host", host, "user", user],
                          capture_output=True, text=True, timeout=30)
    return done.stdout if done.returncode == 0 else None


PASSWORD = "p\u00e4ss w\u00f6rd \"quoted\" 🔑"
ADD = ["account", "add", "--name", "Ålice Example", "--email", "alice@example.test",
       "--imap-host", "imap.example.test", "--smtp-host", "smtp.example.test",
       "--smtp-port", "587", "--smtp-security", "starttls", "--password-stdin"]

# add: prints the id; the password goes to the keyring for both servers, never to the file
done = cli(*ADD, stdin=PASSWORD + "\n")
check(done.returncode == 0, f"add succeeds (stderr: {done.stderr.strip()})")
account_id = done.stdout.strip()
check(account_id == "alice-example-test", f"the id comes from the address ({account_id!r})")
files = glob.glob(os.path.join(CONFIG, "heron", "accounts", "*.conf"))
check(len(files) == 1, "one account file")
text = open(files[0], encoding="utf-8").read() if files else ""
check(PASSWORD not in text and "päss" not in text, "the file holds no password")
check(oct(os.stat(files[0]).st_mode & 0o777) == "0o600" if files else False, "the file is private (0600)")
check(secret(account_id, "imap", "imap.example.test", "alice@example.test") == PASSWORD,
      "the IMAP password is in the keyring, without the newline")
check(secret(account_id, "smtp", "smtp.example.test", "alice@example.test") == PASSWORD,
      "the SMTP password is in the keyring")

# a second account with the same address gets its own id
done = cli(*ADD, "--json", stdin=PASSWORD)
second = json.loads(done.stdout)["id"] if done.returncode == 0 else None
check(second == "alice-example-test-2", f"a second account gets a new id ({second!r})")

# list: text and JSON, with the defaults filled in
done = cli("account", "list", "--json")
listed = json.loads(done.stdout)
check(done.returncode == 0 and sorted(a["id"] for a in listed["accounts"]) == sorted([account_id, second]),
      "list --json shows both accounts")
first = next(a for a in listed["accounts"] if a["id"] == account_id)
check(first["imap"] == {"host": "imap.example.test", "port": 993, "security": "tls",
                        "user": "alice@example.test"}, "IMAP defaults: implicit TLS on 993")
check(first["smtp"]["port"] == 587 and first["smtp"]["security"] == "starttls", "SMTP as given")
check(first["name"] == "Ålice Example", "non-ASCII names survive")
done = cli("account", "list")
check(done.stdout.count("\n") == 2 and account_id in done.stdout, "list prints one line an account")

# a broken file is reported with its line, and the others still list
with open(os.path.join(CONFIG, "heron", "accounts", "broken.conf"), "w", encoding="utf-8") as broken:
    broken.write("[Identity]\nAddress=b@example.test\n[IMAP]\nHost=imap.example.test\nPort=abc\n[SMTP]\nHost=s\n")
done = cli("account", "list", "--json")
listed = json.loads(done.stdout)
check(done.returncode == 0 and len(listed["accounts"]) == 2, "a broken file does not hide the others")
check(any("broken.conf line 5" in e for e in listed["errors"]), f"the error names file and line ({listed['errors']})")
os.unlink(os.path.join(CONFIG, "heron", "accounts", "broken.conf"))

# bad arguments: exit code 2 and a message that says what is wrong
for args, expected in [
    (["account", "add", "--email", "a@example.test", "--smtp-host", "s.example.test"], "--imap-host is required"),
    (["account", "add", "--email", "a@example.test", "--imap-host", "i.example.test", "--smtp-host",
      "s.example.test", "--imap-security", "bogus"], "tls, starttls or none"),
    (["account", "add", "--email", "a@example.test", "--imap-host", "i.example.test", "--smtp-host",
      "s.example.test", "--imap-security", "none"], "only allowed for a server on this computer"),
    (["account", "add", "--imap-host", "i"], "--email is required"),
    (["account", "frobnicate"], "add, list or remove"),
    (["frobnicate"], "not a heron-cli command"),
]:
    done = cli(*args)
    check(done.returncode == 2 and expected in done.stderr, f"{' '.join(args[:3])}…: exit 2, “{expected}”")
done = cli(*ADD, stdin="")
check(done.returncode == 2 and "empty" in done.stderr, "an empty password on stdin is refused")
check(len(glob.glob(os.path.join(CONFIG, "heron", "accounts", "*.conf"))) == 2,
      "a refused add leaves no account behind")

# remove: file and secrets go; an unknown id is exit 3
done = cli("account", "remove", "nope")
check(done.returncode == 3 and "no account" in done.stderr, "removing an unknown account: exit 3")
done = cli("account", "remove", account_id, "--json")
check(done.returncode == 0 and json.loads(done.stdout) == {"removed": account_id}, "remove succeeds")
check(secret(account_id, "imap", "imap.example.test", "alice@example.test") is None, "its IMAP secret is gone")
check(secret(account_id, "smtp", "smtp.example.test", "alice@example.test") is None, "its SMTP secret is gone")
check(secret(second, "imap", "imap.example.test", "alice@example.test") == PASSWORD,
      "the other account keeps its secret")
done = cli("account", "list", "--json")
check([a["id"] for a in json.loads(done.stdout)["accounts"]] == [second], "only the other account is left")

print(f"1..{count}")
sys.exit(1 if failures else 0)
