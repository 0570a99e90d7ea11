#!/usr/bin/env python3
# Checks the structure of the Flatpak manifest, since CI cannot download the GNOME SDK to
# build it (build-aux/flatpak/README.md). Exit-code protocol: every problem is printed, and any
# problem fails the test.
#
#   check-flatpak-manifest.py MANIFEST APP_ID SOURCE_ROOT [--flatpak-builder PATH]

import argparse
import json
import os
import subprocess
import sys

REQUIRED_FINISH_ARGS = [
    '--share=network',
    '--share=ipc',
    '--socket=fallback-x11',
    '--socket=wayland',
    '--device=dri',
]

# Broad grants that the portals make unnecessary (see the README's "Sandbox" section).
FORBIDDEN_FINISH_ARGS = [
    '--socket=x11',
    '--filesystem=home',
    '--filesystem=host',
    '--talk-name=org.freedesktop.secrets',
    '--talk-name=org.freedesktop.Notifications',
]


class Checker:
    def __init__(self):
        self.problems = []

    def expect(self, condition, message):
        if not condition:
            self.problems.append(message)
        return condition


def module_name(module):
    return module.get('name') if isinstance(module, dict) else None


def load_modules(modules, manifest_dir):
    # A module may be given as the path of its own JSON file, relative to the manifest.
    loaded = []
    for module in modules:
        if isinstance(module, str):
            with open(os.path.join(manifest_dir, module), encoding='utf-8') as f:
                module = json.load(f)
        loaded.append(module)
    return loaded


def check_gmime(check, modules):
    names = [module_name(m) for m in modules]
    if not check.expect('gmime' in names, 'no module named "gmime": GMime is not in the GNOME runtime'):
        return
    gmime = modules[names.index('gmime')]
    check.expect(names.index('gmime') < len(modules) - 1, 'gmime must be built before heron')
    check.expect(gmime.get('buildsystem', 'autotools') == 'autotools',
                 'gmime is an autotools project')
    sources = gmime.get('sources', [])
    check.expect(len(sources) >= 1, 'gmime has no sources')
    for source in sources:
        kind = source.get('type')
        if kind == 'git':
            check.expect('gmime' in source.get('url', ''), f'gmime git source has an odd url: {source.get("url")}')
            check.expect('tag' in source or 'commit' in source,
                         'gmime git source must name a tag or a commit, never follow a branch')
        elif kind == 'archive':
            check.expect('sha256' in source, 'gmime archive source needs a sha256')
        else:
            check.expect(False, f'unexpected gmime source type {kind!r}')
    opts = gmime.get('config-opts', [])
    check.expect('--disable-gtk-doc' in opts, 'gmime should be built with --disable-gtk-doc')


def check_heron(check, modules, manifest_dir, source_root):
    last = modules[-1]
    if not check.expect(module_name(last) == 'heron',
                        f'the last module must be heron, not {module_name(last)!r}'):
        return
    check.expect(last.get('buildsystem') == 'meson', 'heron is built with meson')
    dirs = [s for s in last.get('sources', []) if s.get('type') == 'dir']
    if check.expect(len(dirs) == 1, 'heron must have exactly one "dir" source (this checkout)'):
        path = os.path.realpath(os.path.join(manifest_dir, dirs[0].get('path', '')))
        check.expect(path == os.path.realpath(source_root),
                     f'heron\'s dir source resolves to {path}, not the top of the tree {source_root}')


def main():
    parser = argparse.ArgumentParser(description='Check the Flatpak manifest.')
    parser.add_argument('manifest')
    parser.add_argument('app_id')
    parser.add_argument('source_root')
    parser.add_argument('--flatpak-builder', metavar='PATH')
    args = parser.parse_args()

    try:
        with open(args.manifest, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f'FAIL: {args.manifest} does not parse as JSON: {e}', file=sys.stderr)
        return 1

    check = Checker()
    if not check.expect(isinstance(manifest, dict), 'the manifest is not a JSON object'):
        manifest = {}

    app_id = manifest.get('id', manifest.get('app-id'))
    check.expect(app_id == args.app_id, f'id is {app_id!r}, expected {args.app_id!r}')
    check.expect(os.path.basename(args.manifest) == args.app_id + '.json',
                 'the manifest file is named after the application id')
    check.expect(manifest.get('runtime') == 'org.gnome.Platform', 'runtime must be org.gnome.Platform')
    check.expect(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk must be org.gnome.Sdk')
    check.expect(isinstance(manifest.get('runtime-version'), str),
                 'runtime-version must be a string such as "47"')
    check.expect(manifest.get('command') == 'heron', 'command must be heron')

    finish_args = manifest.get('finish-args', [])
    for arg in REQUIRED_FINISH_ARGS:
        check.expect(arg in finish_args, f'finish-args lacks {arg}')
    for arg in FORBIDDEN_FINISH_ARGS:
        check.expect(arg not in finish_args, f'finish-args must not have {arg}: use a portal')

    cleanup = manifest.get('cleanup', [])
    for pattern in ('/include', '/lib/pkgconfig', '*.a', '*.la'):
        check.expect(pattern in cleanup, f'cleanup lacks {pattern}')

    manifest_dir = os.path.dirname(os.path.abspath(args.manifest))
    try:
        modules = load_modules(manifest.get('modules', []), manifest_dir)
    except (OSError, ValueError) as e:
        print(f'FAIL: a module file of the manifest does not load: {e}', file=sys.stderr)
        return 1
    if check.expect(isinstance(modules, list) and len(modules) >= 2,
                    'modules must list gmime and heron'):
        names = [module_name(m) for m in modules]
        check.expect(all(isinstance(n, str) and n for n in names), 'every module needs a name')
        check.expect(len(set(names)) == len(names), f'module names repeat: {names}')
        check_gmime(check, modules)
        check_heron(check, modules, manifest_dir, args.source_root)

    if args.flatpak_builder:
        result = subprocess.run([args.flatpak_builder, '--show-manifest', args.manifest],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                check=False)
        check.expect(result.returncode == 0,
                     f'flatpak-builder --show-manifest failed: {result.stderr.strip()}')
        print('flatpak-builder --show-manifest: ' + ('ok' if result.returncode == 0 else 'failed'))
    else:
        print('flatpak-builder is not installed: checked the structure only')

    for problem in check.problems:
        print(f'FAIL: {problem}', file=sys.stderr)
    if check.problems:
        return 1
    print(f'PASS: {len(modules)} modules, last is heron')
    return 0


if __name__ == '__main__':
    sys.exit(main())
