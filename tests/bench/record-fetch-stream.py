"""Logs in over plain text on loopback (Dovecot allows it there), selects INBOX, fetches the
metadata once to warm Dovecot's cache (DESIGN.md: the first fetch of a field set is slower), then
writes the raw bytes of a second identical FETCH, up to and including its tagged reply."""
import re
import socket
import sys

host, port, user, password, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ITEMS = b"(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)"

sock = socket.create_connection((host, port))
reader = sock.makefile("rb")


def command(tag, line):
    sock.sendall(tag + b" " + line + b"\r\n")
    while True:
        response = reader.readline()
        if not response:
            sys.exit("the server closed the connection")
        if response.startswith(tag + b" "):
            if not response.startswith(tag + b" OK"):
                sys.exit(response.decode(errors="replace"))
            return


reader.readline()  # greeting
command(b"a", b'LOGIN "%s" "%s"' % (user.encode(), password.encode()))
command(b"b", b"SELECT INBOX")
command(b"c", b"UID FETCH 1:* " + ITEMS)
sock.sendall(b"d UID FETCH 1:* " + ITEMS + b"\r\n")
total = 0
tail = b""
with open(out, "wb") as output:
    while True:
        chunk = reader.read1(1 << 20)
        if not chunk:
            sys.exit("the server closed the connection")
        output.write(chunk)
        total += len(chunk)
        tail = (tail + chunk)[-300:]
        if re.search(rb"\r\nd (OK|NO|BAD)[^\r\n]*\r\n$", tail):
            break
print(f"recorded {total} bytes to {out}")
