"""libtorrent's side of tests/interop/libtorrent_hashes.sh (run it with
/usr/bin/python3, the interpreter the python3-libtorrent package serves).

  lt_torrent.py make PATH OUT PIECE v1|v2|hybrid [notail]
      libtorrent creates OUT from the file or directory PATH with piece
      length PIECE. Files are added in the order btt create uses (paths
      compared component by component, bytewise), since libtorrent keeps
      the order it is given for v1 and sorts the same way for v2 and
      hybrid. "notail" asks for no pad file after the last file of a
      hybrid (canonical_files_no_tail_padding).
  lt_torrent.py hashes TORRENT
      libtorrent loads TORRENT; prints its info-hashes.
  lt_torrent.py check TORRENT DIR
      libtorrent checks the data of TORRENT saved under DIR in a session
      with no network; prints its hashes and how many pieces it has.

Output is one JSON object on stdout: {"v1": hex|null, "v2": hex|null, ...}.
Any failure prints {"error": "..."} and exits 1.
"""
import json
import os
import sys
import time

import libtorrent as lt


def hashes(ti):
    ih = ti.info_hashes()
    return {
        "v1": str(ih.v1) if ih.has_v1() else None,
        "v2": str(ih.v2) if ih.has_v2() else None,
    }


def walk(path):
    """(relative path starting with the name, size) in btt's order."""
    name = os.path.basename(os.path.normpath(path))
    if os.path.isfile(path):
        return [(name, os.path.getsize(path))]
    out = []
    for root, _dirs, files in os.walk(path):
        for f in files:
            full = os.path.join(root, f)
            rel = os.path.relpath(full, os.path.dirname(os.path.normpath(path)))
            out.append((rel, os.path.getsize(full)))
    out.sort(key=lambda e: [c.encode() for c in e[0].split(os.sep)])
    return out


def make(path, out, piece, version, notail):
    fs = lt.file_storage()
    for rel, size in walk(path):
        fs.add_file(rel, size)
    flags = {"v1": lt.create_torrent.v1_only,
             "v2": lt.create_torrent.v2_only,
             "hybrid": 0}[version]
    if notail:
        flags |= lt.create_torrent.canonical_files_no_tail_padding
    ct = lt.create_torrent(fs, piece, flags)
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
    data = lt.bencode(ct.generate())
    with open(out, "wb") as f:
        f.write(data)
    return hashes(lt.torrent_info(lt.bdecode(data)))


def check(torrent, save):
    ti = lt.torrent_info(torrent)
    ses = lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
    })
    atp = lt.add_torrent_params()
    atp.ti = ti
    atp.save_path = save
    # Check only: never write, never announce.
    atp.flags = (atp.flags | lt.torrent_flags.upload_mode) & \
        ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    h = ses.add_torrent(atp)
    checking = (lt.torrent_status.checking_files,
                lt.torrent_status.checking_resume_data)
    deadline = time.time() + 120
    while True:
        st = h.status()
        if st.errc.value():
            raise RuntimeError("libtorrent: " + st.errc.message())
        if st.state not in checking and st.has_metadata and \
                st.state != lt.torrent_status.allocating:
            break
        if time.time() > deadline:
            raise RuntimeError("libtorrent check timed out")
        time.sleep(0.05)
    res = hashes(ti)
    res.update({"have": st.num_pieces, "pieces": ti.num_pieces(),
                "seeding": st.is_seeding})
    return res


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "make" and len(argv) in (6, 7):
        res = make(argv[2], argv[3], int(argv[4]), argv[5],
                   len(argv) == 7 and argv[6] == "notail")
    elif cmd == "hashes" and len(argv) == 3:
        res = hashes(lt.torrent_info(argv[2]))
    elif cmd == "check" and len(argv) == 4:
        res = check(argv[2], argv[3])
    else:
        raise RuntimeError("usage: see the module docstring")
    print(json.dumps(res))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Exception as e:  # report any failure as one JSON line
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}))
        sys.exit(1)
