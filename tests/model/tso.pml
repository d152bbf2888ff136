/* SPDX-License-Identifier: MIT */
/*
 * tso.pml - the five places where Spillway's correctness depends on the
 * order in which memory operations become visible, on x86-TSO: per-thread
 * FIFO store buffers, a drain step at any time, store-to-load forwarding.
 * See README.md ("Weak memory: tso.pml").
 *
 *   spin -a -DPARK    tso.pml    (a) the parking receiver against a sender
 *   spin -a -DREVOKE  tso.pml    (b) revoking a lane's bias against its owner
 *   spin -a -DPUBLISH tso.pml    (c) a lane's publication against the reader
 *   spin -a -DINDEX   tso.pml    (d) the dirty-lane index: a sender's mark
 *                                    against the receiver's sweep
 *   spin -a -DREBIAS  tso.pml    (e) several threads on one lane: bias,
 *                                    revocation and rebias
 *   gcc -O2 -DSAFETY -o pan pan.c && ./pan
 *
 * Mutants: -DBAD_NO_HEAVY (the heavy barrier is a compiler barrier, as if
 * membarrier did nothing: PARK, REVOKE, REBIAS, and park's in INDEX
 * -DIDX_PARK), -DBAD_NO_WAIT (the revoker does not wait for busy == 0:
 * REVOKE, REBIAS), -DBAD_LANE_BUSY (one busy word for the lane, written
 * by every thread's fast path, instead of one per thread: REBIAS),
 * -DBAD_PUB_EARLY (the count is published before the value is written:
 * PUBLISH), -DBAD_SWEEP_NO_BARRIER (the
 * sweep runs no heavy barrier between clearing bits and its second look:
 * INDEX), -DBAD_SWEEP_NO_RECHECK (no second look at all: INDEX),
 * -DBAD_MARK_BEFORE_PUBLISH (a sender checks its bit before it publishes:
 * INDEX), -DBAD_SWEEP_PLAIN_CLEAR (the sweep clears bits with a load and
 * a plain store of the word, not an atomic AND: INDEX). Controls: -DSC (no
 * store buffers: every store goes straight to memory), -DNO_MEMBARRIER
 * (PARK, INDEX: the fallback, a full fence on both sides), -DNO_REBIAS
 * (REBIAS: a shared lane stays shared, as before rebias). INDEX options:
 * -DIDX_PARK (the receiver may also park, as spw_core_park, and looks at
 * every lane after it), -DPARK_BY_INDEX (with IDX_PARK: park's last look
 * reads only the lanes in the index; a question, not a mutant: see
 * README.md).
 *
 * The memory model (x86-TSO):
 *   store     st(t, a, v): appended to thread t's FIFO buffer (a full
 *             buffer stalls the store until a drain step makes room)
 *   load      ld(t, a, v): t's newest buffered store to a, else memory
 *   drain     one process per thread moves the oldest buffered store to
 *             memory, at any time
 *   fence     flush(t): t's buffer drains (mfence; every locked
 *             instruction, i.e. every read-modify-write, pthread lock and
 *             unlock, and a seq_cst store, which gcc compiles to xchg)
 *   membarrier  heavy(): every thread's buffer drains, in one step (the
 *             system call interrupts every running thread of the process
 *             and each runs a full barrier before it returns)
 *   release store / acquire load: plain st / ld (TSO keeps store-store
 *             and load-load order); relaxed: the same; compiler barrier:
 *             nothing at all.
 */

#ifndef BUF
#define BUF 2			/* store buffer entries per thread */
#endif

#if defined(PARK)
#ifndef S
#define S 2			/* senders, one lane each */
#endif
#ifndef K
#define K 2			/* values each sender publishes */
#endif
#define NT (S + 1)		/* thread 0: the receiver; 1..S: senders */
#define NA (S + 2)		/* PUB(0..S-1), PARKED, SENDERS */
#define PUB(i) (i)
#define PARKED S
#define SENDERS (S + 1)
#elif defined(REVOKE)
#ifndef N
#define N 2			/* appends by the lane's owner */
#endif
#define NT 2			/* thread 0: the owner; 1: the revoker */
#define NA 4
#define OWNER 0			/* 0: none, 1: thread 0, 2: SHARED */
#define BUSY 1
#define MUTEX 2
#define TAIL 3			/* the lane's tail: the appends' data */
#elif defined(PUBLISH)
#ifndef K
#define K 3			/* values; segments hold one value each */
#endif
#define NT 2			/* thread 0: the sender; 1: the receiver */
#define NA (3 + 3 * K)
#define PUB 0			/* lane->ctl.published */
#define FIRST 1			/* lane->first */
#define RET 2			/* lane->returned: one spare segment or 0 */
#define ITEM(s) (3 + 3 * ((s) - 1))	/* segments 1..K */
#define END(s) (4 + 3 * ((s) - 1))
#define NEXT(s) (5 + 3 * ((s) - 1))
#define OPEN 255		/* end of a segment not yet sealed */
#elif defined(INDEX)
#ifndef S
#define S 2			/* senders, one lane each (S <= 3) */
#endif
#ifndef K
#define K 2			/* values each sender publishes */
#endif
#define NT (S + 1)		/* thread 0: the receiver; 1..S: senders */
#define NA (S + 2)		/* PUB(0..S-1), DIRTY, PARKED */
#define PUB(i) (i)		/* lane i's published count */
#define DIRTY S			/* the index word: bit i for lane i */
#define PARKED (S + 1)		/* (-DIDX_PARK only) */
#define BIT(i) (1 << (i))
#elif defined(REBIAS)
#ifndef S
#define S 3			/* sender threads sharing one lane */
#endif
#ifndef N
#define N 3			/* sends by each */
#endif
#ifndef R
#define R 2			/* rebias_after (R = 1 acts as R = 2) */
#endif
#define NT S			/* threads 0..S-1, all senders */
#define NA (3 + S)
#define OWNER 0			/* 0: LANE_FREE, t + 1: thread t, SHARED */
#define FREE 0
#define SHARED 15		/* LANE_SHARED */
#define MUTEX 1
#define TAIL 2			/* the lane's tail: the appends' data */
#ifdef BAD_LANE_BUSY
#define BUSY(t) 3		/* one busy word for the lane */
#else
#define BUSY(t) (3 + (t))	/* thread t's record: recs[t].busy */
#endif
#else
#error "pick one: -DPARK, -DREVOKE, -DPUBLISH, -DINDEX or -DREBIAS"
#endif

byte mem[NA];
byte bufa[NT * BUF];		/* buffered stores: address */
byte bufv[NT * BUF];		/* and value, oldest first */
byte blen[NT];

/* ---- the memory model --------------------------------------------------- */

#ifdef SC
inline st(t, a, v) { mem[a] = v }
inline ld(t, a, v) { v = mem[a] }
inline flush(t) { skip }
inline heavy() { skip }
#else
inline st(t, a, v)
{
	atomic {
		blen[t] < BUF ->
		bufa[t * BUF + blen[t]] = a;
		bufv[t * BUF + blen[t]] = v;
		blen[t]++
	}
}

/* t's newest buffered store to a, else memory (later entries are newer) */
inline ld(t, a, v)
{
	d_step {
		v = mem[a];
		if
		:: blen[t] > 0 && bufa[t * BUF] == a -> v = bufv[t * BUF]
		:: else
		fi;
#if BUF > 1
		if
		:: blen[t] > 1 && bufa[t * BUF + 1] == a -> v = bufv[t * BUF + 1]
		:: else
		fi;
#endif
#if BUF > 2
		if
		:: blen[t] > 2 && bufa[t * BUF + 2] == a -> v = bufv[t * BUF + 2]
		:: else
		fi;
#endif
#if BUF > 3
#error "ld() handles BUF <= 3"
#endif
		skip
	}
}

/* the oldest buffered store of t reaches memory (no-op when empty) */
inline drain1(t)
{
	mem[bufa[t * BUF]] = bufv[t * BUF];
	k = 1;
	do
	:: k < blen[t] ->
		bufa[t * BUF + k - 1] = bufa[t * BUF + k];
		bufv[t * BUF + k - 1] = bufv[t * BUF + k];
		k++
	:: else -> break
	od;
	blen[t]--;
	bufa[t * BUF + blen[t]] = 0;
	bufv[t * BUF + blen[t]] = 0;
	k = 0
}

/* a fence: t's whole buffer reaches memory (inside d_step or atomic) */
inline flush(t)
{
	do
	:: blen[t] > 0 -> drain1(t)
	:: else -> break
	od;
	skip	/* keeps the break inside an enclosing d_step */
}

/* membarrier: every buffer reaches memory */
inline heavy()
{
	d_step {
		q = 0;
		do
		:: q < NT -> flush(q); q++
		:: else -> break
		od;
		q = 0
	}
}

byte k, q;	/* scratch for drain1 and heavy (only inside d_step) */

proctype drainer(byte t)
{
end:	do
	:: d_step { blen[t] > 0 -> drain1(t) }
	od
}
#endif

/* ---- (a) parking: store parked; heavy barrier; re-check; sleep --------- */
#ifdef PARK

byte received;

/*
 * A sender: publish (release store of its lane's count), then
 * spw_core_notify: light barrier (a compiler barrier when membarrier
 * works, a full fence without it), relaxed load of parked, and
 * spw_core_wake if set: an atomic exchange of parked with 0 (a locked
 * instruction). Without -DCLOSE the senders stay open: the last close
 * is a seq_cst read-modify-write that wakes the receiver on its own and
 * would hide a lost wake-up of the publish path. With -DCLOSE each sender
 * then closes (spw_core_sender_closed: seq_cst fetch_sub, a locked
 * instruction; the last one loads parked, seq_cst, and wakes if set).
 */
proctype sender(byte t)
{
	byte n, p;

	do
	:: n < K ->
		n++;
		st(t, PUB(t - 1), n);
#ifdef NO_MEMBARRIER
		d_step { flush(t) }	/* the fallback: a full fence */
#endif
		ld(t, PARKED, p);
		if
		:: p -> d_step { flush(t); p = mem[PARKED]; mem[PARKED] = 0 }
			/* p: this sender signals (under park_lock) */
		:: else
		fi
	:: else -> break
	od;
#ifdef CLOSE
	skip;	/* (the break above may not jump into a d_step) */
	d_step { flush(t); mem[SENDERS]--; p = (mem[SENDERS] == 0) };
	if
	:: p ->
		ld(t, PARKED, p);
		if
		:: p -> d_step { flush(t); p = mem[PARKED]; mem[PARKED] = 0 }
		:: else
		fi
	:: else
	fi
#endif
}

/*
 * The receiver: scan every lane (acquire loads); when all are empty,
 * spw_core_park: lock park_lock; seq_cst store parked = 1 (xchg);
 * spw_heavy_barrier(); the re-check (ready: the lanes again); if nothing,
 * wait until a sender has cleared parked (pthread_cond_wait: the mutex,
 * the condition variable and spurious wake-ups are the business of
 * spillway.pml; here the wait is "until parked == 0 in memory"); then
 * parked = 0 (relaxed) and unlock (a locked instruction). The receiver
 * stops once it has every value (-DCLOSE: at end of stream: the scan
 * found nothing, the acquire load of the sender count is 0, one more
 * scan finds nothing), so a final state with it asleep is a lost
 * wake-up (spin: invalid end state).
 */
proctype receiver()
{
	byte consumed[S];
	byte i, pub;
	bit took, r, eos_check;

	do
#ifndef CLOSE
	:: received == S * K -> break
	:: else ->
#else
	:: true ->
#endif
		took = 0;
		i = 0;
		do
		:: i < S ->
			ld(0, PUB(i), pub);
			if
			:: pub != consumed[i] ->
				received = received + pub - consumed[i];
				consumed[i] = pub;
				took = 1
			:: else
			fi;
			i++
		:: else -> break
		od;
#ifdef CLOSE
		ld(0, SENDERS, pub);
		eos_check = (pub == 0);
#endif
		if
		:: took -> skip
#ifdef CLOSE
		:: !took && eos_check ->
			/* spw_core_senders_gone, then the final scan */
			took = 0;
			i = 0;
			do
			:: i < S ->
				ld(0, PUB(i), pub);
				if
				:: pub != consumed[i] ->
					received = received + pub - consumed[i];
					consumed[i] = pub;
					took = 1
				:: else
				fi;
				i++
			:: else -> break
			od;
			if
			:: took -> skip
			:: else -> break	/* end of stream */
			fi
		:: !took && !eos_check ->
#else
		:: else ->
#endif
			d_step { flush(0); mem[PARKED] = 1 }
#if defined(NO_MEMBARRIER)
			d_step { flush(0) }	/* a full fence only */
#elif !defined(BAD_NO_HEAVY)
			heavy();
#endif
			r = 0;
			i = 0;
			do
			:: i < S ->
				ld(0, PUB(i), pub);
				if
				:: pub != consumed[i] -> r = 1; break
				:: else -> i++
				fi
			:: else -> break
			od;
#ifdef CLOSE
			ld(0, SENDERS, pub);
			r = r || pub == 0;
#endif
			if
			:: r -> skip
			:: else -> mem[PARKED] == 0	/* asleep until woken */
			fi;
			st(0, PARKED, 0);
			d_step { flush(0) }		/* unlock */
		fi
	od;
	/* every value received, nothing left in a lane */
	assert(received == S * K);
	i = 0;
	do
	:: i < S -> ld(0, PUB(i), pub); assert(pub == consumed[i]); i++
	:: else -> break
	od
}

init
{
	byte t;

	atomic {
		mem[SENDERS] = S;
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
}
#endif /* PARK */

/* ---- (b) revoking a lane's bias ----------------------------------------- */
#ifdef REVOKE

byte in_append;			/* threads appending right now (ghost) */
bit done0, done1;

/* the append itself: a non-atomic increment of the lane's tail */
inline append(t)
{
	atomic { in_append++; assert(in_append == 1) };
	ld(t, TAIL, x);
	st(t, TAIL, x + 1);
	in_append--
}

inline lock(t)
{
	atomic { mem[MUTEX] == 0 -> flush(t); mem[MUTEX] = 1 }
}

inline unlock(t)
{
	d_step { flush(t); mem[MUTEX] = 0 }
}

/*
 * spw_lane_lock_slow (the revoker's part): lock; owner is someone else:
 * seq_cst store owner = SHARED (xchg); spw_heavy_barrier(); wait for
 * busy == 0 (acquire loads).
 */
inline lock_slow(t)
{
	lock(t);
	ld(t, OWNER, w);
	if
	:: w == 0 -> st(t, OWNER, 2)	/* not reached: the lane starts biased */
	:: w != 0 && w != 2 && w != t + 1 ->
		d_step { flush(t); mem[OWNER] = 2 }
#ifndef BAD_NO_HEAVY
		heavy();
#endif
#ifndef BAD_NO_WAIT
		do
		:: ld(t, BUSY, b);
			if
			:: b == 0 -> break
			:: else -> mem[BUSY] == 0	/* spin until it changes */
			fi
		od
#endif
	:: else		/* SHARED, or the owner itself after a revocation */
	fi
}

/*
 * The owner (thread 0), N sends: spw_lane_enter_owned: relaxed load of
 * owner == self; relaxed store busy = 1; compiler barrier; relaxed load
 * of owner again; append; release store busy = 0. When owner changed:
 * busy = 0 and the mutex path (spw_lane_lock_slow) instead.
 */
proctype owner()
{
	byte n, w, x, b;

	do
	:: n < N ->
		n++;
		ld(0, OWNER, w);
		if
		:: w == 1 ->
			st(0, BUSY, 1);
			/* atomic_signal_fence: nothing on the hardware */
			ld(0, OWNER, w);
			if
			:: w == 1 ->
				append(0);
				st(0, BUSY, 0);
				goto next
			:: else -> st(0, BUSY, 0)
			fi
		:: else
		fi;
		lock_slow(0);
		append(0);
		unlock(0);
next:		skip
	:: else -> break
	od;
	done0 = 1
}

/* A second thread sending on the lane once: it takes the mutex path. */
proctype revoker()
{
	byte w, x, b;

	lock_slow(1);
	append(1);
	unlock(1);
	done1 = 1
}

init
{
	byte t;

	atomic {
		mem[OWNER] = 1;	/* the lane is biased to thread 0 */
#ifndef SC
		run drainer(0);
		run drainer(1);
#endif
		run owner();
		run revoker()
	}
	/* every append made it: none was lost to a concurrent one */
	atomic {
		done0 && done1 ->
#ifndef SC
		t = 0;
		do
		:: t < NT -> flush(t); t++
		:: else -> break
		od;
#endif
		assert(mem[TAIL] == N + 1)
	}
}
#endif /* REVOKE */

/* ---- (c) a lane's publication and its reader ---------------------------- */
#ifdef PUBLISH

/*
 * The sender (the lane's only producer), K values on segments of one
 * value: the first value's segment becomes lane->first; later ones need
 * a new segment, a spare one the receiver returned (atomic exchange of
 * lane->returned: locked) or a fresh one. lane_grow (spillway_runtime.c): next = NULL,
 * end = OPEN on the new segment; seal the old one (end = 1) and link it
 * (old->next = new); then the value, then the release store of the count.
 * Fresh segments hold garbage (0) until written.
 */
proctype sender()
{
	byte n, tseg, s, fresh = 1;

	do
	:: n < K ->
		n++;
		if
		:: tseg == 0 ->
			s = fresh; fresh++;
			st(0, NEXT(s), 0);
			st(0, END(s), OPEN);
			st(0, FIRST, s)
		:: else ->
			d_step { flush(0); s = mem[RET]; mem[RET] = 0 };
			if
			:: s == 0 -> s = fresh; fresh++
			:: else
			fi;
			st(0, NEXT(s), 0);
			st(0, END(s), OPEN);
			st(0, END(tseg), 1);
			st(0, NEXT(tseg), s)
		fi;
		tseg = s;
#ifdef BAD_PUB_EARLY
		st(0, PUB, n);
		st(0, ITEM(s), n);
#else
		st(0, ITEM(s), n);
		st(0, PUB, n);
#endif
	:: else -> break
	od
}

/*
 * The receiver: acquire load of the count; for each new value the window
 * logic of rx_window (spillway_runtime.c): start at lane->first; at a sealed segment's
 * end follow next, return the read segment (a locked push onto
 * lane->returned; with one already there the model frees it instead);
 * read the value. Every value must be the one published, in order.
 */
proctype receiver()
{
	byte consumed, pub, rseg, rpos, e, nx, v;

	do
	:: consumed == K -> break
	:: else ->
		ld(1, PUB, pub);
		if
		:: pub == consumed -> mem[PUB] != consumed	/* spin */
		:: else ->
			do
			:: consumed < pub ->
				if
				:: rseg == 0 -> ld(1, FIRST, rseg); rpos = 0
				:: else
				fi;
				assert(rseg >= 1 && rseg <= K);
				ld(1, END(rseg), e);
				do
				:: rpos == e ->
					ld(1, NEXT(rseg), nx);
					assert(nx >= 1 && nx <= K);
					d_step {
						flush(1);
						if
						:: mem[RET] == 0 -> mem[RET] = rseg
						:: else
						fi
					};
					rseg = nx;
					rpos = 0;
					ld(1, END(rseg), e)
				:: else -> break
				od;
				assert(rpos == 0);	/* one slot per segment */
				ld(1, ITEM(rseg), v);
				assert(v == consumed + 1);
				rpos++;
				consumed++
			:: else -> break
			od
		fi
	od
}

init
{
	atomic {
#ifndef SC
		run drainer(0);
		run drainer(1);
#endif
		run sender();
		run receiver()
	}
}
#endif /* PUBLISH */

/* ---- (d) the dirty-lane index: a sender's mark against the sweep -------- */
#ifdef INDEX

/*
 * The dirty-lane index (spillway_runtime.c, "the dirty-lane index"): one
 * index word holds every lane's bit, as lanes 0..63 share chan->dirty[0].
 * A sender publishes, then sets its bit if it finds it clear; the
 * receiver's ordinary look visits only lanes whose bit is set; its sweep
 * takes empty unvisited lanes out of the index, then runs the heavy
 * barrier and looks at them again. Property: no value is stranded outside
 * the index, i.e. once the senders are done (and their stores have
 * drained, as they do on real hardware), one ordinary look, with no full
 * scan, takes every value that was published. Sweeps, looks (and with
 * -DIDX_PARK parks) come in any order and any number: the receiver's loop
 * has no counters, so the state space is finite without a bound.
 */

byte sdone;			/* senders finished (ghost) */
byte received;			/* values the receiver took (ghost) */

#if S == 1
#define DRAINED (blen[1] == 0)
#elif S == 2
#define DRAINED (blen[1] == 0 && blen[2] == 0)
#elif S == 3
#define DRAINED (blen[1] == 0 && blen[2] == 0 && blen[3] == 0)
#else
#error "INDEX: S <= 3"
#endif

/*
 * spw_tx_published's index check: light barrier (a compiler barrier:
 * nothing), a plain load of the lane's index word, and if the lane's bit
 * is clear spw_tx_mark: an atomic OR (a locked instruction).
 */
inline mark(t)
{
	ld(t, DIRTY, d);
	if
	:: (d & BIT(t - 1)) == 0 ->
		d_step { flush(t); mem[DIRTY] = mem[DIRTY] | BIT(t - 1) }
	:: else
	fi;
	d = 0
}

/*
 * A sender, K values on its own lane (spw_tx_fast / spw_tx_append): the
 * release store of the lane's count, then spw_tx_published: the index
 * check, then (-DIDX_PARK) spw_core_notify's relaxed load of parked and
 * spw_core_wake (an exchange of parked with 0: locked). The lane's busy
 * flag (enter and exit) only adds stores nobody here reads: left out.
 * The senders stay open (no close): end of stream uses a full scan, the
 * point here is what the index alone finds.
 */
proctype isender(byte t)
{
	byte n, d, p;

	do
	:: n < K ->
		n++;
#ifdef BAD_MARK_BEFORE_PUBLISH
		mark(t);
		st(t, PUB(t - 1), n);
#else
		st(t, PUB(t - 1), n);
#ifdef NO_MEMBARRIER
		d_step { flush(t) };	/* the fallback light barrier */
#endif
		mark(t);
#endif
#ifdef IDX_PARK
		ld(t, PARKED, p);
		if
		:: p -> d_step { flush(t); p = mem[PARKED]; mem[PARKED] = 0 }
		:: else
		fi;
		p = 0
#endif
	:: else -> break
	od;
	sdone++
}

/* rx_visit, rx_begin_visit: a lane with values is taken whole and marked visited */
inline visit(i)
{
	ld(0, PUB(i), pub);
	if
	:: pub != consumed[i] ->
		received = received + pub - consumed[i];
		consumed[i] = pub;
		visited[i] = 1
	:: else
	fi
}

/*
 * rx_scan: one relaxed load of the index word, then a visit of each lane
 * whose bit is set (the C code stops at the first lane with values and
 * goes on from its cursor on the next look; here one look visits them all,
 * in lane order).
 */
inline look()
{
	ld(0, DIRTY, d);
	i = 0;
	do
	:: i < S ->
		if
		:: (d & BIT(i)) != 0 -> visit(i)
		:: else
		fi;
		i++
	:: else -> break
	od;
	i = 0; d = 0; pub = 0
}

/* rx_scan_all: every lane, index or not (after a park) */
inline look_all()
{
	i = 0;
	do
	:: i < S -> visit(i); i++
	:: else -> break
	od;
	i = 0; pub = 0
}

/*
 * rx_sweep: for each lane in the index, a visited one only loses its
 * visited flag; an unvisited empty one is gone. Clear the gone bits
 * (atomic AND: locked), heavy barrier, then look at each gone lane again
 * and set its bit back (atomic OR) if it has values.
 */
inline sweep()
{
	ld(0, DIRTY, d);
	i = 0;
	do
	:: i < S ->
		if
		:: (d & BIT(i)) != 0 ->
			if
			:: visited[i] -> visited[i] = 0
			:: else ->
				ld(0, PUB(i), pub);
				if
				:: pub == consumed[i] -> gone = gone | BIT(i)
				:: else
				fi
			fi
		:: else
		fi;
		i++
	:: else -> break
	od;
	if
	:: gone != 0 ->
#ifdef BAD_SWEEP_PLAIN_CLEAR
		ld(0, DIRTY, d);
		st(0, DIRTY, d & ~gone);
#else
		d_step { flush(0); mem[DIRTY] = mem[DIRTY] & ~gone };
#endif
#if defined(BAD_SWEEP_NO_BARRIER)
		skip;
#elif defined(NO_MEMBARRIER)
		d_step { flush(0) };	/* a full fence only */
#else
		heavy();
#endif
#ifndef BAD_SWEEP_NO_RECHECK
		i = 0;
		do
		:: i < S ->
			if
			:: (gone & BIT(i)) != 0 ->
				ld(0, PUB(i), pub);
				if
				:: pub != consumed[i] ->
					d_step { flush(0); mem[DIRTY] = mem[DIRTY] | BIT(i) }
				:: else
				fi
			:: else
			fi;
			i++
		:: else -> break
		od
#endif
	:: else
	fi;
	i = 0; d = 0; pub = 0; gone = 0
}

/*
 * spw_core_park (-DIDX_PARK), as in (a): seq_cst store parked = 1, heavy
 * barrier, the last look at every lane (rx_ready; -DPARK_BY_INDEX: only
 * the lanes in the index), sleep until a sender has cleared parked,
 * parked = 0, unlock; then rx_refill's next look is rx_scan_all, or
 * (here, either way) an index look: an arm (spw_core_arm) whose last look
 * found nothing returns SPW_EMPTY, and the caller's next try_recv after
 * the wake-up looks at the index only. Parks only while some value is
 * still to come (ghost), so that a receiver asleep at the end is a lost
 * wake-up, not the end of the run.
 */
inline park()
{
	d_step { flush(0); mem[PARKED] = 1 };
#if defined(NO_MEMBARRIER)
	d_step { flush(0) };
#elif defined(BAD_NO_HEAVY)
	skip;
#else
	heavy();
#endif
#ifdef PARK_BY_INDEX
	ld(0, DIRTY, d);
#else
	d = 255;
#endif
	i = 0;
	do
	:: i < S ->
		if
		:: (d & BIT(i)) != 0 ->
			ld(0, PUB(i), pub);
			if
			:: pub != consumed[i] -> r = 1; break
			:: else
			fi
		:: else
		fi;
		i++
	:: else -> break
	od;
	if
	:: r -> skip
	:: else -> mem[PARKED] == 0	/* asleep until woken */
	fi;
	st(0, PARKED, 0);
	d_step { flush(0) };		/* unlock */
	i = 0; d = 0; pub = 0; r = 0;
	if
	:: look_all()
	:: skip		/* (the next look may be an index look) */
	fi
}

/*
 * The receiver: a loop of index looks (try_recv polling, or the spin
 * phase of a blocking receive) and sweeps at any moment (the C code
 * sweeps at most every SPW_SWEEP_NS and only after an empty look: a
 * subset of these runs), and with -DIDX_PARK parks. Once every sender is
 * done and its stores have reached memory, ONE more index look (no full
 * scan, no park) must take every value: a value published but outside
 * the index is stranded (assertion violated).
 */
proctype ireceiver()
{
	byte consumed[S];
	bit visited[S];
	byte i, d, pub, gone;
	bit r;

	do
	:: look()
	:: sweep()
#ifdef IDX_PARK
	:: received < S * K -> park()
#endif
	:: sdone == S && DRAINED -> break
	od;
	look();
	i = 0;
	do
	:: i < S ->
		assert(mem[PUB(i)] == K);
		assert(consumed[i] == K);	/* nothing stranded */
		i++
	:: else -> break
	od;
	assert(received == S * K)
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
		:: t <= S -> run isender(t); t++
		:: else -> break
		od;
		run ireceiver()
	}
}
#endif /* INDEX */

/* ---- (e) rebias: bias, revocation and rebias on a shared lane ---------- */
#ifdef REBIAS

/*
 * S threads share one lane (one spw_tx used by several threads, or
 * clones on one lane), N sends each, through spw_lane_enter /
 * spw_lane_exit (spillway_core.h) and spw_lane_lock_slow
 * (spillway_runtime.c). The lane starts FREE: the first locked send
 * biases it; the next other thread revokes; a run of R locked sends in a
 * row from one thread biases the lane to that thread again; the next
 * other thread revokes that bias, and so on. Each thread's busy flag is
 * its own (spw_thread_rec.busy, thread t's at BUSY(t)); -DBAD_LANE_BUSY
 * gives them one word, as the lane's busy was before rebias. Property as
 * in (b): no two appends at once, none lost. spw_fast_barriers is set
 * (without membarrier the first bias is SHARED and every send takes the
 * mutex), every thread has a record (rec_self() != NULL: a thread
 * without one always takes the mutex), records are not reused.
 *
 * Why per thread (-DBAD_LANE_BUSY; two threads are enough): thread C,
 * the owner, loads owner == C and stops there; B revokes (SHARED, heavy
 * barrier, busy reads 0: C has not stored busy = 1 yet), sends again
 * under the mutex and rebiases the lane to itself, then enters it on its
 * fast path (busy = 1, owner == B, appending). C goes on: busy = 1,
 * owner != C, busy = 0, which lands on B's 1, and C's next send revokes
 * B, reads busy == 0 and appends while B does.
 */

byte in_append;			/* threads appending right now (ghost) */
byte sdone;			/* senders finished (ghost) */
/*
 * l->last and l->run (l_last, l_run): plain fields, read and written
 * only under the lane's mutex (taken and released with locked
 * instructions, which drain the buffer), so they need no store buffer.
 * l_last is 0 (NULL) or t + 1 for thread t.
 */
byte l_last, l_run;

/*
 * the append (spw_tx_fast_many's memcpy and tpos += n, or spw_tx_append's
 * under the mutex): a non-atomic increment of the lane's tail
 */
inline append(t)
{
	atomic { in_append++; assert(in_append == 1) };
	ld(t, TAIL, x);
	st(t, TAIL, x + 1);
	in_append--;
	x = 0
}

/* pthread_mutex_lock / unlock of l->lock: locked instructions */
inline lock(t)
{
	atomic { mem[MUTEX] == 0 -> flush(t); mem[MUTEX] = 1 }
}

inline unlock(t)
{
	d_step { flush(t); mem[MUTEX] = 0 }
}

/*
 * spw_lane_lock_slow, with spw_fast_barriers set and a record for every
 * thread (rec_self() != NULL): lock; relaxed load of owner, then
 *  - LANE_FREE: owner = self (relaxed store), the first sender's bias;
 *  - another thread o (not SHARED, not self): revoke: seq_cst store
 *    owner = LANE_SHARED (xchg); spw_heavy_barrier(); wait until
 *    o->busy == 0 (acquire loads of the revoked owner's record);
 *    then last = self, run = 1 (and rebias_after doubled or reset to
 *    SPW_REBIAS_RUN, by the bias's age: see below);
 *  - LANE_SHARED: last != self: last = self, run = 1; else
 *    ++run >= rebias_after: owner = self (relaxed store, under the
 *    mutex: it stays in the buffer until the unlock drains it), run = 0;
 *  - self: nothing (the mutex alone; not reached in this model).
 * rebias_after is SPW_REBIAS_RUN (here R) or a power-of-two multiple of
 * it, chosen by clock readings; the model leaves time out: once run >= R
 * the lane may be biased or not (either arm), which covers every value
 * of rebias_after >= R at every rebias. R = 1 acts as R = 2: the send
 * that starts a run (last != self, or a revocation) does not compare.
 * -DNO_REBIAS (a control): never bias a shared lane again, the protocol
 * before rebias.
 */
inline lock_slow(t)
{
	lock(t);
	ld(t, OWNER, w);
	if
	:: w == FREE -> st(t, OWNER, t + 1)	/* owner = self */
	:: w != FREE && w != SHARED && w != t + 1 ->
		/* seq_cst store owner = LANE_SHARED: xchg */
		d_step { flush(t); mem[OWNER] = SHARED }
#ifndef BAD_NO_HEAVY
		heavy();
#endif
#ifndef BAD_NO_WAIT
		do
		/* while (atomic_load(&owner->busy, acquire)) sched_yield(); */
		:: ld(t, BUSY(w - 1), b);
			if
			:: b == 0 -> break
			:: else -> mem[BUSY(w - 1)] == 0	/* spin until it changes */
			fi
		od;
#endif
		l_last = t + 1;		/* l->last = self; l->run = 1 */
		l_run = 1
	:: w == SHARED ->
		if
		:: l_last != t + 1 -> l_last = t + 1; l_run = 1
		:: else ->
			l_run++;		/* ++l->run >= l->rebias_after */
			if
#ifndef NO_REBIAS
			:: l_run >= R ->	/* relaxed store owner = self */
				st(t, OWNER, t + 1);
				l_run = 0
#endif
			:: true	/* (rebias_after larger than the run) */
			fi
		fi
	:: else		/* owner == self */
	fi;
	w = 0; b = 0
}

/*
 * A sender thread t, N sends (spw_tx_fast_many, spw_tx_append):
 * spw_lane_enter_owned: relaxed load of owner == self; relaxed store
 * self->busy = 1; atomic_signal_fence (nothing on the hardware); relaxed
 * load of owner again; still self: the append (plain), then spw_lane_exit
 * (l, 0): release store self->busy = 0. Owner changed: release store
 * self->busy = 0, then spw_lane_lock_slow, the append under the mutex,
 * spw_lane_exit(l, 1): unlock. A thread whose bias is being revoked can
 * be stale: its first load saw owner == self before the revoker's store
 * (or its busy = 1 still sits in its buffer when the revoker looks).
 */
proctype rsender(byte t)
{
	byte n, w, x, b;

	do
	:: n < N ->
		n++;
		ld(t, OWNER, w);		/* owner == self (relaxed) */
		if
		:: w == t + 1 ->
			st(t, BUSY(t), 1);	/* self->busy = 1 (relaxed) */
			/* atomic_signal_fence: nothing on the hardware */
			ld(t, OWNER, w);	/* owner == self again */
			if
			:: w == t + 1 ->
				w = 0;
				append(t);
				/* spw_lane_exit(l, 0): self->busy = 0 (release) */
				st(t, BUSY(t), 0);
				goto next
			:: else -> st(t, BUSY(t), 0)	/* busy = 0 (release) */
			fi
		:: else
		fi;
		w = 0;
		lock_slow(t);		/* spw_lane_enter: spw_lane_lock_slow */
		append(t);
		unlock(t);		/* spw_lane_exit(l, 1) */
next:		skip
	:: else -> break
	od;
	sdone++
}

init
{
	byte t;

	atomic {
		/* owner = LANE_FREE (spw_lane_ctl_init): mem[] starts at 0 */
		t = 0;
		do
		:: t < NT ->
#ifndef SC
			run drainer(t);
#endif
			run rsender(t);
			t++
		:: else -> break
		od;
		t = 0
	}
	/* every append made it: none was lost to a concurrent one */
	atomic {
		sdone == S ->
#ifndef SC
		do
		:: t < NT -> flush(t); t++
		:: else -> break
		od;
#endif
		assert(mem[TAIL] == S * N)
	}
}
#endif /* REBIAS */
