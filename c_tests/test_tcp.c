/* test_tcp.c - TCP handles as a libuv user sees them.
 *
 * Covers: init, fileno, bind and listen rules, a server not being a stream, connect, accept
 * and echo, connect failures (refused, closing while connecting, a kept bind error),
 * uv_tcp_open, socket options and buffer sizes, IPv6, delayed accept, closed handles and
 * bad input, uv_socketpair. Helpers and how to build against the real libuv: tcp_common.h.
 */
#include "runner.h"
#include "tcp_common.h"

/* Init, bind, listen                                                                       */

static void test_init_and_fileno(void) {
  uv_loop_t loop;
  uv_tcp_t t, t4, t6;
  uv_os_fd_t fd;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &t, &fd), UV_EBADF);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &t), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &t), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) &t), 0);

  ASSERT_EQ(uv_tcp_init_ex(&loop, &t4, AF_UNIX), UV_EINVAL);
  ASSERT_EQ(uv_tcp_init_ex(&loop, &t4, AF_INET | 0x100), UV_EINVAL);
  ASSERT_EQ(uv_tcp_init_ex(&loop, &t4, AF_INET), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &t4, &fd), 0);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_tcp_init_ex(&loop, &t6, AF_INET6), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &t6, &fd), 0);

  /* A handle with a socket refuses another one. */
  {
    int other = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(other >= 0);
    ASSERT_EQ(uv_tcp_open(&t4, other), UV_EBUSY);
    close(other);
  }
  ASSERT_EQ(uv_tcp_nodelay(&t, 1), 0);
  ASSERT_EQ(uv_tcp_keepalive(&t, 1, 60), 0);
  ASSERT_EQ(uv_tcp_nodelay(&t4, 1), 0);
  ASSERT_EQ(uv_tcp_keepalive(&t4, 1, 30), 0);
  ASSERT_EQ(uv_tcp_keepalive(&t4, 0, 0), 0);
  ASSERT_EQ(uv_tcp_simultaneous_accepts(&t4, 0), 0);
  ASSERT_EQ(uv_tcp_simultaneous_accepts(&t4, 1), 0);
  finish_loop(&loop);
}

static void test_bind_rules(void) {
  uv_loop_t loop;
  uv_tcp_t a, b, c;
  struct sockaddr_in any = ip4(0);
  struct sockaddr_in6 a6;
  struct sockaddr bad;
  int port;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &a), 0);
  /* IPv6-only makes no sense for IPv4; unknown families are invalid. */
  ASSERT_EQ(uv_tcp_bind(&a, (const struct sockaddr*) &any, UV_TCP_IPV6ONLY), UV_EINVAL);
  memset(&bad, 0, sizeof(bad));
  bad.sa_family = AF_UNIX;
  ASSERT_EQ(uv_tcp_bind(&a, &bad, 0), UV_EINVAL);
  ASSERT_EQ(uv_tcp_bind(&a, (const struct sockaddr*) &any, 0), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &a, 8, NULL), 0);
  port = port_of(&a);
  ASSERT(port > 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &a), 1);

  /* The same port again: bind defers EADDRINUSE to listen... */
  {
    struct sockaddr_in same = ip4(port);
    ASSERT_EQ(uv_tcp_init(&loop, &b), 0);
    ASSERT_EQ(uv_tcp_bind(&b, (const struct sockaddr*) &same, 0), 0);
    ASSERT_EQ(uv_listen((uv_stream_t*) &b, 8, NULL), UV_EADDRINUSE);
    {
      struct sockaddr_storage ss;
      int len = sizeof(ss);
      ASSERT_EQ(uv_tcp_getsockname(&b, (struct sockaddr*) &ss, &len), UV_EADDRINUSE);
    }
  }
  /* IPv6 on ::1, if the machine has it. */
  ASSERT_EQ(uv_ip6_addr("::1", 0, &a6), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &c), 0);
  {
    int r = uv_tcp_bind(&c, (const struct sockaddr*) &a6, UV_TCP_IPV6ONLY);
    ASSERT(r == 0 || r == UV_EADDRNOTAVAIL || r == UV_EAFNOSUPPORT);
  }
  finish_loop(&loop);
}

/* The server is neither readable nor writable; stream operations say so. */
static void test_server_not_a_stream(void) {
  uv_loop_t loop;
  uv_tcp_t server;
  uv_write_t w;
  uv_shutdown_t sh;
  uv_buf_t buf = uv_buf_init("x", 1);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  listen_any(&loop, &server, NULL);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &server), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &server), 0);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &server, &buf, 1, NULL), UV_EPIPE);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &server, &buf, 1), UV_EPIPE);
  ASSERT_EQ(uv_shutdown(&sh, (uv_stream_t*) &server, NULL), UV_ENOTCONN);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &server, alloc_slab, NULL), UV_EINVAL);
  ASSERT_EQ(uv_accept((uv_stream_t*) &server, (uv_stream_t*) &server), UV_EAGAIN);
  /* A handle without a socket. */
  {
    uv_tcp_t none;
    ASSERT_EQ(uv_tcp_init(&loop, &none), 0);
    ASSERT_EQ(uv_write(&w, (uv_stream_t*) &none, &buf, 1, NULL), UV_EBADF);
    ASSERT_EQ(uv_shutdown(&sh, (uv_stream_t*) &none, NULL), UV_ENOTCONN);
  }
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Connect, accept, echo                                                                    */

static int echo_connects, echo_reads, echo_eof, echo_shutdown, echo_writes;
static char echo_got[64];
static size_t echo_len;
static uv_tcp_t echo_server, echo_client, echo_conn;
static uv_write_t echo_wreq, echo_reply;
static uv_shutdown_t echo_sreq;

static void echo_server_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    uv_buf_t b = uv_buf_init(buf->base, (unsigned) nread);
    /* Echo back synchronously if the socket takes it. */
    ASSERT_EQ(uv_try_write(s, &b, 1), nread);
  } else if (nread == UV_EOF) {
    uv_close((uv_handle_t*) s, NULL);
    uv_close((uv_handle_t*) &echo_server, NULL);
  } else {
    ASSERT_EQ(nread, 0);
  }
}

static void echo_connection(uv_stream_t* server, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_tcp_init(server->loop, &echo_conn), 0);
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) &echo_conn), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &echo_conn), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &echo_conn), 1);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &echo_conn, alloc_slab, echo_server_read), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &echo_conn, alloc_slab, echo_server_read), UV_EALREADY);
}

static void echo_client_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    ASSERT(echo_len + (size_t) nread <= sizeof(echo_got));
    memcpy(echo_got + echo_len, buf->base, (size_t) nread);
    echo_len += (size_t) nread;
    echo_reads++;
  } else if (nread == UV_EOF) {
    echo_eof++;
    ASSERT_EQ(uv_is_active((uv_handle_t*) s), 0);
    uv_close((uv_handle_t*) s, NULL);
  } else {
    ASSERT_EQ(nread, 0);
  }
}

static void echo_shutdown_cb(uv_shutdown_t* req, int status) {
  ASSERT_EQ(status, 0);
  ASSERT(req == &echo_sreq);
  ASSERT_EQ(echo_writes, 1); /* after the write it follows */
  echo_shutdown++;
}

static void echo_write_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  ASSERT(req == &echo_wreq);
  ASSERT(req->handle == (uv_stream_t*) &echo_client);
  echo_writes++;
}

static void echo_connect_cb(uv_connect_t* req, int status) {
  uv_buf_t b = uv_buf_init("hello, world", 12);
  ASSERT_EQ(status, 0);
  ASSERT(req->handle == (uv_stream_t*) &echo_client);
  echo_connects++;
  ASSERT_EQ(uv_is_readable(req->handle), 1);
  ASSERT_EQ(uv_is_writable(req->handle), 1);
  ASSERT_EQ(uv_write(&echo_wreq, req->handle, &b, 1, echo_write_cb), 0);
  /* Write callbacks never run from inside uv_write. */
  ASSERT_EQ(echo_writes, 0);
  ASSERT_EQ(uv_shutdown(&echo_sreq, req->handle, echo_shutdown_cb), 0);
  ASSERT_EQ(uv_is_writable(req->handle), 0);
  ASSERT_EQ(uv_shutdown(&echo_sreq, req->handle, echo_shutdown_cb), UV_ENOTCONN);
  ASSERT_EQ(uv_read_start(req->handle, alloc_slab, echo_client_read), 0);
  {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    ASSERT_EQ(uv_tcp_getpeername(&echo_client, (struct sockaddr*) &ss, &len), 0);
    ASSERT_EQ(ntohs(((struct sockaddr_in*) &ss)->sin_port), port_of(&echo_server));
  }
}

static void test_echo(void) {
  uv_loop_t loop;
  uv_connect_t req;
  struct sockaddr_in a;
  int port;

  (void) echo_reply;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  port = listen_any(&loop, &echo_server, echo_connection);
  a = ip4(port);
  ASSERT_EQ(uv_tcp_init(&loop, &echo_client), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &echo_client, (const struct sockaddr*) &a, echo_connect_cb), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &echo_client, (const struct sockaddr*) &a, echo_connect_cb),
            UV_EALREADY);
  ASSERT_EQ(echo_connects, 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(echo_connects, 1);
  ASSERT_EQ(echo_writes, 1);
  ASSERT_EQ(echo_shutdown, 1);
  ASSERT_EQ(echo_eof, 1);
  ASSERT_EQ(echo_len, 12);
  ASSERT(memcmp(echo_got, "hello, world", 12) == 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Connect failures                                                                         */

static int refused_status = 1;
static void refused_cb(uv_connect_t* req, int status) {
  refused_status = status;
  uv_close((uv_handle_t*) req->handle, NULL);
}

static void test_connect_refused(void) {
  uv_loop_t loop;
  uv_tcp_t t;
  uv_connect_t req;
  struct sockaddr_in a = ip4(free_port());

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &t, (const struct sockaddr*) &a, refused_cb), 0);
  ASSERT_EQ(refused_status, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(refused_status, UV_ECONNREFUSED);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int cancel_order[4];
static int cancel_n;
static void cancel_connect_cb(uv_connect_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, UV_ECANCELED);
  cancel_order[cancel_n++] = 'c';
}
static void cancel_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, UV_ECANCELED);
  cancel_order[cancel_n++] = 'w';
}
static void cancel_close_cb(uv_handle_t* h) {
  (void) h;
  cancel_order[cancel_n++] = 'x';
}

/* Closing while connecting cancels the connect and the writes queued behind it. */
static void test_close_while_connecting(void) {
  uv_loop_t loop;
  uv_tcp_t server, t;
  uv_connect_t req;
  uv_write_t w;
  uv_buf_t b = uv_buf_init("abc", 3);
  struct sockaddr_in a;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  a = ip4(listen_any(&loop, &server, NULL));
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &t, (const struct sockaddr*) &a, cancel_connect_cb), 0);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &t, &b, 1, cancel_write_cb), 0);
  ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) &t), 3);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &t, &b, 1), UV_EAGAIN);
  uv_close((uv_handle_t*) &t, cancel_close_cb);
  uv_close((uv_handle_t*) &server, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(cancel_n, 3);
  ASSERT_EQ(cancel_order[0], 'c');
  ASSERT_EQ(cancel_order[1], 'w');
  ASSERT_EQ(cancel_order[2], 'x');
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int inuse_status = 1;
static void inuse_cb(uv_connect_t* req, int status) {
  inuse_status = status;
  uv_close((uv_handle_t*) req->handle, NULL);
}

/* A bind error kept for later is reported through the connect callback. */
static void test_bind_error_through_connect(void) {
  uv_loop_t loop;
  uv_tcp_t server, t;
  uv_connect_t req;
  struct sockaddr_in a, same;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  a = ip4(listen_any(&loop, &server, NULL));
  same = a;
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_bind(&t, (const struct sockaddr*) &same, 0), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &t, (const struct sockaddr*) &a, inuse_cb), 0);
  ASSERT_EQ(inuse_status, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 1);
  ASSERT_EQ(inuse_status, UV_EADDRINUSE);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Open, options, misc                                                                       */

static int open_connected;
static uv_tcp_t open_server;
static void open_connect_cb(uv_connect_t* req, int status) {
  ASSERT_EQ(status, 0);
  open_connected = 1;
  uv_close((uv_handle_t*) req->handle, NULL);
  uv_close((uv_handle_t*) &open_server, NULL);
}
static void ignore_connection(uv_stream_t* server, int status) {
  (void) server;
  ASSERT_EQ(status, 0);
}

static void test_tcp_open(void) {
  uv_loop_t loop;
  uv_tcp_t t, t2;
  uv_connect_t req;
  struct sockaddr_in a;
  int fd;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  a = ip4(listen_any(&loop, &open_server, ignore_connection));
  fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_open(&t, fd), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &t), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &t), 1);
  ASSERT_EQ(uv_tcp_connect(&req, &t, (const struct sockaddr*) &a, open_connect_cb), 0);
  /* The descriptor is in use by a handle of this loop. */
  ASSERT_EQ(uv_tcp_init(&loop, &t2), 0);
  ASSERT_EQ(uv_tcp_open(&t2, fd), UV_EEXIST);
  uv_close((uv_handle_t*) &t2, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(open_connected, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  /* Closing the handle closed the descriptor. */
  ASSERT_EQ(close(fd), -1);
}

static void test_buffer_sizes(void) {
  uv_loop_t loop;
  uv_tcp_t t;
  uv_timer_t timer;
  int v;
  struct sockaddr_in a = ip4(0);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_bind(&t, (const struct sockaddr*) &a, 0), 0);
  v = 0;
  ASSERT_EQ(uv_recv_buffer_size((uv_handle_t*) &t, &v), 0);
  ASSERT(v > 0);
  v = 16384;
  ASSERT_EQ(uv_recv_buffer_size((uv_handle_t*) &t, &v), 0);
  v = 0;
  ASSERT_EQ(uv_recv_buffer_size((uv_handle_t*) &t, &v), 0);
  ASSERT(v == 16384 || v == 32768); /* Linux doubles it */
  v = 0;
  ASSERT_EQ(uv_send_buffer_size((uv_handle_t*) &t, &v), 0);
  ASSERT(v > 0);
  ASSERT_EQ(uv_send_buffer_size((uv_handle_t*) &t, NULL), UV_EINVAL);
  ASSERT_EQ(uv_send_buffer_size(NULL, &v), UV_EINVAL);
  ASSERT_EQ(uv_timer_init(&loop, &timer), 0);
  v = 0;
  ASSERT_EQ(uv_send_buffer_size((uv_handle_t*) &timer, &v), UV_ENOTSUP);
  finish_loop(&loop);
}

static int ip6_pong;
static uv_tcp_t ip6_conn;
static void ip6_server_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    uv_buf_t b = uv_buf_init(buf->base, (unsigned) nread);
    ASSERT_EQ(uv_try_write(s, &b, 1), nread);
  } else if (nread < 0) {
    uv_close((uv_handle_t*) s, NULL);
  }
}
static void ip6_connection(uv_stream_t* server, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_tcp_init(server->loop, &ip6_conn), 0);
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) &ip6_conn), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &ip6_conn, alloc_slab, ip6_server_read), 0);
  uv_close((uv_handle_t*) server, NULL);
}
static void ip6_client_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    ASSERT_EQ(nread, 4);
    ASSERT(memcmp(buf->base, "pong", 4) == 0);
    ip6_pong++;
    uv_close((uv_handle_t*) s, NULL);
  }
}
static void ip6_connect_cb(uv_connect_t* req, int status) {
  uv_buf_t b = uv_buf_init("pong", 4);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_try_write(req->handle, &b, 1), 4);
  ASSERT_EQ(uv_read_start(req->handle, alloc_slab, ip6_client_read), 0);
}

static void test_ipv6(void) {
  uv_loop_t loop;
  uv_tcp_t server, client;
  uv_connect_t req;
  struct sockaddr_in6 a;
  int r;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_ip6_addr("::1", 0, &a), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &server), 0);
  r = uv_tcp_bind(&server, (const struct sockaddr*) &a, UV_TCP_IPV6ONLY);
  if (r != 0) {
    /* No IPv6 loopback here. */
    finish_loop(&loop);
    return;
  }
  ASSERT_EQ(uv_listen((uv_stream_t*) &server, 4, ip6_connection), 0);
  a.sin6_port = htons((uint16_t) port_of(&server));
  ASSERT_EQ(uv_tcp_init(&loop, &client), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &client, (const struct sockaddr*) &a, ip6_connect_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ip6_pong, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Connections wait in the backlog when the connection callback does not accept; a later
 * uv_accept takes them. */
static int delayed_conns;
static uv_tcp_t delayed_clients[3], delayed_accepted[3];
static void delayed_connection(uv_stream_t* server, int status) {
  (void) server;
  ASSERT_EQ(status, 0);
  delayed_conns++;
}
static int delayed_connected;
static void delayed_connect_cb(uv_connect_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  delayed_connected++;
}

static void test_delayed_accept(void) {
  uv_loop_t loop;
  uv_tcp_t server;
  uv_connect_t reqs[3];
  struct sockaddr_in a;
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  a = ip4(listen_any(&loop, &server, delayed_connection));
  for (i = 0; i < 3; i++) {
    ASSERT_EQ(uv_tcp_init(&loop, &delayed_clients[i]), 0);
    ASSERT_EQ(uv_tcp_connect(&reqs[i], &delayed_clients[i], (const struct sockaddr*) &a,
                             delayed_connect_cb),
              0);
  }
  while (delayed_connected < 3 || delayed_conns < 1)
    ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  /* Only one connection callback until it is accepted. */
  uv_run(&loop, UV_RUN_NOWAIT);
  ASSERT_EQ(delayed_conns, 1);
  for (i = 0; i < 3; i++) {
    ASSERT_EQ(uv_tcp_init(&loop, &delayed_accepted[i]), 0);
    ASSERT_EQ(uv_accept((uv_stream_t*) &server, (uv_stream_t*) &delayed_accepted[i]), 0);
    while (delayed_conns < i + 2 && i < 2)
      ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  }
  ASSERT_EQ(delayed_conns, 3);
  finish_loop(&loop);
}

/* Entry points on closed handles, and bad input. */
static void test_closed_and_bad_input(void) {
  uv_loop_t loop;
  uv_tcp_t t;
  uv_write_t w;
  uv_buf_t b = uv_buf_init("x", 1);
  struct sockaddr_in a = ip4(0);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_bind(&t, (const struct sockaddr*) &a, 0), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &t, alloc_slab, NULL), UV_EINVAL);
  uv_close((uv_handle_t*) &t, NULL);
  ASSERT_EQ(uv_tcp_bind(&t, (const struct sockaddr*) &a, 0), UV_EINVAL);
  ASSERT_EQ(uv_listen((uv_stream_t*) &t, 5, NULL), UV_EINVAL);
  ASSERT(uv_write(&w, (uv_stream_t*) &t, &b, 1, NULL) < 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &t, alloc_slab, echo_client_read), UV_EINVAL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int sp_reads;
static void sp_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    ASSERT(memcmp(buf->base, "sp", 2) == 0);
    sp_reads++;
    uv_close((uv_handle_t*) s, NULL);
  }
}

/* uv_socketpair gives two connected Unix sockets (used through pipe handles). */
static void test_socketpair(void) {
  uv_loop_t loop;
  uv_pipe_t a, b;
  uv_os_sock_t fds[2];
  uv_buf_t buf = uv_buf_init("sp", 2);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_socketpair(SOCK_STREAM, 0, fds, UV_NONBLOCK_PIPE, UV_NONBLOCK_PIPE), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &a, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &b, 0), 0);
  ASSERT_EQ(uv_pipe_open(&a, fds[0]), 0);
  ASSERT_EQ(uv_pipe_open(&b, fds[1]), 0);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &a, &buf, 1), 2);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &b, alloc_slab, sp_read), 0);
  uv_close((uv_handle_t*) &a, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(sp_reads, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(init_and_fileno),
    TEST(bind_rules),
    TEST(server_not_a_stream),
    TEST(echo),
    TEST(connect_refused),
    TEST(close_while_connecting),
    TEST(bind_error_through_connect),
    TEST(tcp_open),
    TEST(buffer_sizes),
    TEST(ipv6),
    TEST(delayed_accept),
    TEST(closed_and_bad_input),
    TEST(socketpair),
};

RSUV_TEST_MAIN(tests)
