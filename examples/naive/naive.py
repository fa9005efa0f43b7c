# naive.py: the request parser everyone writes first, for chapter 2's
# "What can go wrong". It reads lines with readline(), splits fields on
# the first colon, trusts int() with Content-Length, and answers with the
# dump chapter 2's checks expect. curl is happy with it; the checks are
# not:
#
#   go run ./cmd/learn check ch02 --dir examples/naive -- python3 naive.py
import argparse, json, socket, threading

def serve(conn):
    with conn, conn.makefile("rb") as f:
        method, target, version = f.readline().decode("latin-1").split()
        headers = []
        while (line := f.readline().decode("latin-1")) not in ("\r\n", "\n", ""):
            name, value = line.split(":", 1)
            headers.append([name, value.strip()])
        length = sum(int(v) for n, v in headers if n.lower() == "content-length")
        body = f.read(length).decode("latin-1")
        dump = json.dumps({"method": method, "target": target, "version": version,
                           "headers": headers, "body": body}).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(dump) + dump)

p = argparse.ArgumentParser()
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--port", type=int, default=8080)
a = p.parse_args()
ln = socket.create_server((a.host, a.port))
while True:
    c, _ = ln.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
