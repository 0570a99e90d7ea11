"""heron-cli send against the harness's real Postfix and Dovecot, inside
tests/harness/heron-test-session (private XDG directories and an unlocked keyring holding the
account's password). Sends a composed message with a non-ASCII subject and attachment to alice and
to a recipient Postfix refuses, checks the per-recipient result, finds the message delivered and
renders it back with heron-cli render; then a wrong password and an unknown account. Then the
same through the account's outbox (send --queue): delivered once, filed in Sent; a refused
recipient and a wrong password leave the message in the outbox (heron-cli outbox) as failed.
Usage: test-cli-send.py HERON_CLI HERON_TEST_SERVER"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

CLI, SERVER = sys.argv[1], sys.argv[2]
failures = 0
count = 0


def check(condition, what):
    global failures, count
    count += 1
    what = " | ".join(str(what).splitlines())
    print(f"{'ok' if condition else 'not ok'} {count} - {what}", flush=True)
    if not condition:
        failures += 1


def cli(*args, stdin=None):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=120)


def start_server(work):
    env_file = os.path.join(work, "env")
    log = open(os.path.join(work, "server.log"), "w+", encoding="utf-8")
    server = subprocess.Popen([SERVER, "--env-file", env_file, "--keep-going"],
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


def add_account(env, password):
    done = cli("account", "add", "--name", "Alice Tester", "--email", env["HERON_TEST_USER"],
               "--imap-host", env["HERON_TEST_HOST"], "--imap-port", env["HERON_TEST_IMAP_PORT"],
               "--imap-security", "starttls",
               "--smtp-host", env["HERON_TEST_HOST"], "--smtp-port", env["HERON_TEST_SMTP_PORT"],
               "--smtp-security", "starttls", "--pinned-certificate", env["HERON_TEST_CA_FILE"],
               "--password-stdin", stdin=password)
    check(done.returncode == 0, f"account added ({done.stderr.strip()})")
    return done.stdout.strip()


def main(work):
    server, env = start_server(work)
    try:
        account = add_account(env, env["HERON_TEST_PASSWORD"])
        attachment = os.path.join(work, "Übersicht.txt")
        with open(attachment, "w", encoding="utf-8") as f:
            f.write("Zeile eins\nZeile zwei: äöü\n")

        subject = "Grüße aus dem Test — 日本語"
        done = cli("send", "--account", account, "--to", env["HERON_TEST_USER"],
                   "--to", "someone@elsewhere.example", "--subject", subject,
                   "--attach", attachment, "--json", stdin="Hallo Alice,\n.\nein Punkt am Zeilenanfang.\n")
        check(done.returncode == 0, f"send exits 0 when a recipient was accepted ({done.stderr.strip()})")
        result = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
        text = json.dumps(result)
        check(env["HERON_TEST_USER"] in text and "someone@elsewhere.example" in text,
              "the JSON result names both recipients")
        recipients = result.get("recipients", [])
        by_address = {r.get("address"): r for r in recipients}
        check(by_address.get(env["HERON_TEST_USER"], {}).get("accepted") is True, "alice was accepted")
        refused = by_address.get("someone@elsewhere.example", {})
        check(refused.get("accepted") is False and refused.get("code") == 554
              and "Relay access denied" in refused.get("reply", ""),
              f"the other domain was refused with the server's words ({refused})")
        message_id = result.get("message-id") or result.get("message_id")
        check(bool(message_id), f"the Message-ID is reported ({message_id})")

        # Delivered into alice's INBOX: find it by Message-ID and render it back.
        raw = None
        for _ in range(100):
            found = subprocess.run(["doveadm", "-c", env["HERON_TEST_DOVECOT_CONFIG"], "fetch", "-u",
                                    env["HERON_TEST_USER"], "text", "mailbox", "INBOX", "header",
                                    "Message-ID", (message_id or "").strip("<>")],
                                   capture_output=True, timeout=30)
            if found.returncode == 0 and found.stdout.strip():
                raw = found.stdout
                break
            time.sleep(0.1)
        check(raw is not None, "the message arrived in alice's INBOX")
        if raw is not None:
            body = raw.split(b"\n", 1)[1] if raw.startswith(b"text:") else raw
            eml = os.path.join(work, "delivered.eml")
            with open(eml, "wb") as f:
                f.write(body)
            done = cli("render", eml, "--json")
            rendered = json.loads(done.stdout) if done.returncode == 0 else {}
            check(rendered.get("subject") == subject, f"rendered subject equals what was sent ({rendered.get('subject')!r})")
            check("ein Punkt am Zeilenanfang" in json.dumps(rendered, ensure_ascii=False)
                  and "\n.\n" in (rendered.get("body") or rendered.get("text") or ""),
                  "the body arrived intact, the line with a lone dot included")
            names = [a.get("name") or a.get("filename") for a in rendered.get("attachments", [])]
            check("Übersicht.txt" in names, f"the attachment keeps its non-ASCII name ({names})")

        # A message file sent as it is: its Bcc goes into the envelope only.
        eml = os.path.join(work, "with-bcc.eml")
        with open(eml, "w", encoding="utf-8", newline="") as f:
            f.write(f"From: {env['HERON_TEST_USER']}\r\nTo: {env['HERON_TEST_USER']}\r\n"
                    f"Bcc: Hidden <{env['HERON_TEST_USER']}>,\r\n  hidden2@example.test\r\n"
                    "Subject: File with Bcc\r\nMessage-ID: <file-bcc@example.test>\r\n\r\nBcc: in the body stays\r\n")
        done = cli("send", "--account", account, "--file", eml)
        check(done.returncode == 0, f"send --file exits 0 ({done.stderr.strip()})")
        raw = b""
        for _ in range(100):
            found = subprocess.run(["doveadm", "-c", env["HERON_TEST_DOVECOT_CONFIG"], "fetch", "-u",
                                    env["HERON_TEST_USER"], "text", "mailbox", "INBOX", "header",
                                    "Message-ID", "file-bcc@example.test"], capture_output=True, timeout=30)
            if found.returncode == 0 and found.stdout.strip():
                raw = found.stdout
                break
            time.sleep(0.1)
        header = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
        check(raw and b"\nBcc:" not in header and b"hidden2" not in header and b"Bcc: in the body stays" in raw,
              "the delivered copy of a message file has no Bcc header, its body untouched")

        # A wrong password: exit 1 with the server's words; nothing is sent.
        wrong = add_account(env, "not-the-password")
        done = cli("send", "--account", wrong, "--to", env["HERON_TEST_USER"], "--subject", "x", stdin="x\n")
        check(done.returncode == 1 and "auth" in done.stderr.lower(),
              f"a wrong password: exit 1 and an authentication error ({done.stderr.strip()})")

        # Through the outbox: sent once, its copy filed in Sent (through the journal's replay).
        done = cli("send", "--queue", "--account", account, "--to", env["HERON_TEST_USER"],
                   "--subject", "Queued — über die Outbox", "--json", stdin="Aus der Outbox.\n")
        check(done.returncode == 0, f"send --queue exits 0 once sent ({done.stderr.strip()})")
        queued = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
        check(queued.get("state") == "sent" and queued.get("error") is None,
              f"send --queue reports it sent ({queued})")
        queued_id = queued.get("message-id") or ""

        def count(mailbox, message_id):
            found = subprocess.run(["doveadm", "-c", env["HERON_TEST_DOVECOT_CONFIG"], "search", "-u",
                                    env["HERON_TEST_USER"], "mailbox", mailbox, "header", "Message-ID",
                                    f"<{message_id}>"], capture_output=True, text=True, timeout=30)
            return len([line for line in found.stdout.splitlines() if line.strip()])

        delivered = 0
        for _ in range(100):
            delivered = count("INBOX", queued_id)
            if delivered:
                break
            time.sleep(0.1)
        check(delivered == 1, f"the queued message arrived once ({delivered})")
        check(count("Sent", queued_id) == 1, "its copy is in the Sent folder")
        done = cli("outbox", account, "--json")
        check(done.returncode == 0 and json.loads(done.stdout or "null") == [],
              f"the outbox is empty afterwards ({done.stdout.strip()})")
        done = cli("outbox", account)
        check(done.returncode == 0 and done.stdout.strip() != "", "outbox prints a line without --json")

        # Refused for good: exit 1 with the server's words, kept in the outbox as failed.
        done = cli("send", "--queue", "--account", account, "--to", "someone@elsewhere.example",
                   "--subject", "Refused", stdin="x\n")
        check(done.returncode == 1 and "Relay access denied" in done.stderr,
              f"a refused recipient: exit 1 with the server's words ({done.stderr.strip()})")
        done = cli("outbox", account, "--json")
        entries = json.loads(done.stdout) if done.returncode == 0 else []
        check(len(entries) == 1 and entries[0].get("state") == "failed"
              and entries[0].get("recipients") == ["someone@elsewhere.example"]
              and "Relay access denied" in (entries[0].get("error") or "")
              and entries[0].get("attempts") == 1,
              f"the outbox lists it as failed ({entries})")

        # A wrong password through the outbox: exit 1, the message kept.
        done = cli("send", "--queue", "--account", wrong, "--to", env["HERON_TEST_USER"],
                   "--subject", "Wrong password", stdin="x\n")
        check(done.returncode == 1 and "535" in done.stderr,
              f"a wrong SMTP password through the outbox: exit 1 ({done.stderr.strip()})")
        done = cli("outbox", wrong, "--json")
        entries = json.loads(done.stdout) if done.returncode == 0 else []
        check(len(entries) == 1 and entries[0].get("state") == "failed",
              f"the wrong password's message stays in its outbox ({entries})")

        # An unknown account, and several accounts without --account.
        done = cli("send", "--account", "nope", "--to", env["HERON_TEST_USER"], "--subject", "x", stdin="x\n")
        check(done.returncode == 3, f"an unknown account: exit 3 ({done.stderr.strip()})")
        done = cli("send", "--to", env["HERON_TEST_USER"], "--subject", "x", stdin="x\n")
        check(done.returncode == 2, f"two accounts and no --account: exit 2 ({done.stderr.strip()})")
        done = cli("outbox", "nope")
        check(done.returncode == 3, f"outbox of an unknown account: exit 3 ({done.stderr.strip()})")
    finally:
        server.terminate()
        server.wait(timeout=30)


with tempfile.TemporaryDirectory() as directory:
    main(directory)
print(f"1..{count}")
sys.exit(1 if failures else 0)
