/* SPDX-License-Identifier: MIT */
/*
 * spillway.pml — a Promela model of the receive side of Spillway for C:
 * publish / notify on the senders' side, scan / park / end of stream on the
 * receiver's side, and the last sender's close.  See README.md.
 *
 *   spin -a [-DS=3] [-DK=3] [-DBAD_EOS | -DBAD_PARK] spillway.pml
 *   gcc -O2 -DSAFETY -o pan pan.c && ./pan
 *
 * Memory is sequentially consistent (Promela's default); every atomic
 * access of the C code is one step.  The heavy barrier (membarrier) is a
 * no-op under SC; DESIGN.md argues why the real code behaves as if SC at
 * the two Dekker handshakes that matter here.
 *
 * Mapping to the C code (runtime/spillway_runtime.c and spillway_core.h):
 *   sender:   spw_tx_fast / spw_tx_append  published[lane] = published[lane] + 1
 *             spw_core_notify        if (parked) spw_core_wake()
 *             spw_core_sender_closed fetch_sub(senders); last && parked: wake
 *   receiver: rx_refill              scan; senders_gone ? final scan : park
 *             rx_scan / rx_ready     published[i] != consumed[i]
 *             spw_core_park          lock; parked = 1; barrier; re-check;
 *                                    while (parked) cond_wait; parked = 0;
 *                                    unlock
 *
 * With -DFD the receiver waits in epoll on the channel's eventfd instead
 * (spw_core_arm, used by an empty try_recv once spw_<name>_receiver_fd()
 * made the descriptor): empty the eventfd; parked = 1; barrier; re-check;
 * then block until the descriptor is readable.  spw_core_wake writes to
 * the eventfd before it signals.  -DBAD_ARM empties the eventfd after
 * publishing parked instead of before: a wake-up in between is lost.
 */

#ifndef S
#define S 2			/* senders, one lane each */
#endif
#ifndef K
#define K 2			/* values each sender publishes */
#endif
#ifndef SPURIOUS
#define SPURIOUS 1		/* spurious wake-ups the receiver may get */
#endif
#ifndef TIMEOUTS
#define TIMEOUTS 0		/* timed waits that may expire (recv_timeout) */
#endif

byte published[S];		/* lane->ctl.published (written by its sender) */
byte consumed[S];		/* lane->consumed (receiver only) */
byte senders = S;		/* core->senders */
bit parked;			/* core->parked */
bit fdcount;			/* the eventfd's counter is non-zero (FD) */

/* park_lock and park_cond */
bit mutex;			/* 1: held */
bit waiting;			/* 1: the receiver is blocked in cond_wait */
byte spurious = SPURIOUS;	/* budget of spurious wake-ups */
byte timeouts = TIMEOUTS;	/* budget of expired timed waits */

/* observation */
byte received;			/* values the receiver has taken */
bit eos;			/* the receiver reported end of stream */

inline lock()
{
	atomic { mutex == 0 -> mutex = 1 }
}

inline unlock()
{
	assert(mutex == 1);
	mutex = 0
}

/* pthread_cond_signal: wakes the waiter if there is one, else is lost. */
inline signal()
{
	assert(mutex == 1);	/* the code signals under park_lock */
	waiting = 0
}

/*
 * pthread_cond_wait / pthread_cond_timedwait: release the mutex and start
 * waiting in one step, block until signalled (or, SPURIOUS times at most,
 * for no reason; or, TIMEOUTS times at most, until the deadline: then
 * expired is set), then reacquire the mutex.  The budgets are bounded: an
 * unbounded one would let the receiver always wake itself and so hide
 * lost wake-ups.
 */
inline cond_wait(expired)
{
	atomic { assert(mutex == 1); mutex = 0; waiting = 1 };
	if
	:: waiting == 0
	:: atomic { waiting == 1 && spurious > 0 -> spurious--; waiting = 0 }
	:: atomic { waiting == 1 && timeouts > 0 ->
			timeouts--; waiting = 0; expired = 1 }
	fi;
	lock()
}

/* spw_core_wake: only the sender that flips parked back to 0 signals. */
inline wake(was)
{
	atomic { was = parked; parked = 0 };
	if
	:: was ->
#ifdef FD
		fdcount = 1;	/* write(efd, 1) */
#endif
		lock();
		signal();
		unlock()
	:: else
	fi
}

proctype sender(byte lane)
{
	byte n;
	bit was;

	do
	:: n < K ->
		/* publish: the only writer of this lane's count */
		published[lane] = published[lane] + 1;
		n++;
		/* spw_core_notify (light barrier: a compiler barrier) */
		if
		:: parked -> wake(was)
		:: else
		fi
	:: else -> break
	od;

	/* spw_core_sender_closed */
	atomic { senders--; was = (senders == 0) };
	if
	:: was ->
		if
		:: parked -> wake(was)
		:: else
		fi
	:: else
	fi
}

/*
 * rx_scan: look at each lane once (one step per lane), take everything
 * published so far.  took is set if anything was taken.
 */
inline scan(took)
{
	took = 0;
	i = 0;
	do
	:: i < S ->
		pub = published[i];
		if
		:: pub != consumed[i] ->
			received = received + (pub - consumed[i]);
			consumed[i] = pub;
			took = 1
		:: else
		fi;
		i++
	:: else -> break
	od
}

/* rx_ready: is any lane non-empty? (takes nothing) */
inline ready(r)
{
	r = 0;
	i = 0;
	do
	:: i < S ->
		if
		:: published[i] != consumed[i] -> r = 1; break
		:: else -> i++
		fi
	:: else -> break
	od
}

proctype receiver()
{
	byte i, pub;
	bit took, r, expired;

	do
	:: true ->
		scan(took);
		if
		:: took -> goto next
		:: else
		fi;
#ifdef BAD_EOS
		/*
		 * The Rust original's order: the sweep above found nothing,
		 * and now the count is 0 -- but a value published between
		 * the sweep and this load is still in a lane.
		 */
		if
		:: senders == 0 -> goto end_of_stream
		:: else
		fi;
#else
		/* spw_core_senders_gone (acquire), then one more scan */
		if
		:: senders == 0 ->
			scan(took);
			if
			:: took -> goto next
			:: else -> goto end_of_stream
			fi
		:: else
		fi;
#endif
#ifdef FD
		/* spw_core_arm, then epoll_wait */
#ifndef BAD_ARM
		fdcount = 0;	/* read(efd): empty it first */
#endif
		parked = 1;
		/* spw_heavy_barrier(): nothing to do under SC */
		ready(r);
		if
		:: r || senders == 0 -> parked = 0
		:: else ->
#ifdef BAD_ARM
			fdcount = 0;	/* emptied too late */
#endif
			fdcount == 1	/* epoll_wait blocks until readable */
		fi;
		goto next;
#endif
		/* spw_core_park */
		lock();
#ifndef BAD_PARK
		parked = 1;
		/* spw_heavy_barrier(): nothing to do under SC */
#endif
		ready(r);
		if
		:: r || senders == 0 -> skip
		:: else ->
#ifdef BAD_PARK
			/* publishes parked after the double check: too late */
			parked = 1;
#endif
			expired = 0;
			do
			:: parked && !expired -> cond_wait(expired)
			:: else -> break
			od
		fi;
		parked = 0;
		unlock();
next:		skip
	od;

end_of_stream:
	assert(received == S * K);
	/* nothing may arrive after end of stream either */
	i = 0;
	do
	:: i < S -> assert(published[i] == consumed[i]); i++
	:: else -> break
	od;
	eos = 1
}

init
{
	byte l;

	atomic {
		l = 0;
		do
		:: l < S -> run sender(l); l++
		:: else -> break
		od;
		run receiver()
	}
}

#ifdef LIVENESS
/* Under weak fairness, every run reaches end of stream. */
ltl eventually_eos { <> eos }
#endif
