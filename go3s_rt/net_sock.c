// SPDX-License-Identifier: GPL-2.0
/*
 * Opening go3s sockets: listen, dial, accept; shutdown and addresses.
 * The waiting is net.c's (its top comment has the netpoller's contract).
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include <go3s/net.h>

#include "net.h"

/* Check @addr and make a socket for it; Return: 0 or an errno. */
static int net_socket(enum go3s_net_proto proto, const struct sockaddr *addr,
		      int addrlen, struct socket **sockp)
{
	int type, ipproto;

	if (!addr)
		return -EINVAL;
	switch (proto) {
	case GO3S_NET_TCP:
		type = SOCK_STREAM;
		ipproto = IPPROTO_TCP;
		break;
	case GO3S_NET_UDP:
		type = SOCK_DGRAM;
		ipproto = IPPROTO_UDP;
		break;
	default:
		return -EINVAL;
	}
	switch (addr->sa_family) {
	case AF_INET:
		if (addrlen < (int)sizeof(struct sockaddr_in))
			return -EINVAL;
		break;
	case AF_INET6:
		if (addrlen < (int)sizeof(struct sockaddr_in6))
			return -EINVAL;
		break;
	default:
		return -EAFNOSUPPORT;
	}
	return sock_create_kern(&init_net, addr->sa_family, type, ipproto, sockp);
}

int __go3s_net_listen(enum go3s_net_proto proto, const struct sockaddr *addr,
		      int addrlen, int backlog, struct go3s_conn **lnp,
		      struct module *owner)
{
	struct socket *sock;
	struct go3s_conn *c;
	int ret;

	if (!lnp || (proto == GO3S_NET_TCP && backlog <= 0))
		return -EINVAL;
	ret = net_socket(proto, addr, addrlen, &sock);
	if (ret)
		return ret;
	if (proto == GO3S_NET_TCP)
		sock_set_reuseaddr(sock->sk);
	ret = kernel_bind(sock, (struct sockaddr *)addr, addrlen);
	if (!ret && proto == GO3S_NET_TCP)
		ret = kernel_listen(sock, backlog);
	if (ret) {
		sock_release(sock);
		return ret;
	}
	c = go3s_net_wrap(sock, proto, proto == GO3S_NET_TCP, owner, NULL);
	if (!c)
		return -ENOMEM;
	*lnp = c;
	return 0;
}
EXPORT_SYMBOL_GO3S(__go3s_net_listen);

/* Wait for the TCP handshake started on @c. */
static int net_connected(struct go3s_conn *c)
{
	struct sock *sk = c->sock->sk;
	unsigned int gen;
	int ret;

	for (;;) {
		gen = go3s_net_gen(c, NET_WR);
		switch (READ_ONCE(sk->sk_state)) {
		case TCP_ESTABLISHED:
		case TCP_CLOSE_WAIT:
			return 0;
		case TCP_SYN_SENT:
		case TCP_SYN_RECV:
			break;
		default:
			ret = sock_error(sk);
			return ret ?: -ECONNREFUSED;
		}
		ret = sock_error(sk);
		if (ret)
			return ret;
		ret = go3s_net_wait(c, NET_WR, gen);
		if (ret)
			return ret;
	}
}

int __go3s_net_dial(enum go3s_net_proto proto, const struct sockaddr *addr,
		    int addrlen, ktime_t deadline, struct go3s_conn **cp,
		    struct module *owner)
{
	struct socket *sock;
	struct go3s_conn *c;
	int ret;

	if (!cp || deadline < 0)
		return -EINVAL;
	ret = net_socket(proto, addr, addrlen, &sock);
	if (ret)
		return ret;
	c = go3s_net_wrap(sock, proto, false, owner, NULL);
	if (!c)
		return -ENOMEM;
	WRITE_ONCE(c->deadline[NET_WR], deadline);
	ret = kernel_connect(sock, (struct sockaddr *)addr, addrlen, O_NONBLOCK);
	if (ret == -EINPROGRESS)
		ret = net_connected(c);
	WRITE_ONCE(c->deadline[NET_WR], 0);
	if (ret) {
		go3s_net_close(c);
		return ret;
	}
	*cp = c;
	return 0;
}
EXPORT_SYMBOL_GO3S(__go3s_net_dial);

/**
 * go3s_net_accept - take the next connection from a TCP listener
 * @ln: the listener (go3s_net_listen() with GO3S_NET_TCP).
 * @cp: set to the new connection, owned by @ln's owner module.
 *
 * Parks the calling goroutine (sleeps the calling task) until a
 * connection arrives, the listener's read deadline passes or it is
 * closed.
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a NULL @cp or @ln not a TCP listener;
 * -ETIMEDOUT; -EBADF once @ln is closed (also while waiting); -EINTR,
 * -EDEADLK as go3s_net_read(); -ENOMEM; or the socket layer's error.
 * WARNs once for a NULL @ln.
 */
int go3s_net_accept(struct go3s_conn *ln, struct go3s_conn **cp)
{
	struct socket *sock;
	struct go3s_conn *c;
	unsigned int gen;
	int ret;

	if (WARN_ON_ONCE(!ln))
		return -EINVAL;
	if (!cp || !ln->listener)
		return -EINVAL;
	if (!go3s_net_enter(ln))
		return -EBADF;
	do {
		gen = go3s_net_gen(ln, NET_RD);
		ret = kernel_accept(ln->sock, &sock, O_NONBLOCK);
		if (ret != -EAGAIN)
			break;
		ret = go3s_net_wait(ln, NET_RD, gen);
	} while (!ret);
	if (!ret) {
		c = go3s_net_wrap(sock, GO3S_NET_TCP, false, ln->owner, ln);
		if (c)
			*cp = c;
		else
			ret = -ENOMEM;
	}
	go3s_net_leave(ln);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_net_accept);

/**
 * go3s_net_shutdown - shut down one or both directions, as shutdown(2)
 * @c: the connection.
 * @how: GO3S_NET_SHUT_RD, GO3S_NET_SHUT_WR (TCP sends its FIN: Go's
 *	CloseWrite) or GO3S_NET_SHUT_RDWR.
 *
 * Reads blocked on @c return 0 after SHUT_RD, writes -EPIPE after
 * SHUT_WR. The connection stays open until go3s_net_close().
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a bad @how or a listener, -EBADF once closed,
 * -ENOTCONN when not connected. WARNs once for a NULL @c.
 */
int go3s_net_shutdown(struct go3s_conn *c, enum go3s_net_how how)
{
	static const enum sock_shutdown_cmd cmd[] = {
		[GO3S_NET_SHUT_RD] = SHUT_RD,
		[GO3S_NET_SHUT_WR] = SHUT_WR,
		[GO3S_NET_SHUT_RDWR] = SHUT_RDWR,
	};
	int ret;

	if (WARN_ON_ONCE(!c))
		return -EINVAL;
	if ((unsigned int)how >= ARRAY_SIZE(cmd) || c->listener)
		return -EINVAL;
	if (!go3s_net_enter(c))
		return -EBADF;
	ret = kernel_sock_shutdown(c->sock, cmd[how]);
	go3s_net_leave(c);
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_net_shutdown);

static int net_addr(struct go3s_conn *c, struct sockaddr_storage *addr,
		    bool peer)
{
	int ret;

	if (WARN_ON_ONCE(!c))
		return -EINVAL;
	if (!addr)
		return -EINVAL;
	if (!go3s_net_enter(c))
		return -EBADF;
	memset(addr, 0, sizeof(*addr));
	if (peer)
		ret = kernel_getpeername(c->sock, (struct sockaddr *)addr);
	else
		ret = kernel_getsockname(c->sock, (struct sockaddr *)addr);
	go3s_net_leave(c);
	return ret < 0 ? ret : 0;
}

/**
 * go3s_net_local_addr - the address @c is bound to
 * @c: a connection or listener.
 * @addr: filled in (a sockaddr_in or sockaddr_in6).
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a NULL @addr, -EBADF once closed. WARNs once
 * for a NULL @c.
 */
int go3s_net_local_addr(struct go3s_conn *c, struct sockaddr_storage *addr)
{
	return net_addr(c, addr, false);
}
EXPORT_SYMBOL_GO3S(go3s_net_local_addr);

/**
 * go3s_net_peer_addr - the address of @c's peer
 * @c: a connection.
 * @addr: filled in (a sockaddr_in or sockaddr_in6).
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL for a NULL @addr, -EBADF once closed, -ENOTCONN
 * for a listener or an unconnected UDP socket. WARNs once for a NULL @c.
 */
int go3s_net_peer_addr(struct go3s_conn *c, struct sockaddr_storage *addr)
{
	return net_addr(c, addr, true);
}
EXPORT_SYMBOL_GO3S(go3s_net_peer_addr);
