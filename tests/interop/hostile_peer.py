"""A scripted hostile BitTorrent peer (plain sockets, no libtorrent) for
tests/interop/hostile.sh. Runs under any python3.

  hostile_peer.py attack HOST:PORT TORRENT SCENARIO [--wait S]
      connects to a seeder and misbehaves as SCENARIO says, then watches
      for S seconds (default 5) how the seeder reacts. Prints one JSON
      line: {"scenario", "result", "detail", "ms"} where result is
        closed   the seeder closed the connection (ms: after the offence)
        open     it kept the connection and sent nothing we asked for
        served   it answered the offending request with a PIECE
        choked   it never unchoked us, so a request test is inconclusive
        refused  it did not complete the handshake
      Exit 0 when the scenario ran, 3 when the seeder could not be reached.
  hostile_peer.py serve TORRENT DIR SCENARIO [--port N] [--timeout S]
      listens on 127.0.0.1 ("listening on 127.0.0.1:PORT"), accepts
      leechers and plays a seed that misbehaves as SCENARIO says, reading
      honest bytes from DIR. One line per event: "accepted conn=N",
      "dropped conn=N at=EPOCH ms=M blocks=B" when the leecher closed the
      connection, "closed conn=N ..." when we did, and a final JSON line
      {"connections", "dropped", "blocks"} on SIGTERM or --timeout.

attack scenarios (we are a leecher talking to a seeder):
  wrong-infohash    handshake for a torrent the seeder does not have
  bad-protocol      a handshake whose protocol string is misspelt, then
                    1 KiB of noise
  oversized-length  length prefix 0x7fffffff, then 1 KiB
  piece-32k         a PIECE carrying a 32 KiB block (blocks are 16 KiB)
  piece-1mib        a PIECE message of 1 MiB + 9 bytes
  unknown-id        message id 0x7e with a body, then a valid request
  bitfield-size     a bitfield one byte too long
  bitfield-spare    a bitfield with the spare bits at the end set
  have-range        HAVE with index = piece count
  have-all-nofast   HAVE_ALL although the fast extension was not agreed
  late-bitfield     a HAVE, then a BITFIELD (aria2 does this; legal to
                    survive): the connection should stay open
  request-beyond    REQUEST for piece index = piece count
  request-offset    REQUEST running past the end of the last piece
  request-large     REQUEST of 256 KiB (over the 128 KiB anyone serves)
  piece-unrequested a PIECE the seeder never asked for
  keepalive-flood   one million keep-alives (4 MB), then a valid request
  request-flood     50,000 valid REQUESTs without reading the answers
serve scenarios (we are a seed; the leecher dials us):
  honest            correct data (the control case)
  corrupt           random bytes for every block
  corrupt-some      random bytes for the blocks of every other piece
  wrong-infohash    our handshake names another torrent
  oversized-length  length prefix 0x7fffffff after the handshake
  bitfield-size     a bitfield one byte too long
  bitfield-spare    a bitfield with the spare bits set
  have-range        a full bitfield, then HAVE index = piece count
  unknown-id        message id 0x7e, then honest
  unrequested       PIECE messages for blocks never requested
  wrong-length      answers a 16 KiB request with 8 KiB
  keepalive-flood   a stream of keep-alives, never unchokes
  stall             unchokes, takes requests, never answers them
"""
import hashlib
import json
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

PSTR = b"\x13BitTorrent protocol"
BLOCK = 16384
CHOKE, UNCHOKE, INTERESTED, NOT_INTERESTED, HAVE, BITFIELD, REQUEST, \
    PIECE, CANCEL = range(9)
HAVE_ALL, HAVE_NONE = 14, 15
KEEPALIVE = -1


# ---------------------------------------------------------------- torrent

def bdecode(data, i=0):
    """(value, end) of the bencoded value at data[i]; our own torrents
    only, so plain recursion is fine. Dict values record their raw span
    under the key (b"__span__", key)."""
    c = data[i:i + 1]
    if c == b"i":
        j = data.index(b"e", i)
        return int(data[i + 1:j]), j + 1
    if c == b"l":
        out, i = [], i + 1
        while data[i:i + 1] != b"e":
            v, i = bdecode(data, i)
            out.append(v)
        return out, i + 1
    if c == b"d":
        out, i = {}, i + 1
        while data[i:i + 1] != b"e":
            k, i = bdecode(data, i)
            start = i
            v, i = bdecode(data, i)
            out[k] = v
            out[(b"__span__", k)] = (start, i)
        return out, i + 1
    j = data.index(b":", i)
    n = int(data[i:j])
    return data[j + 1:j + 1 + n], j + 1 + n


class Torrent:
    def __init__(self, path, root=None):
        raw = open(path, "rb").read()
        meta, _ = bdecode(raw)
        a, b = meta[(b"__span__", b"info")]
        self.info_hash = hashlib.sha1(raw[a:b]).digest()
        info = meta[b"info"]
        self.piece_length = info[b"piece length"]
        self.hashes = info[b"pieces"]
        self.num_pieces = len(self.hashes) // 20
        name = info[b"name"].decode()
        if b"files" in info:
            self.files = [(os.path.join(name, *[p.decode() for p in f[b"path"]]),
                           f[b"length"]) for f in info[b"files"]]
        else:
            self.files = [(name, info[b"length"])]
        self.length = sum(n for _, n in self.files)
        self.root = root

    def piece_size(self, index):
        if index == self.num_pieces - 1:
            return self.length - index * self.piece_length
        return self.piece_length

    def read(self, offset, length):
        out = bytearray()
        pos = 0
        for rel, size in self.files:
            if length and offset < pos + size:
                start = max(offset, pos) - pos
                n = min(size - start, length)
                with open(os.path.join(self.root, rel), "rb") as f:
                    f.seek(start)
                    out += f.read(n)
                offset += n
                length -= n
            pos += size
        return bytes(out)

    def bitfield(self, spare=False, extra=0):
        n = (self.num_pieces + 7) // 8
        bits = bytearray(b"\xff" * n)
        if not spare and self.num_pieces % 8:
            bits[-1] = (0xff << (8 - self.num_pieces % 8)) & 0xff
        return bytes(bits) + b"\xff" * extra


# ---------------------------------------------------------------- wire

def msg(mid, payload=b""):
    return struct.pack(">IB", len(payload) + 1, mid) + payload


def handshake(info_hash):
    peer_id = b"-HP0001-" + os.urandom(6).hex().encode()
    return PSTR + bytes(8) + info_hash + peer_id


class Closed(Exception):
    pass


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Closed(str(e))

    def _fill(self, deadline):
        left = deadline - time.time()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(1 << 16)
        except socket.timeout:
            return False
        except OSError as e:
            raise Closed(str(e))
        if not data:
            raise Closed("eof")
        self.buf += data
        return True

    def read_exact(self, n, timeout):
        deadline = time.time() + timeout
        while len(self.buf) < n:
            if not self._fill(deadline):
                return None
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_msg(self, timeout):
        """(id, payload), (KEEPALIVE, b""), or None on timeout. Bodies
        over 1 MiB are not ours to read: treat as a closed peer."""
        deadline = time.time() + timeout
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if n > (1 << 20) + 64:
                    raise Closed("oversized message from the peer")
                if len(self.buf) >= 4 + n:
                    body = self.buf[4:4 + n]
                    self.buf = self.buf[4 + n:]
                    if n == 0:
                        return KEEPALIVE, b""
                    return body[0], body[1:]
            if not self._fill(deadline):
                return None


def connect(addr, timeout=5):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return Conn(s)


# ---------------------------------------------------------------- attack

def wait_close(c, seconds, want_piece=None):
    """Reads for `seconds`: "closed", "served" (a PIECE matching
    want_piece=(index, begin) arrived) or "open"."""
    deadline = time.time() + seconds
    try:
        while time.time() < deadline:
            m = c.read_msg(deadline - time.time())
            if m is None:
                break
            if want_piece and m[0] == PIECE and \
                    struct.unpack(">II", m[1][:8]) == want_piece:
                return "served"
    except Closed:
        return "closed"
    return "open"


def wait_unchoke(c, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        m = c.read_msg(deadline - time.time())
        if m is None:
            break
        if m[0] == UNCHOKE:
            return True
    return False


def attack_start(c, t):
    c.send(handshake(t.info_hash))
    hs = c.read_exact(68, 5)
    if hs is None or hs[:20] != PSTR or hs[28:48] != t.info_hash:
        raise Closed("no handshake")
    # Let the seeder's bitfield / have-all arrive.
    while c.read_msg(0.3) is not None:
        pass


REQUEST_CASES = {
    "request-beyond": lambda t: (t.num_pieces, 0, BLOCK),
    "request-offset": lambda t: (t.num_pieces - 1,
                                 t.piece_size(t.num_pieces - 1) - BLOCK // 2,
                                 BLOCK),
    "request-large": lambda t: (0, 0, 256 << 10),
}


def attack_body(c, t, sc, wait):
    """Sends the offence; returns (result, detail)."""
    nbytes = (t.num_pieces + 7) // 8
    if sc == "oversized-length":
        c.send(b"\x7f\xff\xff\xff" + os.urandom(1024))
    elif sc == "piece-32k":
        c.send(msg(PIECE, struct.pack(">II", 0, 0) + os.urandom(32768)))
    elif sc == "piece-1mib":
        c.send(struct.pack(">IBII", (1 << 20) + 9, PIECE, 0, 0) +
               os.urandom(1 << 20))
    elif sc == "bitfield-size":
        c.send(msg(BITFIELD, b"\xff" * (nbytes + 1)))
    elif sc == "bitfield-spare":
        c.send(msg(BITFIELD, t.bitfield(spare=True)))
    elif sc == "have-range":
        c.send(msg(HAVE, struct.pack(">I", t.num_pieces)))
    elif sc == "have-all-nofast":
        c.send(msg(HAVE_ALL))
    elif sc == "late-bitfield":
        c.send(msg(HAVE, struct.pack(">I", 0)))
        c.send(msg(BITFIELD, b"\x80" + bytes(nbytes - 1)))
    elif sc == "piece-unrequested":
        c.send(msg(PIECE, struct.pack(">II", 0, 0) + os.urandom(BLOCK)))
    elif sc in ("unknown-id", "keepalive-flood"):
        if sc == "unknown-id":
            c.send(msg(0x7e, b"hostile!"))
        else:
            c.send(bytes(4 * 1000000))
        c.send(msg(INTERESTED))
        if not wait_unchoke(c, 12):
            return "choked", "never unchoked after the offence"
        c.send(msg(REQUEST, struct.pack(">III", 0, 0, BLOCK)))
        return wait_close(c, wait, (0, 0)), "then a valid request"
    elif sc in REQUEST_CASES or sc == "request-flood":
        c.send(msg(INTERESTED))
        if not wait_unchoke(c, 12):
            return "choked", "never unchoked"
        if sc == "request-flood":
            reqs = bytearray()
            blocks = max(1, t.piece_length // BLOCK)
            for i in range(50000):
                p = i % t.num_pieces
                b = (i // t.num_pieces) % blocks * BLOCK
                size = min(BLOCK, t.piece_size(p) - b)
                if size <= 0:
                    b, size = 0, min(BLOCK, t.piece_size(p))
                reqs += msg(REQUEST, struct.pack(">III", p, b, size))
            c.sock.settimeout(wait)
            try:
                c.sock.sendall(reqs)
            except socket.timeout:
                return "open", "the seeder stopped reading (backpressure)"
            except OSError:
                return "closed", "while sending requests"
            time.sleep(wait)
            return "open", "50000 requests sent, answers never read"
        idx, begin, length = REQUEST_CASES[sc](t)
        c.send(msg(REQUEST, struct.pack(">III", idx, begin, length)))
        return wait_close(c, wait, (idx, begin)), "request %d/%d/%d" % (
            idx, begin, length)
    else:
        raise SystemExit("unknown attack scenario %s" % sc)
    return wait_close(c, wait), ""


def attack(addr, torrent, sc, wait):
    t = Torrent(torrent)
    try:
        c = connect(addr)
    except OSError as e:
        print(json.dumps({"scenario": sc, "result": "unreachable",
                          "detail": str(e)}))
        return 3
    t0 = time.time()
    detail = ""
    try:
        if sc == "wrong-infohash":
            c.send(handshake(os.urandom(20)))
            res = wait_close(c, wait)
        elif sc == "bad-protocol":
            # 1 KiB more: past where an MSE receiver could still hope to
            # find its sync marker, so it must give up too.
            c.send(b"\x13BitTorrent protocoX" + bytes(8) + t.info_hash +
                   os.urandom(20 + 1024))
            res = wait_close(c, wait)
        else:
            try:
                attack_start(c, t)
            except Closed as e:
                res, detail = "refused", str(e)
            else:
                t0 = time.time()
                res, detail = attack_body(c, t, sc, wait)
    except Closed as e:
        res, detail = "closed", str(e)
    print(json.dumps({"scenario": sc, "result": res, "detail": detail,
                      "ms": int((time.time() - t0) * 1000)}))
    c.sock.close()
    return 0


# ---------------------------------------------------------------- serve

class Server:
    def __init__(self, t, sc):
        self.t = t
        self.sc = sc
        self.lock = threading.Lock()
        self.conns = 0
        self.dropped = 0
        self.blocks = 0

    def say(self, line):
        with self.lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def piece_bytes(self, idx, begin, length):
        data = self.t.read(idx * self.t.piece_length + begin, length)
        if self.sc == "corrupt" or (self.sc == "corrupt-some" and idx % 2):
            return os.urandom(len(data))
        return data

    def opening(self, c):
        t, sc = self.t, self.sc
        if sc == "oversized-length":
            c.send(b"\x7f\xff\xff\xff" + os.urandom(1024))
            return
        if sc == "bitfield-size":
            c.send(msg(BITFIELD, t.bitfield(extra=1)))
            return
        if sc == "bitfield-spare":
            c.send(msg(BITFIELD, t.bitfield(spare=True)))
            return
        c.send(msg(BITFIELD, t.bitfield()))
        if sc == "have-range":
            c.send(msg(HAVE, struct.pack(">I", t.num_pieces)))
        elif sc == "unknown-id":
            c.send(msg(0x7e, b"hostile!"))
        elif sc == "keepalive-flood":
            end = time.time() + 60
            while time.time() < end:
                c.send(bytes(64 << 10))
                time.sleep(0.01)

    def on_message(self, c, m, state):
        mid, body = m
        if mid == INTERESTED and not state["unchoked"]:
            c.send(msg(UNCHOKE))
            state["unchoked"] = True
            if self.sc == "unrequested":
                for i in range(min(8, self.t.num_pieces)):
                    c.send(msg(PIECE, struct.pack(">II", i, 0) +
                               self.t.read(i * self.t.piece_length,
                                           min(BLOCK, self.t.piece_size(i)))))
        elif mid == REQUEST and len(body) == 12 and self.sc != "stall":
            idx, begin, length = struct.unpack(">III", body)
            if idx >= self.t.num_pieces or length > 128 << 10:
                return
            if self.sc == "wrong-length":
                length = max(1, length // 2)
            c.send(msg(PIECE, struct.pack(">II", idx, begin) +
                       self.piece_bytes(idx, begin, length)))
            with self.lock:
                self.blocks += 1
            state["blocks"] += 1

    def handle(self, sock, n):
        c = Conn(sock)
        t0 = time.time()
        state = {"unchoked": False, "blocks": 0}
        self.say("accepted conn=%d" % n)
        try:
            hs = c.read_exact(68, 10)
            if hs is None or hs[:20] != PSTR or hs[28:48] != self.t.info_hash:
                self.say("closed conn=%d: bad or no handshake" % n)
                sock.close()
                return
            ih = os.urandom(20) if self.sc == "wrong-infohash" \
                else self.t.info_hash
            c.send(handshake(ih))
            self.opening(c)
            while True:
                m = c.read_msg(3600)
                if m is not None and m[0] != KEEPALIVE:
                    self.on_message(c, m, state)
        except Closed:
            with self.lock:
                self.dropped += 1
            self.say("dropped conn=%d at=%.3f ms=%d blocks=%d" % (
                n, time.time(), (time.time() - t0) * 1000, state["blocks"]))
        finally:
            sock.close()

    def summary(self):
        return json.dumps({"scenario": self.sc, "connections": self.conns,
                           "dropped": self.dropped, "blocks": self.blocks})


def serve(torrent, root, sc, port, timeout):
    srv = Server(Torrent(torrent, root), sc)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    ls.settimeout(0.2)
    srv.say("listening on 127.0.0.1:%d" % ls.getsockname()[1])
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    end = time.time() + timeout
    while not stop and time.time() < end:
        try:
            sock, _ = ls.accept()
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        srv.conns += 1
        threading.Thread(target=srv.handle, args=(sock, srv.conns),
                         daemon=True).start()
    srv.say(srv.summary())
    return 0


def main(argv):
    args = argv[1:]
    opts = {"--wait": "5", "--port": "0", "--timeout": "300"}
    pos = []
    while args:
        a = args.pop(0)
        if a in opts and args:
            opts[a] = args.pop(0)
        else:
            pos.append(a)
    random.seed()
    if len(pos) == 4 and pos[0] == "attack":
        return attack(pos[1], pos[2], pos[3], float(opts["--wait"]))
    if len(pos) == 4 and pos[0] == "serve":
        return serve(pos[1], pos[2], pos[3], int(opts["--port"]),
                     float(opts["--timeout"]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
