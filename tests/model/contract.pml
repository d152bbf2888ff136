/* SPDX-License-Identifier: MIT */
/*
 * contract.pml - the parts of Spillway's protocol that came with the
 * bounded / shutdown / descriptor contract, on x86-TSO store buffers.
 * See CONTRACT.md; contract_check.sh runs every check below.
 *
 *   spin -a -DROOM    contract.pml   (1) a sender waiting for room against
 *                                        the receiver releasing slots
 *   spin -a -DSHUT    contract.pml   (2) receiver_shutdown, then the drain
 *   spin -a -DFDSTART contract.pml   (3) receiver_fd armed from the start
 *   gcc -O2 -DSAFETY -o pan pan.c && ./pan -m100000
 *
 * Sizes: -DS=n senders (1..3, default 2), -DK=n sends each (default 2),
 * -DBUF=n store buffer entries (default 2); ROOM: -DCAP=n (default 1),
 * -DN1=n (sender 1 sends batches of n, default 1), -DTIMEOUTS=n and
 * -DSPURIOUS=n (budgets of expired and spurious waits, default 0),
 * -DTRIES=n (polite tries before a send gives up or joins the line,
 * default 1), -DPLAIN (sender S sends plainly: SPW_FULL without room),
 * -DSTOP (the receiver may stop after any release; run pan with -E: the
 * check is then "when nothing can move, the first in line is not asleep
 * with room for it"); FDSTART: -DCLOSE (the senders close, the loop runs
 * to end of stream).
 * Mutants (caught): -DBAD_ROOM, -DBAD_RELEASE_ORDER, -DBAD_POLITE,
 * -DBAD_FENCE_ONCE=1 (with STOP), -DBAD_FENCE_ONCE=2, -DBAD_HANDOFF (with
 * STOP) (ROOM), -DBAD_SHUTDOWN, -DBAD_SHUT_NO_HEAVY (SHUT), -DBAD_FDSTART,
 * -DBAD_PENDING, -DBAD_ARM_NO_HEAVY (FDSTART). Without STOP,
 * BAD_FENCE_ONCE=1 and BAD_HANDOFF verify: see CONTRACT.md.
 * Controls: -DSC (no store buffers), -DNO_MEMBARRIER (ROOM: the
 * fallback, full fences instead of membarrier). Witnesses (ROOM, an
 * assertion that must fail: the path is taken): -DWITNESS=1 a first in
 * line reuses an earlier barrier, =2 one fences again for a new need in
 * a line that never emptied, =3 a polite reservation succeeds leaving
 * room for the line.
 *
 * Memory (x86-TSO). Each thread t has a FIFO store buffer of BUF entries
 * (sb_a: address, sb_v: value, sb_n: how many). A plain store (relaxed or
 * release) is appended to it, and waits while it is full. A load (relaxed
 * or acquire) returns t's newest buffered store to that address, or memory.
 * A drainer process per thread writes the oldest entry to memory at any
 * moment. A locked instruction (exchange, fetch_add, compare-exchange,
 * pthread_mutex_lock / unlock), mfence and a seq_cst store (xchg) first
 * empty t's own buffer: fence(t). membarrier (the heavy barrier) empties
 * every thread's buffer in one step: heavy(). A compiler barrier (the light
 * barrier when membarrier works) is nothing at all.
 */

#ifndef S
#define S 2			/* senders, one lane each */
#endif
#ifndef K
#define K 2			/* values per sender */
#endif
#ifndef BUF
#define BUF 2			/* store buffer entries per thread */
#endif
#define NT (S + 1)		/* thread 0: the receiver; 1..S: senders */

#if defined(ROOM)
#ifndef CAP
#define CAP 1			/* the channel's capacity */
#endif
#ifndef N1
#define N1 1			/* sender 1 sends batches of N1 (send_many_wait) */
#endif
#if N1 > CAP
#error "N1 <= CAP (send_many_wait refuses a batch that could never fit)"
#endif
#if defined(PLAIN) && S < 2
#error "PLAIN needs S >= 2 (sender S sends plainly)"
#endif
#define NOF(t) ((t) == 1 -> N1 : 1)	/* sender t's batch size */
#define TOTAL (K * N1 + (S - 1) * K)	/* values in all */
#define RESERVED 0		/* core->reserved (senders: CAS) */
#define RELEASED 1		/* core->released (receiver: plain store) */
#define WAITERS 2		/* core->room_waiters (locked RMW) */
#define NEED 3			/* core->room_need (seq_cst store) */
#define PUB(l) (4 + (l))	/* lane l's published count */
#define NA (4 + S)
#elif defined(SHUT)
#define CLOSED 0		/* core->closed */
#define BUSY(l) (1 + (l))	/* lane l's busy flag (its owner's fast path) */
#define PUB(l) (1 + S + (l))
#define NA (1 + 2 * S)
#elif defined(FDSTART)
#define PARKED 0		/* core->parked */
#define EFD 1			/* core->efd >= 0 (1) or -1 (0) */
#define PUB(l) (2 + (l))
#define SENDERS (2 + S)		/* core->senders (CLOSE) */
#define NA (3 + S)
#else
#error "pick one: -DROOM, -DSHUT or -DFDSTART"
#endif

#if S > 3
#error "S <= 3"
#endif

byte mem[NA];
byte sb_a[NT * BUF];
byte sb_v[NT * BUF];
byte sb_n[NT];
byte sj;			/* scratch of the d_steps below (always 0 outside) */

/* ---- x86-TSO ------------------------------------------------------------ */

#ifdef SC
inline st(t, a, v) { mem[a] = v }
inline ld(t, a, v) { v = mem[a] }
inline fence(t) { skip }
inline heavy_body() { skip }
inline heavy() { skip }
#else
inline st(t, a, v)
{
	atomic {
		sb_n[t] < BUF ->
		sb_a[t * BUF + sb_n[t]] = a;
		sb_v[t * BUF + sb_n[t]] = v;
		sb_n[t]++
	}
}

/* memory, overridden by each buffered store to a, oldest to newest */
inline ld(t, a, v)
{
	d_step {
		v = mem[a];
		sj = 0;
		do
		:: sj < sb_n[t] ->
			if
			:: sb_a[t * BUF + sj] == a -> v = sb_v[t * BUF + sj]
			:: else
			fi;
			sj++
		:: else -> break
		od;
		sj = 0
	}
}

/* the oldest entry of t's buffer goes to memory (inside a d_step) */
inline drain_one(t)
{
	mem[sb_a[t * BUF]] = sb_v[t * BUF];
	sj = 1;
	do
	:: sj < sb_n[t] ->
		sb_a[t * BUF + sj - 1] = sb_a[t * BUF + sj];
		sb_v[t * BUF + sj - 1] = sb_v[t * BUF + sj];
		sj++
	:: else -> break
	od;
	sb_n[t]--;
	sb_a[t * BUF + sb_n[t]] = 0;
	sb_v[t * BUF + sb_n[t]] = 0;
	sj = 0
}

/* t's buffer empties (inside a d_step or an atomic) */
inline fence(t)
{
	do
	:: sb_n[t] > 0 -> drain_one(t)
	:: else -> break
	od;
	skip
}

byte hq;			/* scratch of heavy() */

/* every thread's buffer empties (inside a d_step) */
inline heavy_body()
{
	hq = 0;
	do
	:: hq < NT -> fence(hq); hq++
	:: else -> break
	od;
	hq = 0
}

inline heavy() { d_step { heavy_body() } }

proctype drainer(byte t)
{
end:	do
	:: d_step { sb_n[t] > 0 -> drain_one(t) }
	od
}
#endif

/* any lane with values not yet consumed (a blocking receive's wake-up) */
#if S == 1
#define ANY_NEW (mem[PUB(0)] != consumed[0])
#elif S == 2
#define ANY_NEW (mem[PUB(0)] != consumed[0] || mem[PUB(1)] != consumed[1])
#else
#define ANY_NEW (mem[PUB(0)] != consumed[0] || mem[PUB(1)] != consumed[1] || \
		 mem[PUB(2)] != consumed[2])
#endif

byte done;			/* processes (senders, receiver) finished */

/* ---- (1) waiting for room against releasing ----------------------------- */
#ifdef ROOM

bit room_lock;			/* core->room_lock: 1 held */
bit waiting[NT];		/* w.cond of sender t: 1 while in cond_wait */
byte line[S];			/* the FIFO of waiters (thread ids), under room_lock */
byte line_n;
bit fenced;			/* core->room_fenced, under room_lock */
byte fenced_need;		/* core->room_fenced_need, under room_lock */
byte relg;			/* ghost: slots the receiver has released */
byte consumed[S];
byte got;			/* values the receiver has taken */
byte sentg;			/* ghost: values the senders published */
byte fullg;			/* ghost: values refused with SPW_FULL (PLAIN) */
bit stopped;			/* ghost: the receiver stopped receiving (STOP) */
byte skipped;			/* ghost: heads that reused an earlier barrier */
byte refenced;			/* ghost: heads that fenced again, line non-empty */

#ifndef SPURIOUS
#define SPURIOUS 0		/* spurious wake-ups the waiters may get */
#endif
#ifndef TIMEOUTS
#define TIMEOUTS 0		/* timed waits that may expire (send_wait) */
#endif
#ifndef TRIES
#define TRIES 1			/* polite tries before a send gives up or joins the line */
#endif
#ifndef WITNESS
#define WITNESS 0
#endif
#ifndef BAD_FENCE_ONCE
#define BAD_FENCE_ONCE 0
#endif
#ifdef PLAIN
#define IS_PLAIN(t) ((t) == S)	/* sender S: plain sends (SPW_FULL) */
#else
#define IS_PLAIN(t) 0
#endif
byte spur = SPURIOUS;
byte tmo = TIMEOUTS;

inline lock_room(t) { atomic { room_lock == 0 -> fence(t); room_lock = 1 } }
inline unlock_room(t) { d_step { fence(t); room_lock = 0 } }

/*
 * pthread_cond_[timed]wait(&w.cond, &room_lock): unlock and start waiting
 * in one step; a signal clears waiting[t] (a signal with no waiter is
 * lost); then take the mutex again. Without a signal the wait may also
 * end SPURIOUS times in all (a spurious wake-up) or TIMEOUTS times in all
 * (ETIMEDOUT: timedout = 1). Both budgets are 0 by default: an unbounded
 * one would let a waiter always wake itself and hide a lost wake-up.
 */
inline cond_wait(t, timedout)
{
	d_step { fence(t); room_lock = 0; waiting[t] = 1 };
	atomic {
		room_lock == 0 && (waiting[t] == 0 || spur > 0 || tmo > 0) ->
		if
		:: waiting[t] == 0
		:: waiting[t] == 1 && spur > 0 -> spur--
		:: waiting[t] == 1 && tmo > 0 -> tmo--; timedout = 1
		fi;
		waiting[t] = 0;
		fence(t);
		room_lock = 1
	}
}

/*
 * spw_core_reserve_keep(core, n, keep): keep > capacity - n fails at once;
 * else cur = reserved (relaxed); rel = released (acquire); cur >= rel &&
 * cur - rel > capacity - n - keep ? fail : CAS(reserved, cur, cur + n),
 * retried on failure. The CAS is a locked instruction; reading `reserved`
 * at the CAS instead of before `released` gives the same outcomes
 * (reserved only grows here, and a stale cur only makes the CAS fail and
 * retry). That needs the guard cur >= rel: without it, a `released` that
 * sends and receives had moved past a stale cur made the difference wrap
 * and the send failed on a channel with room (caught by the stress test
 * test_capacity_never_full with injected yields, not by this model).
 * spw_core_reserve is keep = 0. `nd` is the need a polite sender read
 * (0: none), for the assertion that it leaves the first waiter its room.
 */
inline reserve_keep(t, keep, nd, ok)
{
	if
	:: keep > CAP - NOF(t) -> ok = 0
	:: else ->
		ld(t, RELEASED, rel);
		d_step {
			fence(t);
			if
			:: mem[RESERVED] - rel + keep <= CAP - NOF(t) ->
				mem[RESERVED] = mem[RESERVED] + NOF(t);
				ok = 1;
				/* never more than the capacity in flight */
				assert(mem[RESERVED] - relg <= CAP);
				/* the room kept is free, counting every release */
				assert(CAP - (mem[RESERVED] - relg) >= keep);
				/* no starving: a polite sender that read the
				 * current need of the line leaves it free */
				assert(nd == 0 || line_n == 0 || nd != mem[NEED] ||
				       CAP - (mem[RESERVED] - relg) >= nd);
#if WITNESS == 3
				assert(keep == 0)	/* reach: a polite success */
#endif
			:: else -> ok = 0
			fi
		}
	fi
}

inline reserve(t, ok) { reserve_keep(t, 0, 0, ok) }

/*
 * spw_core_reserve_polite(core, n): room_waiters (relaxed) non-zero: keep
 * = room_need (relaxed), else 0; spw_core_reserve_keep(core, n, keep).
 * BAD_POLITE: keep = 0 (a plain reserve), the need read only for the
 * assertion.
 */
inline polite(t, ok)
{
	keep = 0;
	nd = 0;
	ld(t, WAITERS, w);
	if
	:: w != 0 ->
		ld(t, NEED, nd);
#ifndef BAD_POLITE
		keep = nd
#endif
	:: else
	fi;
	reserve_keep(t, keep, nd, ok)
}

/* under room_lock: the first waiter's cond (spw_core_room_wake) */
inline signal_head()
{
	if
	:: line_n > 0 -> waiting[line[0]] = 0
	:: else
	fi
}

/*
 * The first in line, after room_publish_head: spw_heavy_barrier() unless
 * one has run with this need since the line was last empty (!room_fenced
 * || room_fenced_need != n), then room_fenced = 1, room_fenced_need = n.
 * BAD_FENCE_ONCE=1: skips it whenever room_fenced is set, whatever the
 * need; BAD_FENCE_ONCE=2: room_fenced is never reset (below). NO_MEMBARRIER:
 * the barrier is a full fence, already implied by the seq_cst store.
 * BAD_ROOM: no barrier ever.
 */
inline fence_once(t)
{
#ifndef BAD_ROOM
	d_step {
		if
#if BAD_FENCE_ONCE == 1
		:: !fenced ->
#else
		:: !fenced || fenced_need != NOF(t) ->
#endif
			if
			:: fenced -> refenced++
			:: else
			fi;
#ifndef NO_MEMBARRIER
			heavy_body();
#endif
			fenced = 1;
			fenced_need = NOF(t)
		:: else -> skipped++
		fi;
#if WITNESS == 1
		assert(skipped == 0);	/* reach: a head without a barrier */
#endif
#if WITNESS == 2
		assert(refenced == 0);	/* reach: a new need in a busy line */
#endif
		skip
	}
#else
	skip
#endif
}

/*
 * spw_core_reserve_wait(core, n, deadline) after its spin phase: lock
 * room_lock; join the line; room_waiters++ (seq_cst fetch_add, locked);
 * loop: if first in line: room_need = n (room_publish_head: seq_cst
 * store), fence_once, spw_core_reserve() and leave with the slots; else,
 * or without room, cond_wait. A timed-out wait takes one last look (first
 * in line and spw_core_reserve(): SPW_OK, else SPW_TIMEOUT) and leaves.
 * Leaving: out of the line (from wherever it is), room_need = the new
 * first one's need (or 0), room_waiters-- (locked), then line empty:
 * room_fenced = 0 (BAD_FENCE_ONCE=2: not), else signal the new first one
 * (BAD_HANDOFF: not); unlock.
 */
inline reserve_wait(t)
{
	lock_room(t);
	line[line_n] = t;
	line_n++;
	d_step { fence(t); mem[WAITERS]++ };
	do
	:: true ->
		if
		:: line[0] == t ->
			d_step { fence(t); mem[NEED] = NOF(t) };
			fence_once(t);
			reserve(t, ok);
			if
			:: ok -> break
			:: else
			fi
		:: else
		fi;
		timedout = 0;
		cond_wait(t, timedout);
		if
		:: timedout ->
			if
			:: line[0] == t -> reserve(t, ok)
			:: else
			fi;
			break
		:: else
		fi
	od;
	skip;	/* (a break may not jump into a d_step) */
	d_step {
		/* unlink t: shift the ones behind it forward */
		sj = 0;
		do
		:: line[sj] != t -> sj++
		:: else -> break
		od;
		do
		:: sj + 1 < line_n -> line[sj] = line[sj + 1]; sj++
		:: else -> break
		od;
		line_n--;
		line[line_n] = 0;
		sj = 0
	};
	d_step { fence(t); mem[NEED] = (line_n > 0 -> NOF(line[0]) : 0) };
	d_step {
		fence(t);
		mem[WAITERS]--;
		if
		:: line_n == 0 -> skip
#if BAD_FENCE_ONCE != 2
			; fenced = 0
#endif
		:: else -> skip
#ifndef BAD_HANDOFF
			; signal_head()
#endif
		fi;
		skip
	};
	unlock_room(t)
}

/*
 * A sender, K sends: send_wait / send_many_wait (enqueue_wait), or with
 * -DPLAIN for sender S plain sends (send / enqueue). Either first
 * reserves politely TRIES times (send_wait's and enqueue_wait's tries,
 * send's and enqueue's; spin_ns = 0: no more); then a plain send
 * returns SPW_FULL (the caller keeps the value), a waiting one enters
 * reserve_wait (after which only the first in line reserves, with plain
 * spw_core_reserve). With the slots: the append, its lane's published
 * count (release store). A timed-out or refused value is not sent. Then
 * it closes (spw_core_sender_closed: a locked fetch_sub, the ghost done).
 */
proctype sender(byte t)
{
	byte n, w, rel, nd, keep, np, tr;
	bit ok, timedout;

	do
	:: n < K ->
		n++;
		ok = 0;
		tr = 0;
		do
		:: !ok && tr < TRIES -> polite(t, ok); tr++
		:: else -> break
		od;
		if
		:: !ok && IS_PLAIN(t) -> fullg = fullg + NOF(t)	/* SPW_FULL */
		:: !ok && !IS_PLAIN(t) -> reserve_wait(t)
		:: else
		fi;
		if
		:: ok ->
			np = np + NOF(t);
			atomic { st(t, PUB(t - 1), np); sentg = sentg + NOF(t) }
		:: else		/* SPW_TIMEOUT / SPW_FULL: the caller keeps it */
		fi
	:: else -> break
	od;
	skip;
	d_step { fence(t); done++ }
}

/*
 * spw_core_release(core, m) after values are handed out: released = rel
 * + m (release store: buffered); spw_core_room_check: light barrier
 * (nothing on TSO; a full fence with NO_MEMBARRIER); relaxed loads of
 * room_waiters and, if non-zero, reserved, released and room_need; wake
 * the first waiter (spw_core_room_wake: lock, signal, unlock) when
 * capacity - (reserved - released) >= need.
 * BAD_RELEASE_ORDER loads room_waiters before the store.
 */
inline release(m)
{
#ifdef BAD_RELEASE_ORDER
	ld(0, WAITERS, w);
#endif
	ld(0, RELEASED, rel);
	atomic { st(0, RELEASED, rel + m); relg = relg + m };
#ifdef NO_MEMBARRIER
	d_step { fence(0) };
#endif
#ifndef BAD_RELEASE_ORDER
	ld(0, WAITERS, w);
#endif
	if
	:: w != 0 ->
		ld(0, RESERVED, res);
		ld(0, RELEASED, rel);
		ld(0, NEED, need);
		if
		:: CAP - (res - rel) >= need ->
			lock_room(0);
			signal_head();
			unlock_room(0)
		:: else
		fi
	:: else
	fi
}

/*
 * The receiver takes values one at a time (recv) or all a lane has
 * (recv_batch, a view) and releases as many slots. How it waits for
 * values (park / notify) is spillway.pml's and tso.pml's business: here
 * it blocks until some lane has a new value in memory, or every sender
 * has closed and nothing is left (end of stream). A sender asleep for
 * good leaves it blocked too: invalid end state. With -DSTOP it may stop
 * receiving after any release (values left in flight): see init.
 */
proctype receiver()
{
	byte i, p, w, res, rel, need, m;

	do
	:: got == TOTAL -> break
	:: else ->
		if
		:: ANY_NEW
		:: atomic { done == S && !ANY_NEW } -> break
		fi;
		i = 0;
		do
		:: i < S ->
			ld(0, PUB(i), p);
			if
			:: p != consumed[i] ->
				/* recv: one value; recv_batch / a view: all of them */
				if
				:: m = 1
				:: m = p - consumed[i]
				fi;
				consumed[i] = consumed[i] + m;
				got = got + m;
				release(m);
#ifdef STOP
				if
				:: stopped = 1; break
				:: skip
				fi
#else
				skip
#endif
			:: else -> i++
			fi
		:: else -> break
		od;
		if
		:: stopped -> break
		:: else
		fi
	od;
	done++
}

init
{
	byte t;

	atomic {
		t = 0;
		do
		:: t < NT ->
#ifndef SC
			run drainer(t);
#endif
			t++
		:: else -> break
		od;
		t = 1;
		do
		:: t <= S -> run sender(t); t++
		:: else -> break
		od;
		run receiver()
	}
#ifdef STOP
	/*
	 * -DSTOP (run pan with -E: senders left waiting for room the
	 * stopped receiver never gives are no error). When nothing can move
	 * (every store buffer drained), the first in line is not asleep
	 * with room for it in memory: a release made room and nobody woke
	 * it (a lost wake-up).
	 */
	if
	:: done == S + 1
	:: timeout ->
		assert(line_n == 0 || waiting[line[0]] == 0 ||
		       CAP - (mem[RESERVED] - mem[RELEASED]) < NOF(line[0]))
	fi;
	if
	:: done == S + 1 && !stopped
	:: else -> goto out
	fi;
#else
	done == S + 1;
#endif
	/* every value sent was received; every timed-out or refused one was not sent */
	assert(line_n == 0 && room_lock == 0 && got == sentg);
	assert(sentg + (TIMEOUTS - tmo) * N1 + fullg >= TOTAL);
out:	skip
}
#endif /* ROOM */

/* ---- (2) shutdown, then the drain ---------------------------------------- */
#ifdef SHUT

bit lane_lock[S];		/* each lane's mutex */
byte accepted[S];		/* ghost: sends on lane l that returned SPW_OK */
byte refused[S];		/* ghost: sends on lane l that returned SPW_CLOSED */
byte at_eos[S];			/* ghost: values of lane l received at end of stream */
bit eos;
byte consumed[S];

inline lock_lane(t, l) { atomic { lane_lock[l] == 0 -> fence(t); lane_lock[l] = 1 } }
inline unlock_lane(t, l) { d_step { fence(t); lane_lock[l] = 0 } }

/*
 * A sender, K sends on its own lane, each either by the fast path of
 * spw_tx_fast (the lane's owner: busy = 1 (relaxed store); compiler barrier;
 * spw_core_closed_in_lane (relaxed load); append; published (release
 * store); busy = 0 (release store)) or by spw_tx_enqueue / spw_tx_append on the
 * mutex (spw_core_is_closed first; lock; closed_in_lane; append;
 * published; unlock). A refused send keeps its value: nothing is
 * appended. BAD_SHUTDOWN looks at `closed` before entering the lane.
 */
proctype sender(byte t)
{
	byte n, c, np;

	do
	:: n < K ->
		n++;
		if
		:: true ->		/* the fast path */
#ifdef BAD_SHUTDOWN
			ld(t, CLOSED, c);
#endif
			st(t, BUSY(t - 1), 1);
#ifndef BAD_SHUTDOWN
			ld(t, CLOSED, c);
#endif
			if
			:: c ->
				st(t, BUSY(t - 1), 0);
				refused[t - 1]++
			:: else ->
				np++;
				st(t, PUB(t - 1), np);
				st(t, BUSY(t - 1), 0);
				accepted[t - 1]++
			fi
		:: true ->		/* the mutex path */
			ld(t, CLOSED, c);
			if
			:: c -> refused[t - 1]++
			:: else ->
				lock_lane(t, t - 1);
#ifndef BAD_SHUTDOWN
				ld(t, CLOSED, c);
#endif
				if
				:: c ->
					unlock_lane(t, t - 1);
					refused[t - 1]++
				:: else ->
					np++;
					st(t, PUB(t - 1), np);
					unlock_lane(t, t - 1);
					accepted[t - 1]++
				fi
			fi
		fi
	:: else -> break
	od;
	done++
}

/* one look at every lane (acquire loads), taking everything there */
inline scan(took)
{
	took = 0;
	i = 0;
	do
	:: i < S ->
		ld(0, PUB(i), p);
		if
		:: p != consumed[i] -> consumed[i] = p; took = 1
		:: else
		fi;
		i++
	:: else -> break
	od
}

/*
 * The receiver receives for a while, then spw_rx_shutdown:
 * spw_core_mark_closed (closed = 1, seq_cst store), spw_core_quiesce
 * (heavy barrier; for each lane: wait until busy reads 0, lock and unlock
 * its mutex); then it receives until a look finds nothing (rx_refill with
 * rx->shut) and reports end of stream.
 */
proctype receiver()
{
	byte i, p;
	bit took;

	do
	:: scan(took)
	:: break
	od;
	skip;
	d_step { fence(0); mem[CLOSED] = 1 };
#ifndef BAD_SHUT_NO_HEAVY
	heavy();
#endif
	i = 0;
	do
	:: i < S ->
		mem[BUSY(i)] == 0;	/* while (busy) sched_yield() */
		lock_lane(0, i);
		unlock_lane(0, i);
		i++
	:: else -> break
	od;
	do
	:: scan(took);
		if
		:: took
		:: else -> break
		fi
	od;
	skip;
	d_step {
		eos = 1;
		i = 0;
		do
		:: i < S -> at_eos[i] = consumed[i]; i++
		:: else -> break
		od;
		i = 0
	};
	done++
}

init
{
	byte t;

	atomic {
		t = 0;
		do
		:: t < NT ->
#ifndef SC
			run drainer(t);
#endif
			t++
		:: else -> break
		od;
		t = 1;
		do
		:: t <= S -> run sender(t); t++
		:: else -> break
		od;
		run receiver()
	}
	done == S + 1;
	d_step {
#ifndef SC
		t = 0;
		do
		:: t < NT -> fence(t); t++
		:: else -> break
		od;
#endif
		t = 0;
		do
		:: t < S ->
			/* every accepted value received before end of stream */
			assert(at_eos[t] == accepted[t]);
			/* and no refused one ever appended */
			assert(mem[PUB(t)] == accepted[t]);
			assert(accepted[t] + refused[t] == K);
			t++
		:: else -> break
		od
	}
}
#endif /* SHUT */

/* ---- (3) the descriptor armed from the start ------------------------------ */
#ifdef FDSTART

bit fdc;			/* the eventfd's counter is non-zero (the kernel's) */
byte consumed[S];
byte held;			/* values in the receiver's window, not handed out */
byte got;			/* values handed out */
bit eos;			/* a try_recv returned SPW_CLOSED (CLOSE) */

/* spw_core_wake: exchange parked with 0 (locked); if it was 1, the
 * acquire load of efd and, with a descriptor, write it (fd_signal). (The
 * condition variable it signals next is nobody's here: the receiver waits
 * in poll.) */
inline wake(t)
{
	d_step { fence(t); p = mem[PARKED]; mem[PARKED] = 0 };
	if
	:: p ->
		ld(t, EFD, e);
		if
		:: e -> fdc = 1
		:: else
		fi
	:: else
	fi
}

/*
 * A sender: K values, each published (release store) and then
 * spw_core_notify: compiler barrier, relaxed load of parked, wake if set.
 * With -DCLOSE it then closes (spw_core_sender_closed: seq_cst fetch_sub
 * of the sender count, locked; the last one loads parked and wakes).
 */
proctype sender(byte t)
{
	byte n, p, e;

	do
	:: n < K ->
		n++;
		st(t, PUB(t - 1), n);
		ld(t, PARKED, p);
		if
		:: p -> wake(t)
		:: else
		fi
	:: else -> break
	od;
#ifdef CLOSE
	skip;
	d_step { fence(t); mem[SENDERS]--; p = (mem[SENDERS] == 0) };
	if
	:: p ->
		ld(t, PARKED, p);
		if
		:: p -> wake(t)
		:: else
		fi
	:: else
	fi;
#endif
	done++
}

/* is there a lane with values not taken yet (rx_ready: acquire loads) */
inline lanes_ready(r)
{
	i = 0;
	do
	:: i < S ->
		ld(0, PUB(i), p);
		if
		:: p != consumed[i] -> r = 1; break
		:: else -> i++
		fi
	:: else -> break
	od
}

/*
 * spw_core_arm(core, ready): empty the descriptor; announce_parked:
 * parked = 1 (seq_cst store), heavy barrier, ready() || senders gone
 * (CLOSE; acquire load of the count); if something is there: parked = 0
 * (relaxed), return 1. `pending` is receiver_fd's ready (rx_pending): it
 * also counts the values held in the window (BAD_PENDING: it does not).
 */
inline arm(r, pending)
{
	fdc = 0;
	d_step { fence(0); mem[PARKED] = 1 };
#ifndef BAD_ARM_NO_HEAVY
	heavy();
#endif
	r = 0;
#ifndef BAD_PENDING
	if
	:: pending && held > 0 -> r = 1
	:: else
	fi;
#endif
	if
	:: !r -> lanes_ready(r)
	:: else
	fi;
#ifdef CLOSE
	if
	:: !r -> ld(0, SENDERS, p); r = (p == 0)
	:: else
	fi;
#endif
	if
	:: r -> st(0, PARKED, 0)
	:: else
	fi
}

/* one look at the lanes: the first one with values becomes the window */
inline scan_one(r)
{
	r = 0;
	i = 0;
	do
	:: i < S ->
		ld(0, PUB(i), p);
		if
		:: p != consumed[i] ->
			held = p - consumed[i];
			consumed[i] = p;
			r = 1;
			break
		:: else -> i++
		fi
	:: else -> break
	od
}

/*
 * try_recv: hand out a held value, else rx_try_refill (no waiting): scan;
 * nothing: (CLOSE) if the sender count is 0, one more scan, and SPW_CLOSED
 * if it is empty too; an empty receive arms the descriptor if there is
 * one (values after all: look again), else SPW_EMPTY.
 */
inline try_recv(hasfd, isempty)
{
	isempty = 0;
	do
	:: held > 0 -> held--; got++; break
	:: else ->
		scan_one(r);
#ifdef CLOSE
		if
		:: !r ->
			ld(0, SENDERS, p);
			if
			:: p == 0 ->
				scan_one(r);
				if
				:: !r -> eos = 1; isempty = 1; break
				:: else
				fi
			:: else
			fi
		:: else
		fi;
#endif
		if
		:: r -> skip		/* hand it out next time round */
		:: !r && !hasfd -> isempty = 1; break
		:: !r && hasfd ->
			arm(r, 0);
			if
			:: r -> skip	/* look again */
			:: else -> isempty = 1; break
			fi
		fi
	od
}

#ifdef CLOSE
#define FINISHED eos		/* the loop stops at end of stream */
#else
#define FINISHED (got == S * K)	/* the senders stay open: at the last value */
#endif

/*
 * The receiver: a few try_recv calls (or none) before the descriptor
 * exists (an empty one arms nothing then); spw_rx_fd: make the fd,
 * efd (release store), arm it with rx_pending and signal it if something
 * is there (BAD_FDSTART: return without arming, as ABI 3 did); then the
 * event loop: poll until the fd is readable, try_recv until SPW_EMPTY
 * (or SPW_CLOSED), again, until all S*K values are in (CLOSE: until end
 * of stream). A receiver left in poll with a value queued (or the stream
 * ended) is an invalid end state.
 */
proctype receiver()
{
	byte i, p;
	bit r, isempty;

	do
	:: !FINISHED -> try_recv(0, isempty)
	:: break
	od;
	st(0, EFD, 1);
#ifndef BAD_FDSTART
	arm(r, 1);
	if
	:: r -> fdc = 1
	:: else
	fi;
#endif
	do
	:: FINISHED -> break
	:: else ->
		fdc == 1;	/* poll / epoll_wait */
		do
		:: FINISHED -> break
		:: else ->
			try_recv(1, isempty);
			if
			:: isempty -> break
			:: else
			fi
		od
	od;
	assert(got == S * K);
	done++
}

init
{
	byte t;

	atomic {
#ifdef CLOSE
		mem[SENDERS] = S;
#endif
		t = 0;
		do
		:: t < NT ->
#ifndef SC
			run drainer(t);
#endif
			t++
		:: else -> break
		od;
		t = 1;
		do
		:: t <= S -> run sender(t); t++
		:: else -> break
		od;
		run receiver()
	}
	done == S + 1
}
#endif /* FDSTART */
