#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the hand-made seed inputs of tests/fuzz/corpus/ (see README.md).

Input layout: 4 header bytes (lanes, capacity, initial_buffer, flags),
then (op, arg) pairs; op & 15 is the operation, op >> 4 picks a sender.
Run from anywhere: python3 tests/fuzz/make_seeds.py
"""
import os

SEND, MANY, TRY, RECV, TMO0, BATCH, TBATCH, RMANY = 0, 1, 2, 3, 4, 5, 6, 7
CLONE, SCLOSE, RCLOSE, INVALID, NOMEM, TMO, INTRO, BIG = range(8, 16)
# INTRO (op 14) arg % 4: 0 capacity / sender_capacity and NULL checks,
# 1 receiver_fd (and the readable check), 2 status strings and config
# helpers, 3 a plain send. RCLOSE (op 10) arg % 4: 0 receiver_close,
# 1 trim, else send_many(arg % 48). NOMEM (op 12): an even arg arms the
# allocation failure, an odd one is the waiting-sender and shutdown API
# (w() below).
THREADED = 32  # header flag: several sender threads (see README.md)
# threaded mode: a sender thread's byte (b % 8): send, is_closed and
# wait_closed, send_wait, send_many_wait, send_many(1 + (b >> 3) % 16),
# yield, sleep (b >> 3) * 8 us, clone a new sender and close the old one;
# the receiver's byte: try_recv, recv, the descriptor (try_recv, poll),
# recv_batch, try_recv_batch, recv_many(1 + (b >> 3)), len and
# sender_count, receiver_close (b >> 3 == 0), receiver_shutdown
# (b >> 3 == 1), else recv_timeout((b >> 3) * 20 us).
T_SEND, T_MANY, T_YIELD, T_SLEEP, T_SWAP = 0, 4, 5, 6, 7
R_TRY, R_RECV, R_FD, R_BATCH, R_TBATCH, R_MANY, R_LEN, R_CLOSE = range(8)


def op(code, sender=0, arg=0):
    return bytes([(sender << 4) | code, arg])


def tb(code, arg=0):
    """one byte of a threaded script: code | arg << 3 (arg 0..31)"""
    return (arg << 3) | code


def threaded(lanes, capacity, buf, flags, senders, receiver):
    """senders: a list of byte lists, one per thread; receiver: a list"""
    rows = max([len(x) for x in senders] + [len(receiver)])
    pad = [tb(T_YIELD)] * rows
    body = bytearray([len(senders) - 1])
    for k in range(rows):
        for x in senders:
            body.append((x + pad)[k])
        body.append((receiver + [tb(R_TRY)] * rows)[k])
    return header(lanes, capacity, buf, flags | THREADED) + bytes(body)


def header(lanes, capacity, buf, flags):
    """lanes 1..8; capacity 0 (unbounded) or 1..64; buf 0 (default) or 1..16."""
    b1 = 0 if capacity == 0 else 128 + (capacity - 1)
    b2 = 255 if buf == 0 else buf - 1
    return bytes([lanes - 1, b1, b2, flags])


seeds = {}

# The README example: received 1 3 2 4 6 5, then end of stream.
seeds["readme_order"] = header(8, 0, 4, 1) + b"".join([
    op(SEND, 0), op(CLONE, 0), op(SEND, 1), op(SEND, 0), op(SEND, 1),
    op(RECV), op(SEND, 0), op(RECV), op(RECV), op(RECV),
    op(CLONE, 0), op(SEND, 2), op(RECV), op(RECV), op(TRY),
    op(SCLOSE, 0), op(SCLOSE, 0), op(SCLOSE, 0), op(RECV), op(TRY),
])

# Capacity 4: the fifth send and an oversized batch are SPW_FULL.
seeds["capacity_full"] = header(2, 4, 2, 0) + b"".join([
    op(SEND, 0), op(CLONE, 0), op(SEND, 1), op(MANY, 0, 2), op(SEND, 1),
    op(MANY, 1, 3), op(MANY, 0, 5), op(MANY, 0, 0), op(TRY), op(SEND, 1),
    op(BATCH), op(MANY, 1, 2), op(RMANY, 0, 3), op(TBATCH), op(TMO0),
    op(SEND, 0), op(RECV), op(TRY),
])

# The receiver closes with values queued, part of a window unread; later
# sends are SPW_CLOSED, clones still work, the last close destroys the rest.
seeds["receiver_close_queued"] = header(3, 0, 3, 0) + b"".join([
    op(MANY, 0, 7), op(CLONE, 0), op(SEND, 1), op(MANY, 1, 5), op(TRY),
    op(TRY), op(RCLOSE, 0, 0), op(SEND, 0), op(MANY, 1, 4), op(MANY, 0, 0),
    op(CLONE, 1), op(SEND, 2), op(SCLOSE, 0), op(SCLOSE, 0),
])

# Eight lanes, ten senders, round-robin service across all of them.
seeds["many_lanes"] = header(8, 0, 2, 2) + b"".join(
    [op(CLONE, 0)] * 9
    + [op(SEND, s) for s in range(10)]
    + [op(MANY, s, 3) for s in range(0, 10, 3)]
    + [op(RMANY, 0, 5), op(SEND, 9), op(RMANY, 0, 23), op(BATCH),
       op(TBATCH), op(RECV), op(RMANY, 0, 23), op(TRY)]
)

# Batches larger than a segment (initial_buffer 2), views across segments.
seeds["big_batches"] = header(2, 0, 2, 1) + b"".join([
    op(MANY, 0, 47), op(SEND, 0), op(BIG, 0, 3), op(CLONE, 0),
    op(MANY, 1, 9), op(TRY), op(BATCH), op(BATCH), op(SEND, 1),
    op(TBATCH), op(BATCH), op(RMANY, 0, 20), op(BIG, 1, 14), op(BATCH),
    op(RECV), op(TBATCH), op(RMANY, 0, 23), op(TBATCH),
])

# Bounded, with allocation failures and invalid calls mixed in.
seeds["nomem_invalid"] = header(4, 40, 1, 3 | 16) + b"".join(
    [op(INVALID, 0, i) for i in range(20)]
    + [op(NOMEM), op(MANY, 0, 5), op(NOMEM), op(CLONE, 0), op(NOMEM),
       op(SEND, 0), op(SEND, 0), op(NOMEM), op(TRY), op(MANY, 0, 30),
       op(INVALID, 0, 15), op(BATCH), op(TMO, 0, 3), op(TMO, 0, 0),
       op(RCLOSE, 0, 4)]
)

# The default channel (spw_u64_channel: 8 lanes, unbounded, no hook).
seeds["default_channel"] = header(1, 0, 1, 8) + b"".join([
    op(SEND, 0), op(CLONE, 0), op(MANY, 1, 30), op(RECV), op(BATCH),
    op(SEND, 0), op(RCLOSE, 0, 0), op(SEND, 1),
])

# capacity, sender_capacity, the status strings, trim and len.
seeds["introspect_trim"] = header(3, 9, 2, 0) + b"".join([
    op(INTRO, 0, 0), op(INTRO, 0, 2), op(MANY, 0, 6), op(CLONE, 0),
    op(INTRO, 1, 0), op(SEND, 1), op(SEND, 1), op(MANY, 1, 4), op(TRY),
    op(RCLOSE, 0, 1), op(BATCH), op(RCLOSE, 0, 1), op(RMANY, 0, 20),
    op(TRY), op(RCLOSE, 0, 1), op(INTRO, 0, 0), op(SEND, 0), op(RECV),
])

# The descriptor: an empty try_recv arms it, a send makes it readable,
# so does the last sender's close; a timed wait parks and disarms it.
seeds["descriptor"] = header(2, 0, 4, 1) + b"".join([
    op(INTRO, 0, 1), op(TRY), op(SEND, 0), op(INTRO, 0, 1), op(RECV),
    op(TBATCH), op(MANY, 0, 3), op(INTRO, 0, 1), op(BATCH), op(TMO0),
    op(CLONE, 0), op(SEND, 1), op(TRY), op(TRY), op(TMO, 0, 2),
    op(SEND, 0), op(INTRO, 0, 1), op(TRY), op(TRY), op(SCLOSE, 1),
    op(SCLOSE, 0), op(INTRO, 0, 1), op(TRY),
])

# Threaded: two threads on one lane (the second revokes the first's
# bias), a receiver that blocks while they pause (parks, is woken).
seeds["threaded_one_lane"] = threaded(1, 0, 4, 0, [
    [tb(T_SEND)] * 6 + [tb(T_SLEEP, 20), tb(T_MANY, 5), tb(T_SEND)] * 4,
    [tb(T_SLEEP, 5), tb(T_SEND), tb(T_SEND), tb(T_SLEEP, 31)] * 4
    + [tb(T_MANY, 9)],
], [tb(R_RECV)] * 10 + [tb(R_BATCH), tb(R_MANY, 3), tb(R_LEN),
     tb(R_CLOSE, 31)] * 4)

# Threaded, capacity 3: senders retry on SPW_FULL; four threads, new
# senders mid-stream; the receiver waits on the descriptor.
seeds["threaded_capacity_fd"] = threaded(2, 3, 2, 0, [
    [tb(T_MANY, 2), tb(T_SEND), tb(T_SWAP), tb(T_SEND)] * 4,
    [tb(T_SEND), tb(T_SLEEP, 10)] * 6,
    [tb(T_MANY, 15), tb(T_YIELD), tb(T_SEND)] * 3,
    [tb(T_SLEEP, 31), tb(T_SWAP), tb(T_SEND)] * 3,
], [tb(R_FD)] * 8 + [tb(R_TRY), tb(R_FD), tb(R_TBATCH), tb(R_LEN)] * 4)

# Threaded: the receiver closes with values in flight; the rest go to
# the destroy hook in the last sender's close.
seeds["threaded_receiver_close"] = threaded(3, 0, 3, 0, [
    [tb(T_MANY, 7), tb(T_SEND)] * 8,
    [tb(T_SEND), tb(T_YIELD)] * 8,
    [tb(T_SWAP), tb(T_MANY, 3), tb(T_SLEEP, 2)] * 5,
], [tb(R_TRY), tb(R_RECV), tb(R_CLOSE, 3), tb(R_MANY, 4)] * 2
    + [tb(R_CLOSE, 0)])

# Creation fails part way (the channel and the sender allocated, the
# receiver not: flags bits 6-7 = 2), then a quiet spell: the receiver
# sheds its spares after SPW_SHED_IDLE_NS (INTRO 3 with nothing queued).
seeds["nomem_partial_idle"] = header(2, 0, 1, 16 | (2 << 6)) + b"".join([
    op(MANY, 0, 20), op(CLONE, 0), op(MANY, 1, 9), op(RMANY, 0, 23),
    op(RMANY, 0, 23), op(TRY), op(INTRO, 0, 3), op(SEND, 0), op(RECV),
    op(INTRO, 0, 3), op(INTRO, 1, 3),
])

# Op 12 with an odd arg: p = arg >> 1, sub = p % 8, q = p >> 3 (0..15).
W_SEND0, W_SEND_T, W_MANY0, W_MANY_T, W_SHUT, W_CLOSED, W_INVALID, W_EDGE = range(8)
def w(sub, q=0, sender=0):
    assert 0 <= q < 16
    return op(NOMEM, sender, (((q << 3) | sub) << 1) | 1)
# threaded: sender codes 1 closed check, 2 send_wait, 3 send_many_wait
T_CLOSED, T_WAIT, T_MWAIT = 1, 2, 3
R_SHUT = 1   # tb(R_CLOSE, 1): receiver_shutdown
def mwait(n, ti):  # send_many_wait of n (1..8), timeout index 0..3
    return tb(T_MWAIT, (n - 1) | (ti << 3))

# Capacity 4: waiting sends that fit are OK, a full channel is TIMEOUT
# (timeout 0 and three short timed waits), a batch above the capacity is
# INVALID (also after the close), n = 0 is OK, exactly the room is OK and
# one more is not; SPW_FOREVER only where room is; closed: CLOSED.
seeds["wait_full"] = header(2, 4, 2, 0) + b"".join([
    w(W_SEND0), op(CLONE, 0), w(W_MANY0, 2, 1), w(W_SEND0, 0, 1),
    w(W_SEND0), w(W_SEND_T, 3), w(W_MANY_T, 2, 1), w(W_MANY0, 15),
    w(W_MANY0, 0), w(W_EDGE, 0), w(W_EDGE, 1), op(TRY), op(SEND, 1),
    op(BATCH), w(W_EDGE, 0, 1), w(W_EDGE, 9), w(W_CLOSED, 0),
    op(RMANY, 0, 23), w(W_SEND_T, 15), w(W_MANY_T, 1, 1), w(W_INVALID),
    op(RECV), op(SCLOSE, 1), op(RCLOSE, 0, 0), w(W_SEND0), w(W_CLOSED, 1),
    w(W_MANY0, 15), w(W_MANY0, 0), w(W_MANY_T, 3),
])

# Unbounded: shutdown (twice) with a view held and a visit part read,
# the descriptor made before it; later sends of every kind are CLOSED,
# clones still work, sender_count counts them; the receiver drains in
# the model's order, then has end of stream with senders open.
seeds["shutdown_drain"] = header(3, 0, 3, 1) + b"".join([
    op(INTRO, 0, 1), op(MANY, 0, 5), op(CLONE, 0), op(SEND, 1),
    op(MANY, 1, 4), op(CLONE, 0), w(W_SEND0, 0, 2), w(W_MANY0, 9, 2),
    op(TRY), op(BATCH), w(W_CLOSED, 0), w(W_SHUT, 1), op(SEND, 0),
    w(W_SEND0, 0, 1), w(W_MANY0, 3), w(W_SEND_T, 15), w(W_CLOSED, 3),
    op(CLONE, 0), w(W_INVALID), op(INTRO, 0, 1), op(RECV), op(TRY),
    op(RMANY, 0, 3), op(BATCH), op(RMANY, 0, 23), op(TRY), op(RECV),
    op(TMO, 0, 5), op(TBATCH), op(RMANY, 0, 4), w(W_SHUT), op(SCLOSE, 0),
])

# Capacity 6 with the destroy hook: a waiting send and wait_closed time
# out, allocation failures before waiting sends, shutdown with values
# queued, then receiver_close: the rest goes to the hook.
seeds["shutdown_bounded_close"] = header(2, 6, 1, 0) + b"".join([
    op(MANY, 0, 6), w(W_SEND_T, 1), w(W_CLOSED, 2), op(NOMEM),
    w(W_SEND0), op(TRY), op(NOMEM), w(W_SEND0), op(NOMEM),
    w(W_MANY0, 1), op(CLONE, 0), w(W_EDGE, 2, 1), w(W_SHUT),
    w(W_SEND0, 0, 1), op(TRY), w(W_SHUT, 1), w(W_EDGE, 0), op(RCLOSE, 0, 0),
    w(W_CLOSED, 1, 1), w(W_SEND0), w(W_MANY_T, 5), op(SCLOSE, 1),
])

# Threaded, capacity 2: three threads send with send_wait (no deadline,
# short timeouts, 0) and send_many_wait (1-2 values; 3-8: INVALID), one
# watches wait_closed; the receiver is slow (len, try_recv) and drains.
seeds["threaded_send_wait"] = threaded(2, 2, 2, 0, [
    [tb(T_WAIT, 31), tb(T_WAIT, 2), mwait(2, 3), tb(T_WAIT, 0),
     mwait(5, 0)] * 4,
    [mwait(2, 1), tb(T_WAIT, 31), tb(T_CLOSED, 3), mwait(1, 2),
     tb(T_SWAP)] * 4,
    [tb(T_CLOSED, 0), tb(T_WAIT, 31), mwait(8, 3), tb(T_SEND),
     tb(T_WAIT, 1)] * 4,
], [tb(R_LEN), tb(R_TRY), tb(R_LEN), tb(R_RECV)] * 5)

# Threaded, capacity 5: the receiver shuts down while senders (waiting
# ones too) are busy, goes on receiving to end of stream, then closes:
# every accepted value was received, none destroyed, refused ones kept.
seeds["threaded_shutdown"] = threaded(4, 5, 3, 0, [
    [tb(T_WAIT, 31), mwait(3, 3), tb(T_SEND)] * 6,
    [tb(T_MANY, 4), tb(T_WAIT, 5), tb(T_CLOSED, 20)] * 6,
    [mwait(4, 1), tb(T_SWAP), tb(T_WAIT, 31)] * 6,
    [tb(T_CLOSED, 0), tb(T_SLEEP, 10), tb(T_WAIT, 31)] * 6,
], [tb(R_LEN), tb(R_BATCH), tb(R_MANY, 2), tb(R_CLOSE, R_SHUT),
    tb(R_TRY), tb(R_CLOSE, R_SHUT), tb(R_MANY, 7), tb(R_LEN), tb(R_FD)]
    + [tb(R_BATCH)] * 4)

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(here, exist_ok=True)
for name, data in seeds.items():
    assert len(data) < 200, name
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")
