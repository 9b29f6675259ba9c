#!/usr/bin/env python3
"""Writes the hostile .torrent corpus: files that `btt info` must reject
with exit status 2 and exactly one line on stderr.

    python3 tests/data/hostile/make.py            small files, into this dir
    python3 tests/data/hostile/make.py --big DIR  large ones (tens of MiB),
                                                  into DIR (not committed)

Everything is deterministic: running it again gives the same bytes.
"""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def be(x):
    """Canonical bencode (sorted keys)."""
    if isinstance(x, int):
        return b"i%de" % x
    if isinstance(x, str):
        x = x.encode()
    if isinstance(x, bytes):
        return b"%d:" % len(x) + x
    if isinstance(x, list):
        return b"l" + b"".join(be(i) for i in x) + b"e"
    if isinstance(x, dict):
        d = {(k.encode() if isinstance(k, str) else k): v for k, v in x.items()}
        return b"d" + b"".join(be(k) + be(d[k]) for k in sorted(d)) + b"e"
    raise TypeError(x)


def sha256(b):
    return hashlib.sha256(b).digest()


def v1_single(length=5, name="x", plen=16384, pieces=None, **extra):
    n = max(1, -(-length // plen)) if plen > 0 else 1
    info = {"length": length, "name": name, "piece length": plen,
            "pieces": pieces if pieces is not None else b"A" * 20 * n}
    info.update(extra)
    return {"announce": "http://tracker.example/announce", "info": info}


def v1_multi(files, name="x", plen=16384):
    total = sum(f.get("length", 0) for f in files
                if isinstance(f.get("length", 0), int))
    n = min(max(1, -(-total // plen)), 1000)  # huge totals: pieces too short
    return {"info": {"files": files, "name": name, "piece length": plen,
                     "pieces": b"A" * 20 * n}}


def f(path, length=5, **extra):
    d = {"length": length, "path": path}
    d.update(extra)
    return d


def v2_single(length, layer, root, plen=16384):
    info = {"file tree": {"a": {"": {"length": length, "pieces root": root}}},
            "meta version": 2, "name": "a", "piece length": plen}
    return {"info": info, "piece layers": {root: layer}}


def hybrid(v1files, v1pieces):
    ra = sha256(b"\x11" * 32 + b"\x22" * 32)
    layer = b"\x11" * 32 + b"\x22" * 32
    info = {"file tree": {"a": {"": {"length": 20000, "pieces root": ra}},
                          "b": {"": {"length": 5, "pieces root": b"\x55" * 32}}},
            "files": v1files, "meta version": 2, "name": "hy",
            "piece length": 16384, "pieces": b"A" * 20 * v1pieces}
    return {"info": info, "piece layers": {ra: layer}}


def small():
    good = be(v1_single())
    root2 = sha256(b"\x11" * 32 + b"\x22" * 32)
    t = {}
    # Structure and encoding.
    t["empty"] = b""
    t["not-bencode"] = b"This is not a torrent file.\n"
    t["png-header"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    t["list-root"] = b"l4:infoe"
    t["no-info"] = be({"announce": "http://t/"})
    t["info-not-dict"] = be({"info": "x"})
    t["truncated"] = good[: len(good) // 2]
    t["trailing-garbage"] = good + b"garbage"
    t["two-values"] = good + good
    t["deep-lists"] = b"d4:info" + b"l" * 10000 + b"e" * 10000 + b"e"
    t["deep-dicts"] = b"d4:info" + b"d1:a" * 10000 + b"i1e" + b"e" * 10001
    t["huge-string-length"] = b"d4:info99999999999:x"
    t["string-past-end"] = b"d4:info4294967295:x"
    t["unsorted-keys"] = good.replace(b"4:name1:x12:piece length",
                                      b"12:piece lengthi16384e4:name1:x")\
        .replace(b"i16384ei16384e", b"i16384e")
    t["duplicate-key"] = b"d4:infod6:lengthi5e6:lengthi5e4:name1:x" \
        b"12:piece lengthi16384e6:pieces20:" + b"A" * 20 + b"ee"
    t["leading-zero-int"] = good.replace(b"i5e", b"i05e")
    t["negative-zero"] = good.replace(b"i5e", b"i-0e")
    t["leading-zero-strlen"] = good.replace(b"4:name", b"04:name")
    t["int-no-digits"] = good.replace(b"i5e", b"ie")
    # Sizes and counts.
    t["length-negative"] = be(v1_single(length=-5))
    t["length-2e63"] = good.replace(b"i5e", b"i9223372036854775808e")
    t["length-over-1pib"] = be(v1_single(length=(1 << 50) + 1, pieces=b"A" * 20))
    t["total-over-1pib"] = be(v1_multi([f(["a"], (1 << 49) + 1),
                                        f(["b"], (1 << 49) + 1)]))
    t["length-zero"] = be(v1_single(length=0, pieces=b""))
    t["piece-length-zero"] = be(v1_single(plen=0, pieces=b"A" * 20))
    t["piece-length-negative"] = be(v1_single(plen=-16384, pieces=b"A" * 20))
    t["piece-length-huge"] = be(v1_single(plen=1 << 40, pieces=b"A" * 20))
    t["pieces-count-huge"] = be(v1_single(length=1 << 40, pieces=b"A" * 20))
    t["pieces-short"] = be(v1_single(length=40000, pieces=b"A" * 20))
    t["pieces-long"] = be(v1_single(length=5, pieces=b"A" * 40))
    t["pieces-odd"] = be(v1_single(length=5, pieces=b"A" * 21))
    t["pieces-missing"] = be({"info": {"length": 5, "name": "x",
                                       "piece length": 16384}})
    t["too-many-trackers"] = be({"announce-list": [["http://t%d/" % i]
                                                   for i in range(513)],
                                 "info": v1_single()["info"]})
    t["tracker-url-too-long"] = be({"announce": "http://" + "a" * 4090,
                                    "info": v1_single()["info"]})
    t["too-many-webseeds"] = be({"info": v1_single()["info"],
                                 "url-list": ["http://w%d/" % i
                                              for i in range(257)]})
    t["comment-too-long"] = be({"comment": "c" * 65537,
                                "info": v1_single()["info"]})
    t["files-empty"] = be(v1_multi([]))
    t["only-pad-files"] = be(v1_multi([f([".pad", "5"], 5, attr="p")]))
    # Paths.
    t["name-dotdot"] = be(v1_single(name=".."))
    t["name-dot"] = be(v1_single(name="."))
    t["name-empty"] = be(v1_single(name=""))
    t["name-absolute"] = be(v1_single(name="/etc/passwd"))
    t["name-drive"] = be(v1_single(name="C:"))
    t["name-drive-path"] = be(v1_single(name="C:\\Windows"))
    t["name-con"] = be(v1_single(name="CON"))
    t["name-nul-device"] = be(v1_single(name="nul.txt"))
    t["name-lpt1"] = be(v1_single(name="lpt1"))
    t["name-nul-byte"] = be(v1_single(name="a\x00b"))
    t["name-newline"] = be(v1_single(name="a\nb"))
    t["name-escape"] = be(v1_single(name="\x1b[31mred"))
    t["name-del"] = be(v1_single(name="a\x7f"))
    t["name-bad-utf8"] = be(v1_single(name=b"\xff\xfe"))
    t["name-overlong-utf8"] = be(v1_single(name=b"\xc0\xaf"))
    t["name-too-long"] = be(v1_single(name="n" * 256))
    t["path-dotdot"] = be(v1_multi([f(["..", "x"])]))
    t["path-etc-passwd"] = be(v1_multi([f(["/etc/passwd"])]))
    t["path-climb"] = be(v1_multi([f(["a", "..", "..", "b"])]))
    t["path-leading-empty"] = be(v1_multi([f(["", "etc", "passwd"])]))
    t["path-empty-list"] = be(v1_multi([f([])]))
    t["path-backslash"] = be(v1_multi([f(["..\\..\\x"])]))
    t["path-drive"] = be(v1_multi([f(["C:", "x"])]))
    t["path-aux"] = be(v1_multi([f(["d", "AUX.txt"])]))
    t["path-com9"] = be(v1_multi([f(["com9"])]))
    t["path-nul-byte"] = be(v1_multi([f(["a\x00b"])]))
    t["path-control"] = be(v1_multi([f(["a\x01b"])]))
    t["path-too-deep"] = be(v1_multi([f(["d"] * 64)]))
    t["path-too-long"] = be(v1_multi([f(["p" * 250] * 17)]))
    t["path-duplicate"] = be(v1_multi([f(["a"]), f(["b"]), f(["a"])]))
    t["path-file-and-dir"] = be(v1_multi([f(["a"]), f(["a", "b"])]))
    t["symlink-escape"] = be(v1_multi([f(["l"], 0, **{"attr": "l",
                                           "symlink path": ["..", "..", "etc"]})]))
    t["symlink-no-target"] = be(v1_multi([f(["l"], 0, attr="l")]))
    # v2 and hybrid.
    t["v2-layer-mismatch"] = be(v2_single(20000, b"\x11" * 32 + b"\x23" * 32,
                                          root2))
    t["v2-layer-short"] = be(v2_single(20000, b"\x11" * 32, root2))
    t["v2-layer-missing"] = be({"info": v2_single(20000, b"", root2)["info"]})
    t["v2-piece-length-odd"] = be(v2_single(20000, b"\x11" * 32 + b"\x22" * 32,
                                            root2, plen=24576))
    t["v2-piece-length-small"] = be(v2_single(5000, b"", root2, plen=8192))
    t["v2-no-file-tree"] = be({"info": {"meta version": 2, "name": "a",
                                        "piece length": 16384}})
    t["v2-empty-file-tree"] = be({"info": {"file tree": {}, "meta version": 2,
                                           "name": "a", "piece length": 16384}})
    t["v2-dotdot"] = be({"info": {"file tree": {"..": {"": {"length": 5,
                                  "pieces root": root2}}},
                                  "meta version": 2, "name": "a",
                                  "piece length": 16384}})
    t["v2-file-and-dir"] = be({"info": {"file tree": {"f": {"": {"length": 5,
                               "pieces root": root2}, "g": {}}},
                               "meta version": 2, "name": "a",
                               "piece length": 16384}})
    t["v2-no-pieces-root"] = be({"info": {"file tree": {"f": {"": {
                                 "length": 5}}}, "meta version": 2,
                                 "name": "a", "piece length": 16384}})
    t["v2-deep-tree"] = b"d4:infod9:file tree" + b"d1:d" * 200 + b"d0:d6:lengthi5eee" \
        + b"e" * 200 + b"12:meta versioni2e4:name1:a12:piece lengthi16384eee"
    t["meta-version-3"] = be(v1_single(**{"meta version": 3}))
    t["hybrid-no-pad"] = be(hybrid([f(["a"], 20000), f(["b"], 5)], 2))
    t["hybrid-length-mismatch"] = be(hybrid([f(["a"], 20000),
                                             f([".pad", "12768"], 12768, attr="p"),
                                             f(["b"], 6)], 3))
    t["hybrid-renamed"] = be(hybrid([f(["a"], 20000),
                                     f([".pad", "12768"], 12768, attr="p"),
                                     f(["c"], 5)], 3))
    t["hybrid-missing-file"] = be(hybrid([f(["a"], 20000)], 2))
    return t


def big():
    t = {}
    # One more file than BTT_METAINFO_MAX_FILES (1,000,000).
    parts = [b"d4:infod5:filesl"]
    for i in range(1000001):
        parts.append(b"d6:lengthi1e4:pathl7:f%06dee" % i)
    parts.append(b"e4:name1:x12:piece lengthi16777216e6:pieces20:"
                 + b"A" * 20 + b"ee")
    t["too-many-files"] = b"".join(parts)
    # One byte over BTT_METAINFO_MAX_SIZE (30 MiB).
    pad = (30 << 20) + 1
    head = be(v1_single())[:-1] + b"2:zz"
    body = pad - len(head) - 1
    body -= len(b"%d:" % body)
    t["over-30mib"] = head + b"%d:" % body + b"\0" * body + b"e"
    assert len(t["over-30mib"]) == pad
    return t


def write(dirname, items):
    for name, data in sorted(items.items()):
        with open(os.path.join(dirname, name + ".torrent"), "wb") as fh:
            fh.write(data)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--big":
        write(sys.argv[2], big())
    elif len(sys.argv) == 1:
        write(HERE, small())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
