#!/usr/bin/python3
"""Regenerates the .npy fixtures of tests/io/npy_test.cpp: one small array per dtype the reader
supports, plus files numpy writes that the reader must reject. Run from any directory:
/usr/bin/python3 tests/data/npy/make_fixtures.py (Debian's python3-numpy)."""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array, version=None):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=True)


def main():
    # Each integer fixture holds its type's extremes; <u8 stops at the int64 maximum, which is
    # what the reader returns.
    for code in ["i1", "i2", "i4", "i8", "u1", "u2", "u4"]:
        info = np.iinfo(code)
        save(f"{code}.npy", np.array([[info.min, -1 if info.min else 1, 0],
                                      [1, 2, info.max]], dtype=code))
    save("u8.npy", np.array([[0, 1, 2], [3, 2**63 - 2, 2**63 - 1]], dtype="u8"))
    f4max = float(np.finfo("f4").max)
    save("f4.npy", np.array([[-1.5, 0.0, 0.1], [f4max, np.inf, -np.inf]], dtype="f4"))
    save("f8.npy", np.array([[-1.5, -0.0, 0.1], [1e300, np.inf, np.nan]], dtype="f8"))
    save("i4_v2.npy", np.array([[7, -8], [9, -10]], dtype="i4"), version=(2, 0))
    save("scalar_f8.npy", np.array(2.5, dtype="f8"))
    save("empty_i8.npy", np.zeros((0, 3), dtype="i8"))
    save("i2_3d.npy", np.arange(-4, 4, dtype="i2").reshape(2, 2, 2))
    save("fortran_i4.npy", np.asfortranarray(np.arange(6, dtype="i4").reshape(2, 3)))
    save("big_endian_i4.npy", np.arange(3, dtype=">i4"))
    save("object.npy", np.array([1, "a"], dtype=object))
    # What write_npy_int64 must reproduce byte for byte.
    save("numpy_written_i8.npy", np.array([[1, -2, 3], [-4, 5, -6]], dtype="<i8"))


if __name__ == "__main__":
    main()
