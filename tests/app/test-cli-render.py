"""heron-cli render on the MIME corpus (tests/backend/mime/corpus): every file's JSON model must
match its defined result in corpus/expected.ini (subject, sender, the suspicious mark, body kind,
text excerpts, attachments, flags); the text output shows the same; an unreadable file exits 1
with a clear message. Prints TAP."""
import configparser
import json
import os
import subprocess
import sys

CLI = sys.argv[1]
CORPUS = sys.argv[2]
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


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60)


def unescape(value):
    return value.replace("\\n", "\n").replace("\\t", "\t")


expected = configparser.ConfigParser(interpolation=None, delimiters=("=",), comment_prefixes=("#",),
                                     strict=True)
expected.optionxform = str
expected.read(os.path.join(CORPUS, "expected.ini"), encoding="utf-8")
check(len(expected.sections()) >= 30, f"expected.ini has the corpus ({len(expected.sections())} files)")

for name in expected.sections():
    want = expected[name]
    path = os.path.join(CORPUS, name)
    done = cli("render", path, "--json")
    if done.returncode != 0:
        check(False, f"{name}: render --json exits 0 (stderr: {done.stderr.strip()})")
        continue
    model = json.loads(done.stdout)
    if "subject" in want:
        check(model["subject"] == want["subject"], f"{name}: subject {model['subject']!r}")
    if "sender" in want:
        check(model["from"] == want["sender"], f"{name}: sender {model['from']!r}")
    if "suspicious" in want:
        check(model["suspicious"] == (want["suspicious"] == "true"),
              f"{name}: suspicious is {model['suspicious']}")
    if "body-plain" in want:
        check(model["body-kind"] == want["body-plain"], f"{name}: body kind {model['body-kind']}")
    for excerpt in filter(None, want.get("text", "").split(";")):
        excerpt = unescape(excerpt)
        check(excerpt in model["body"], f"{name}: the body holds {excerpt!r}")
    for excerpt in filter(None, want.get("text-absent", "").split(";")):
        excerpt = unescape(excerpt)
        check(excerpt not in model["body"], f"{name}: the body does not hold {excerpt!r}")
    if "attachments" in want:
        got = []
        for a in model["attachments"]:
            marks = []
            if a["inline"]:
                marks.append("inline")
            if a["kind"] in ("message", "encrypted"):
                marks.append(a["kind"])
            got.append(f"{a['name']}|{a['type']}|{a['size']}|{','.join(marks)}")
        check(";".join(got) == want["attachments"], f"{name}: attachments {';'.join(got)!r}")
    if "flags" in want:
        check(",".join(model["flags"]) == want["flags"], f"{name}: flags {model['flags']}")

# the text output: the suspicious sender with its real addresses, marked
done = cli("render", os.path.join(CORPUS, "mailsploit-two-mailboxes.eml"))
check(done.returncode == 0, "render (text) exits 0")
check("From: Bank <support@bank.example>, Mallory <m@evil.example> (suspicious)\n" in done.stdout,
      "the text output shows the real addresses and “suspicious”")
done = cli("render", os.path.join(CORPUS, "plain-sender.eml"))
check("(suspicious)" not in done.stdout, "an ordinary sender is not marked")

# the text output lists attachments with type, size and inline
done = cli("render", os.path.join(CORPUS, "apple-inline-images.eml"))
check("Attachment: beach.png (image/png, 72 bytes, inline)\n" in done.stdout,
      "the text output lists the attachment")
check(done.stdout.rstrip().endswith("Zoe"), "the text output ends with the body")

# --html prints the HTML body as it is
done = cli("render", os.path.join(CORPUS, "apple-inline-images.eml"), "--html", "--json")
model = json.loads(done.stdout) if done.returncode == 0 else {}
check(model.get("body-kind") == "html" and '<img src="cid:4F1A2B3C-beach@corpus.example"' in model.get("body", ""),
      "--html gives the HTML body")

# an unreadable file: exit 1 and a message naming it
done = cli("render", os.path.join(CORPUS, "does-not-exist.eml"))
check(done.returncode == 1, f"a missing file exits 1 (got {done.returncode})")
check("does-not-exist.eml" in done.stderr and "Could not read" in done.stderr,
      f"the message names the file ({done.stderr.strip()!r})")
done = cli("render", os.path.join(CORPUS, "does-not-exist.eml"), "--json")
check(done.returncode == 1 and "error" in json.loads(done.stdout or "{}"), "with --json the error is JSON")
done = cli("render")
check(done.returncode == 2, "no file is a usage error (exit 2)")

print(f"1..{count}")
sys.exit(1 if failures else 0)
