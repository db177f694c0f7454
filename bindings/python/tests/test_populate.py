"""populate=True: every page of the mapping is present right after create or
attach (read-write and read-only); without it, none is until touched."""

import numpy as np

import npshm


def resident_kib(array):
    """Rss of the mapping holding array's data, from /proc/self/smaps."""
    address = array.ctypes.data
    inside = False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split()[0]
            if "-" in head and not head.endswith(":"):
                start, end = (int(x, 16) for x in head.split("-"))
                inside = start <= address < end
            elif inside and head == "Rss:":
                return int(line.split()[1])
    raise AssertionError("mapping not found")


def test_populate_create_and_attach(name):
    size_kib = 8 << 10  # 8 MiB
    a = npshm.create(name, size_kib * 128, np.float64, populate=True)
    assert resident_kib(a) >= size_kib
    plain = npshm.attach(name)
    assert resident_kib(plain) < size_kib // 4
    reader = npshm.attach(name, readonly=True, populate=True)
    assert not reader.flags.writeable
    assert resident_kib(reader) >= size_kib
    writer = npshm.attach(name, populate=True)
    assert resident_kib(writer) >= size_kib
    writer[-1] = 3.0
    assert a[-1] == 3.0 and reader[-1] == 3.0
    del a, plain, reader, writer
    npshm.delete(name)
