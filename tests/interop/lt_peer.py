"""A libtorrent 2.0 peer on 127.0.0.1 for the interop tests and the
transfer benchmark. Run it with /usr/bin/python3 (the interpreter the
python3-libtorrent package serves).

  lt_peer.py seed TORRENT DIR [options]
      checks the data under DIR, prints "seeding" once every piece is
      there, then serves until SIGTERM/SIGINT or --timeout (exit 0), or
      exits 1 at once if the data is incomplete.
  lt_peer.py seedmany TORRENTDIR DIR [options]
      seeds every *.torrent in TORRENTDIR from DIR in one session (no
      trackers), prints "seeding N" once all N are checked and seeding,
      then serves until SIGTERM/SIGINT or --timeout (exit 0).
  lt_peer.py get TORRENT DIR [options]
      downloads into DIR; prints "done" and exits 0 when every piece is
      downloaded and checked, exits 1 on --timeout. With --keep-seeding it
      goes on serving after "done" until killed or --timeout (exit 0).

options:
  --port N        listen port (default 0: the OS chooses)
  --peer IP:PORT  connect to this peer (repeatable); retried every 2 s
                  while the torrent has no peers
  --timeout S     upper bound on the run time (default 300)
  --no-tracker    do not announce (the torrent's trackers are removed)
  --interval S    seconds between progress lines (default 1)
  --upload-limit B  upload rate limit in bytes/s (default: none)
  --setting K=V   any libtorrent session setting (an int, true/false or a
                  string), e.g. out_enc_policy=2 for plaintext only

Every line goes to stdout, flushed: "listening on 127.0.0.1:PORT" first,
then "progress PCT down=KB/s up=KB/s peers=N state=S" lines, and
"seeding" / "done" / "error: ..." lines. Settings are those loopback
needs: several connections per IP (every peer is 127.0.0.1), no DHT, LSD,
UPnP, NAT-PMP or uTP, quick reconnects.
"""
import os
import signal
import sys
import time

import libtorrent as lt

stopping = False


def on_signal(_sig, _frame):
    global stopping
    stopping = True


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parse_args(argv):
    if len(argv) < 4 or argv[1] not in ("seed", "get", "seedmany"):
        raise SystemExit(__doc__)
    opts = {"mode": argv[1], "torrent": argv[2], "dir": argv[3],
            "port": 0, "peers": [], "timeout": 300.0, "tracker": True,
            "interval": 1.0, "keep": False, "up": 0, "settings": {}}
    rest = argv[4:]
    i = 0
    while i < len(rest):
        a = rest[i]
        val = rest[i + 1] if i + 1 < len(rest) else None
        if a == "--port" and val is not None:
            opts["port"] = int(val)
        elif a == "--peer" and val is not None:
            host, port = val.rsplit(":", 1)
            opts["peers"].append((host, int(port)))
        elif a == "--timeout" and val is not None:
            opts["timeout"] = float(val)
        elif a == "--interval" and val is not None:
            opts["interval"] = float(val)
        elif a == "--upload-limit" and val is not None:
            opts["up"] = int(val)
        elif a == "--setting" and val is not None and "=" in val:
            k, v = val.split("=", 1)
            if v in ("true", "false"):
                v = v == "true"
            elif v.lstrip("-").isdigit():
                v = int(v)
            opts["settings"][k] = v
        elif a == "--no-tracker":
            opts["tracker"] = False
            i += 1
            continue
        elif a == "--keep-seeding":
            opts["keep"] = True
            i += 1
            continue
        else:
            raise SystemExit("lt_peer.py: bad option %s\n%s" % (a, __doc__))
        i += 2
    return opts


def make_session(port, extra):
    pack = {
        "listen_interfaces": "127.0.0.1:%d" % port,
        "outgoing_interfaces": "127.0.0.1",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "min_reconnect_time": 2,
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification,
    }
    pack.update(extra)
    return lt.session(pack)


def listen_port(ses):
    deadline = time.time() + 10
    while time.time() < deadline:
        port = ses.listen_port()
        if port:
            return port
        time.sleep(0.05)
    raise RuntimeError("libtorrent did not open its listen socket")


def add(ses, opts):
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(opts["torrent"])
    atp.save_path = opts["dir"]
    atp.flags &= ~lt.torrent_flags.auto_managed
    atp.flags &= ~lt.torrent_flags.paused
    if not opts["tracker"]:
        atp.trackers = []
        atp.flags |= lt.torrent_flags.override_trackers
    h = ses.add_torrent(atp)
    if opts["up"]:
        # A torrent's own limit: the session's would spare loopback peers,
        # which libtorrent puts in its unlimited "local" peer class.
        h.set_upload_limit(opts["up"])
    return h


def drain_alerts(ses):
    for a in ses.pop_alerts():
        if a.category() & lt.alert.category_t.error_notification:
            say("alert: %s" % a.message())


def progress(st):
    return "progress %.1f%% down=%d up=%d peers=%d state=%s" % (
        st.progress * 100, st.download_rate // 1000, st.upload_rate // 1000,
        st.num_peers, str(st.state).rsplit(".", 1)[-1])


CHECKING = (lt.torrent_status.checking_files,
            lt.torrent_status.checking_resume_data)


def run(opts):
    ses = make_session(opts["port"], opts["settings"])
    say("listening on 127.0.0.1:%d" % listen_port(ses))
    h = add(ses, opts)
    start = time.time()
    last_line = 0.0
    last_dial = 0.0
    announced = False
    while not stopping:
        now = time.time()
        drain_alerts(ses)
        st = h.status()
        if st.errc.value():
            say("error: %s" % st.errc.message())
            return 1
        checked = st.has_metadata and st.state not in CHECKING
        if checked and opts["mode"] == "seed" and not announced:
            if not st.is_seeding:
                say("error: data incomplete (%d of %d pieces)"
                    % (st.num_pieces, h.torrent_file().num_pieces()))
                return 1
            say("seeding")
            announced = True
        if checked and opts["mode"] == "get" and st.is_seeding:
            say(progress(st))
            say("done %.3f s" % (now - start))
            if not opts["keep"]:
                return 0
            opts["mode"] = "seed"
            announced = True
        if checked and opts["peers"] and st.num_peers == 0 and \
                now - last_dial >= 2:
            for p in opts["peers"]:
                h.connect_peer(p)
            last_dial = now
        if now - last_line >= opts["interval"]:
            say(progress(st))
            last_line = now
        if now - start > opts["timeout"]:
            if opts["mode"] == "get":
                say("error: timeout after %.0f s" % opts["timeout"])
                return 1
            return 0
        time.sleep(0.05)
    return 0


def run_many(opts):
    ses = make_session(opts["port"], opts["settings"])
    say("listening on 127.0.0.1:%d" % listen_port(ses))
    handles = []
    for name in sorted(os.listdir(opts["torrent"])):
        if name.endswith(".torrent"):
            o = dict(opts, torrent=os.path.join(opts["torrent"], name),
                     tracker=False)
            handles.append(add(ses, o))
    start = time.time()
    ready = False
    while not stopping and time.time() - start < opts["timeout"]:
        drain_alerts(ses)
        if not ready:
            seeding = sum(1 for h in handles if h.status().is_seeding)
            if seeding == len(handles):
                say("seeding %d" % seeding)
                ready = True
        time.sleep(0.2)
    return 0


def main():
    opts = parse_args(sys.argv)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        rc = run_many(opts) if opts["mode"] == "seedmany" else run(opts)
    except Exception as e:  # one clear line instead of a traceback
        say("error: %s: %s" % (type(e).__name__, e))
        rc = 1
    sys.stdout.flush()
    # Skip the session's destructor: it waits for trackers to answer the
    # "stopped" announce, which only slows the tests down.
    os._exit(rc)


if __name__ == "__main__":
    main()
