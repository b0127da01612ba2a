#!/usr/bin/python3
"""Regenerates the tiny IDX fixtures of tests/models/idx_test.cpp: 3 images of 2x4 pixels and
their labels, raw and gzipped (mtime 0, so the bytes do not change between runs)."""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    with open(os.path.join(HERE, name + ".gz"), "wb") as f:
        f.write(gzip.compress(data, mtime=0))


def main():
    pixels = bytes(range(0, 240, 10))  # 3 x 2 x 4 = 24 bytes: 0, 10, ..., 230
    write("images-idx3-ubyte", struct.pack(">IIII", 0x803, 3, 2, 4) + pixels)
    write("labels-idx1-ubyte", struct.pack(">II", 0x801, 3) + bytes([7, 0, 9]))


if __name__ == "__main__":
    main()
