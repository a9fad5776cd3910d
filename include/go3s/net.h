/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sockets for goroutines: Go's net package on kernel sockets.
 *
 * A go3s_conn wraps a kernel socket (TCP over IPv4 or IPv6, or UDP). In a
 * goroutine, a call that would block parks only that goroutine: the socket
 * is non-blocking underneath, and its sk_data_ready, sk_write_space and
 * sk_state_change callbacks wake the goroutines waiting on it (Go's
 * netpoller). The worker runs other goroutines meanwhile, so a thousand
 * connections need a thousand goroutines, not a thousand threads. Outside
 * a goroutine (a kthread, a module's init) the same calls sleep the
 * calling task, killably.
 *
 * Deadlines are absolute, as in Go: go3s_net_set_deadline() and friends
 * take a CLOCK_MONOTONIC ktime_t (ktime_get() + timeout), 0 for none. A
 * call still waiting when its deadline passes returns -ETIMEDOUT; the
 * deadline stays set, so later calls fail at once until it is moved.
 *
 * Concurrency: any number of goroutines may call go3s_net_read() and
 * go3s_net_write() on one connection at once (one reader and one writer
 * is the usual shape). go3s_net_close() may be called while others are
 * blocked in the connection: they return -EBADF, and the socket is
 * released once the last of them has left. No call may *start* on a
 * connection after go3s_net_close() was called on it.
 *
 * Lifetime: a connection belongs to the module that opened it (accepted
 * ones to the listener's). A module must close its connections before
 * its exit returns; those left open are closed by go3s_rt when the module
 * goes away, with a WARN naming the module.
 *
 * Documentation/net.rst has the netpoller's design and an example server.
 */
#ifndef _GO3S_NET_H
#define _GO3S_NET_H

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/socket.h>
#include <linux/types.h>

struct go3s_conn;

/* The transport: go3s_net_listen() and go3s_net_dial()'s @proto. */
enum go3s_net_proto {
	GO3S_NET_TCP = 1,
	GO3S_NET_UDP = 2,
};

/* How go3s_net_shutdown() shuts a connection down (as shutdown(2)). */
enum go3s_net_how {
	GO3S_NET_SHUT_RD = 0,
	GO3S_NET_SHUT_WR = 1,
	GO3S_NET_SHUT_RDWR = 2,
};

/**
 * struct go3s_net_stats - the netpoller's counters (go3s/stats, "net:")
 * @open: connections and listeners open now.
 * @opened: opened since load (listen, dial and accept).
 * @parks: times a goroutine parked waiting for a socket.
 * @wakes: goroutines woken by a socket callback.
 * @timeouts: calls that returned -ETIMEDOUT.
 * @reaped: connections a module left open, closed when it went away.
 */
struct go3s_net_stats {
	u64 open;
	u64 opened;
	u64 parks;
	u64 wakes;
	u64 timeouts;
	u64 reaped;
};

int __go3s_net_listen(enum go3s_net_proto proto, const struct sockaddr *addr,
		      int addrlen, int backlog, struct go3s_conn **lnp,
		      struct module *owner);
int __go3s_net_dial(enum go3s_net_proto proto, const struct sockaddr *addr,
		    int addrlen, ktime_t deadline, struct go3s_conn **cp,
		    struct module *owner);

/**
 * go3s_net_listen - open a listening TCP socket, or a bound UDP socket
 * @proto: GO3S_NET_TCP or GO3S_NET_UDP.
 * @addr: a struct sockaddr_in or sockaddr_in6; port 0 picks a free port
 *	(go3s_net_local_addr() says which).
 * @addrlen: sizeof(*@addr) as that family has it.
 * @backlog: TCP's accept queue length (capped by net.core.somaxconn);
 *	ignored for UDP.
 * @lnp: set to the new listener on success.
 *
 * TCP listeners have SO_REUSEADDR set, as Go's have. A UDP socket is
 * ready for go3s_net_read_from() and go3s_net_write_to().
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a bad argument, -EAFNOSUPPORT for a family
 * other than AF_INET and AF_INET6, or the socket layer's error
 * (-EADDRINUSE, -ENOMEM, ...).
 */
#define go3s_net_listen(proto, addr, addrlen, backlog, lnp) \
	__go3s_net_listen(proto, addr, addrlen, backlog, lnp, THIS_MODULE)

/**
 * go3s_net_dial - connect to @addr
 * @proto: GO3S_NET_TCP or GO3S_NET_UDP (UDP only sets the default peer).
 * @addr: a struct sockaddr_in or sockaddr_in6.
 * @addrlen: sizeof(*@addr) as that family has it.
 * @deadline: give up at this ktime_get() time; 0 waits as long as TCP does.
 * @cp: set to the connection on success.
 *
 * The TCP handshake parks the calling goroutine (or sleeps the calling
 * task) until it completes.
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a bad argument, -EAFNOSUPPORT, -ETIMEDOUT when
 * @deadline passed, -EINTR when a non-goroutine caller got a fatal
 * signal, or the connect error (-ECONNREFUSED, -ENETUNREACH, ...).
 */
#define go3s_net_dial(proto, addr, addrlen, deadline, cp) \
	__go3s_net_dial(proto, addr, addrlen, deadline, cp, THIS_MODULE)

int go3s_net_accept(struct go3s_conn *ln, struct go3s_conn **cp);
ssize_t go3s_net_read(struct go3s_conn *c, void *buf, size_t len);
ssize_t go3s_net_write(struct go3s_conn *c, const void *buf, size_t len);
ssize_t go3s_net_read_from(struct go3s_conn *c, void *buf, size_t len,
			   struct sockaddr_storage *from);
ssize_t go3s_net_write_to(struct go3s_conn *c, const void *buf, size_t len,
			  const struct sockaddr *to, int tolen);
int go3s_net_shutdown(struct go3s_conn *c, enum go3s_net_how how);
void go3s_net_close(struct go3s_conn *c);
int go3s_net_set_deadline(struct go3s_conn *c, ktime_t deadline);
int go3s_net_set_read_deadline(struct go3s_conn *c, ktime_t deadline);
int go3s_net_set_write_deadline(struct go3s_conn *c, ktime_t deadline);
int go3s_net_local_addr(struct go3s_conn *c, struct sockaddr_storage *addr);
int go3s_net_peer_addr(struct go3s_conn *c, struct sockaddr_storage *addr);
void go3s_net_get_stats(struct go3s_net_stats *st);

#endif /* _GO3S_NET_H */
