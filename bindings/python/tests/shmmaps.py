"""Whether this process maps a file (read from /proc/self/maps)."""

import os


def mapped(path):
    """By device and inode: a creator's mapping is listed under the
    temporary name the file had before it was published."""
    st = os.stat(path)
    dev = "%02x:%02x" % (os.major(st.st_dev), os.minor(st.st_dev))
    with open("/proc/self/maps") as maps:
        return any(line.split()[3:5] == [dev, str(st.st_ino)]
                   for line in maps)
