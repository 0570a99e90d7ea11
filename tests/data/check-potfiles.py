#!/usr/bin/env python3
# Checks po/POTFILES.in against the tree (exit-code protocol):
#  - every listed file exists (xgettext, and so `ninja heron-pot`, fails otherwise);
#  - every source file with a string marked for translation is listed, unless po/POTFILES.skip
#    names it or a folder above it. A string missing from the list is never translated.
#
#   check-potfiles.py SOURCE_ROOT

import os
import re
import sys

# What marks a string for translation, by file type.
C_MARK = re.compile(r'\b(?:N_|C_|NC_|Q_|_)\s*\(\s*"|\b(?:g_dngettext|g_dpgettext2?|ngettext)\s*\(')
UI_MARK = re.compile(r'translatable\s*=\s*["\'](?:yes|true|1)["\']')
# Files that are translated as a whole whatever they contain.
ALWAYS = re.compile(r'(\.desktop\.in|\.metainfo\.xml\.in|\.appdata\.xml\.in|\.gschema\.xml)$')


def read_list(path):
    entries = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                entries.append(line)
    return entries


def is_build_dir(path):
    return (os.path.isdir(os.path.join(path, 'meson-private'))
            or os.path.isdir(os.path.join(path, 'meson-info')))


def wants_translation(path):
    name = os.path.basename(path)
    if ALWAYS.search(name):
        return True
    if name.endswith(('.c', '.h')):
        pattern = C_MARK
    elif name.endswith('.ui'):
        pattern = UI_MARK
    else:
        return False
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return pattern.search(f.read()) is not None
    except OSError:
        return False


def main():
    if len(sys.argv) != 2:
        print('usage: check-potfiles.py SOURCE_ROOT', file=sys.stderr)
        return 2
    root = sys.argv[1]
    listed = read_list(os.path.join(root, 'po', 'POTFILES.in'))
    skip_path = os.path.join(root, 'po', 'POTFILES.skip')
    skipped = read_list(skip_path) if os.path.exists(skip_path) else []

    problems = []
    for entry in listed:
        if not os.path.isfile(os.path.join(root, entry)):
            problems.append(f'po/POTFILES.in lists {entry}, which does not exist')
    if listed != sorted(listed):
        problems.append('po/POTFILES.in is not sorted')

    def is_skipped(rel):
        return any(rel == s or (s.endswith('/') and rel.startswith(s)) for s in skipped)

    for dirpath, dirnames, filenames in os.walk(root):
        # Never descend into hidden folders (.git, .flatpak-builder) or meson build directories.
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith('.') and not is_build_dir(os.path.join(dirpath, d)))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, '/')
            if rel in listed or is_skipped(rel):
                continue
            if wants_translation(path):
                problems.append(f'{rel} has strings marked for translation but is not in '
                                'po/POTFILES.in (or po/POTFILES.skip)')

    for problem in problems:
        print(f'FAIL: {problem}', file=sys.stderr)
    if problems:
        return 1
    print(f'PASS: {len(listed)} files in po/POTFILES.in, all present, none missing')
    return 0


if __name__ == '__main__':
    sys.exit(main())
