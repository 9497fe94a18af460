"""Shared by the re-implemented Triton examples: the URL flag and the checks' failure path."""

import argparse
import sys


def parse_url(default_port):
    parser = argparse.ArgumentParser()
    parser.add_argument("-u", "--url", default=f"localhost:{default_port}")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args()


def check(condition, message):
    """Exits 1 with the message unless the condition holds, as the upstream examples do."""
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


def check_sum_and_difference(input0, input1, output0, output1):
    """The add/sub models' outputs, element by element."""
    for i in range(16):
        check(input0[0][i] + input1[0][i] == output0[0][i], f"incorrect sum at {i}")
        check(input0[0][i] - input1[0][i] == output1[0][i], f"incorrect difference at {i}")
