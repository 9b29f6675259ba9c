#!/usr/bin/python3
"""Writes small valid .torrent files made by libtorrent (python3-libtorrent)
and expected.txt with the info-hashes libtorrent reports for them, so
btt's parser is checked against an independent implementation.

Content is generated deterministically in a temporary directory; the
creation date is fixed, so running this again gives the same bytes.

    /usr/bin/python3 tests/data/torrents/make.py
"""
import hashlib
import os
import shutil
import sys
import tempfile

import libtorrent as lt

HERE = os.path.dirname(os.path.abspath(__file__))


def content(seed, n):
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s-%d" % (seed.encode(), i)).digest()
        i += 1
    return out[:n]


def make_tree(root):
    files = {
        "multi/a.bin": 100000,
        "multi/c": 5,
        "multi/sub/b.txt": 40000,
        "multi/sub/empty": 0,
        "single.bin": 70000,
    }
    for rel, n in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content(rel, n))


def make(root, src, out, flags, piece, private=False):
    fs = lt.file_storage()
    lt.add_files(fs, os.path.join(root, src))
    t = lt.create_torrent(fs, piece, flags=flags)
    t.add_tracker("udp://tracker.example:6969/announce", 0)
    t.add_tracker("http://backup.example/announce", 1)
    t.add_url_seed("http://seed.example/files/")
    t.set_comment("made by libtorrent " + lt.__version__)
    t.set_creator("tests/data/torrents/make.py")
    t.set_priv(private)
    lt.set_piece_hashes(t, root)
    e = t.generate()
    e[b"creation date"] = 1700000000
    data = lt.bencode(e)
    with open(os.path.join(HERE, out), "wb") as f:
        f.write(data)
    ih = lt.torrent_info(data).info_hashes()
    v1 = str(ih.v1) if ih.has_v1() else "-"
    v2 = str(ih.v2) if ih.has_v2() else "-"
    return "%s %s %s\n" % (out, v1, v2)


def main():
    root = tempfile.mkdtemp(prefix="btt-torrents-")
    try:
        make_tree(root)
        lines = [
            make(root, "multi", "v1-multi.torrent", lt.create_torrent.v1_only, 16384),
            make(root, "multi", "v2-multi.torrent", lt.create_torrent.v2_only, 16384),
            make(root, "multi", "hybrid-multi.torrent", 0, 32768),
            make(root, "single.bin", "v1-single.torrent", lt.create_torrent.v1_only, 32768, True),
            make(root, "single.bin", "v2-single.torrent", lt.create_torrent.v2_only, 16384),
            make(root, "single.bin", "hybrid-single.torrent", 0, 16384),
        ]
    finally:
        shutil.rmtree(root)
    with open(os.path.join(HERE, "expected.txt"), "w") as f:
        f.write("# file v1-info-hash v2-info-hash (from libtorrent %s)\n" % lt.__version__)
        f.writelines(lines)
    sys.stdout.writelines(lines)


if __name__ == "__main__":
    main()
