#!/usr/bin/env python3
"""Records what gdb sends to stvp's GDB stub, as a fuzz_gdb seed (corpus/fuzz_gdb/gdb_*).

    gdb_record.py LISTEN_PORT STUB_PORT OUT_FILE

Listens on 127.0.0.1:LISTEN_PORT, forwards one connection to stvp's stub on
127.0.0.1:STUB_PORT (`stvp --gdb 0` prints it) and, when either side closes, writes every byte
gdb sent (packets, acks, interrupt bytes) to OUT_FILE. Point gdb at LISTEN_PORT:

    gdb-multiarch -batch -ex 'set architecture riscv:rv32' -ex 'target remote :LISTEN_PORT' -ex ...
"""
import select
import socket
import sys

listen_port, stub_port, out_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(1)
gdb, _ = server.accept()
stub = socket.create_connection(("127.0.0.1", stub_port))
sent = bytearray()
open_ = True
while open_:
    ready, _, _ = select.select([gdb, stub], [], [], 60)
    if not ready:
        break
    for s in ready:
        data = s.recv(65536)
        if not data:
            open_ = False
            break
        if s is gdb:
            sent += data
            stub.sendall(data)
        else:
            gdb.sendall(data)
with open(out_file, "wb") as f:
    f.write(bytes(sent))
