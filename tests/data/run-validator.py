#!/usr/bin/env python3
# Runs a packaging validator as a meson test (exit-code protocol).
#
#   run-validator.py [--no-output] -- VALIDATOR ARGS...
#       passes when VALIDATOR exits 0 and, with --no-output, printed nothing at all
#       (desktop-file-validate exits 0 on hints, so its output is the verdict);
#   run-validator.py --missing PACKAGE -- NAME
#       the validator was not found when the build was configured: fails, saying how to get it,
#       because a registered test never skips silently.

import argparse
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description='Run a validator as a test.')
    parser.add_argument('--no-output', action='store_true',
                        help='fail on any output, even when the validator exits 0')
    parser.add_argument('--missing', metavar='PACKAGE',
                        help='the validator is not installed; fail and name its package')
    parser.add_argument('command', nargs='+')
    args = parser.parse_args()

    if args.missing:
        print(f'{args.command[0]} was not found when the build directory was configured: '
              f'install {args.missing} and run `meson setup --reconfigure`.', file=sys.stderr)
        return 1

    print('$', ' '.join(args.command), flush=True)
    result = subprocess.run(args.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, check=False)
    output = result.stdout.strip()
    if output:
        print(output)

    if result.returncode != 0:
        print(f'FAIL: {args.command[0]} exited with status {result.returncode}', file=sys.stderr)
        return 1
    if args.no_output and output:
        print(f'FAIL: {args.command[0]} printed the messages above; '
              'every hint counts as a failure here', file=sys.stderr)
        return 1
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
