/* test-script-server.c: the scripted loopback server plays its script exactly, with raw GIO
 * clients written here: synchronous ones on the test thread, and one asynchronous client on the
 * test's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "heron-script-server.h"

#define WAIT_MS 10000

/* A raw client with its own buffer, so that nothing is read ahead behind the test's back (the
 * STARTTLS tests depend on knowing exactly what was read before the handshake). */
typedef struct {
  GSocketConnection *connection;
  GIOStream         *stream;      /* the connection, or TLS on it */
  GByteArray        *buffer;
  guint8            *chunk;
} Client;

#define CLIENT_CHUNK (64 * 1024)

static Client *
client_connect (HeronScriptServer *server)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Client *client = g_new0 (Client, 1);

  /* Loopback needs no proxy, and libproxy (C++) aborts under ASan in a C program. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  client->connection = g_socket_client_connect_to_host (socket_client,
                                                        heron_script_server_get_host (server),
                                                        heron_script_server_get_port (server),
                                                        NULL, &error);
  g_assert_no_error (error);
  /* A safety net: a broken test fails instead of hanging. */
  g_socket_set_timeout (g_socket_connection_get_socket (client->connection), 10);
  client->stream = g_object_ref (G_IO_STREAM (client->connection));
  client->buffer = g_byte_array_new ();
  client->chunk = g_malloc (CLIENT_CHUNK);
  return client;
}

static void
client_free (Client *client)
{
  g_io_stream_close (client->stream, NULL, NULL);
  g_object_unref (client->stream);
  g_object_unref (client->connection);
  g_byte_array_unref (client->buffer);
  g_free (client->chunk);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

/* > 0 bytes added to the buffer, 0 at end of file, -1 on error. */
static gssize
client_fill (Client  *client,
             GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream (client->stream);
  gssize n = g_input_stream_read (in, client->chunk, CLIENT_CHUNK, NULL, error);

  if (n > 0)
    g_byte_array_append (client->buffer, client->chunk, n);
  return n;
}

/* A line without its CRLF; NULL at end of file (error unset) or on error. */
static char *
client_read_line (Client  *client,
                  GError **error)
{
  for (;;)
    {
      const guint8 *lf = NULL;

      if (client->buffer->len > 0)
        lf = memchr (client->buffer->data, '\n', client->buffer->len);

      if (lf != NULL)
        {
          gsize len = (gsize) (lf - client->buffer->data) + 1;
          char *line;

          g_assert_cmpuint (len, >=, 2);
          g_assert_cmpint (client->buffer->data[len - 2], ==, '\r');
          line = g_strndup ((const char *) client->buffer->data, len - 2);
          g_byte_array_remove_range (client->buffer, 0, len);
          return line;
        }
      if (client_fill (client, error) <= 0)
        return NULL;
    }
}

static void
client_assert_line (Client     *client,
                    const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = client_read_line (client, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, expected);
}

/* End of file, or the connection reset: either way nothing more comes. */
static void
client_assert_closed (Client *client)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = client_read_line (client, &error);

  g_assert_null (line);
  if (error != NULL)
    g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
                   g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF));
}

static void
client_write (Client     *client,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (client->stream), text, strlen (text),
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
record_certificate_errors (GTlsConnection       *connection,
                           GTlsCertificate      *peer,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  *(GTlsCertificateFlags *) user_data = errors;
  return FALSE;
}

/* A TLS handshake as the client side, trusting only `ca_file` (NULL: the system's trust store)
 * and expecting the identity "localhost". Returns FALSE with error if the handshake fails, and
 * what the verification found in *out_errors (nullable). */
static gboolean
client_start_tls (Client                *client,
                  const char            *ca_file,
                  GTlsCertificateFlags  *out_errors,
                  GError               **error)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", 0);
  g_autoptr(GIOStream) tls = NULL;
  GTlsCertificateFlags errors = 0;

  /* A correct client has nothing buffered from before the handshake. */
  g_assert_cmpuint (client->buffer->len, ==, 0);

  tls = g_tls_client_connection_new (G_IO_STREAM (client->connection), identity, error);
  g_assert_nonnull (tls);
  if (ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, error);

      g_assert_nonnull (database);
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
    }
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (record_certificate_errors), &errors);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, error))
    {
      if (out_errors != NULL)
        *out_errors = errors;
      return FALSE;
    }
  if (out_errors != NULL)
    *out_errors = errors;
  g_signal_handlers_disconnect_by_func (tls, record_certificate_errors, &errors);
  g_set_object (&client->stream, tls);
  return TRUE;
}

static void
assert_server_ok (HeronScriptServer *server)
{
  g_autoptr(GError) error = NULL;

  heron_script_server_wait (server, WAIT_MS, &error);
  g_assert_no_error (error);
}

static GError *
server_failure (HeronScriptServer *server)
{
  GError *error = NULL;

  g_assert_false (heron_script_server_wait (server, WAIT_MS, &error));
  g_assert_nonnull (error);
  g_test_message ("expected failure: %s", error->message);
  return error;
}

static void
assert_in_order (const char *haystack,
                 const char *first,
                 const char *second)
{
  const char *a = strstr (haystack, first);
  const char *b = strstr (haystack, second);

  if (a == NULL || b == NULL || a >= b)
    g_error ("expected \"%s\" before \"%s\" in:\n%s", first, second, haystack);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("expected \"%s\" in:\n%s", needle, haystack);
}

static HeronScriptServer *
new_server (void)
{
  g_autoptr(GError) error = NULL;
  HeronScriptServer *server = heron_script_server_new (&error);

  g_assert_no_error (error);
  g_assert_nonnull (server);
  g_assert_cmpuint (heron_script_server_get_port (server), >, 0);
  return server;
}

/* A greeting, tagged commands (one pipelined pair) answered with $TAG and $TAG1, a logout. */
static void
test_greeting (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autofree char *transcript = NULL;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1] ready\r\n");
  heron_script_server_expect (server, "* CAPABILITY");
  heron_script_server_send (server, "* CAPABILITY IMAP4rev1 IDLE\r\n$TAG OK done\r\n");
  heron_script_server_expect (server, "* LOGIN alice *");
  heron_script_server_expect (server, "* NOOP");
  heron_script_server_send (server, "$TAG1 OK LOGIN done\r\n$TAG OK NOOP done\r\n");
  heron_script_server_expect (server, "* LOGOUT");
  heron_script_server_send (server, "* BYE\r\n$TAG OK LOGOUT done\r\n");
  heron_script_server_expect_close (server);

  client = client_connect (server);
  client_assert_line (client, "* OK [CAPABILITY IMAP4rev1] ready");
  client_write (client, "a1 CAPABILITY\r\n");
  client_assert_line (client, "* CAPABILITY IMAP4rev1 IDLE");
  client_assert_line (client, "a1 OK done");
  client_write (client, "a2 LOGIN alice secret\r\na3 NOOP\r\n");
  client_assert_line (client, "a2 OK LOGIN done");
  client_assert_line (client, "a3 OK NOOP done");
  client_write (client, "a4 LOGOUT\r\n");
  client_assert_line (client, "* BYE");
  client_assert_line (client, "a4 OK LOGOUT done");
  g_clear_pointer (&client, client_free);

  assert_server_ok (server);
  g_assert_cmpuint (heron_script_server_get_connections (server), ==, 1);
  transcript = heron_script_server_get_transcript (server);
  assert_in_order (transcript, "S> * OK [CAPABILITY IMAP4rev1] ready\\r\\n",
                   "C> a1 CAPABILITY\\r\\n");
  assert_in_order (transcript, "C> a3 NOOP\\r\\n", "S> a2 OK LOGIN done\\r\\n");
  assert_in_order (transcript, "S> a3 OK NOOP done\\r\\n", "-- the client closed the connection");
}

/* The typical test: the client runs asynchronously on the test's main context while the
 * server plays its script on its own thread; the main loop runs until both are done. */
typedef struct {
  GMainLoop         *loop;
  GSocketConnection *connection;
  GDataInputStream  *input;
  gboolean           client_done;
  gboolean           server_done;
  GError            *server_error;
} AsyncTest;

static void
async_check_done (AsyncTest *test)
{
  if (test->client_done && test->server_done)
    g_main_loop_quit (test->loop);
}

static void
on_server_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncTest *test = user_data;

  g_assert_null (source);
  heron_script_server_wait_finish (result, &test->server_error);
  test->server_done = TRUE;
  async_check_done (test);
}

static void
on_reply (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AsyncTest *test = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (test->input, result, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "a1 OK NOOP done");
  g_io_stream_close (G_IO_STREAM (test->connection), NULL, &error);
  g_assert_no_error (error);
  test->client_done = TRUE;
  async_check_done (test);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncTest *test = user_data;
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  g_assert_no_error (error);
  g_data_input_stream_read_line_async (test->input, G_PRIORITY_DEFAULT, NULL, on_reply, test);
}

static void
on_greeting (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  static const char command[] = "a1 NOOP\r\n";
  AsyncTest *test = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (test->input, result, NULL, &error);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (test->connection));

  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "* OK hello");
  g_output_stream_write_all_async (out, command, strlen (command), G_PRIORITY_DEFAULT, NULL,
                                   on_written, test);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncTest *test = user_data;
  g_autoptr(GError) error = NULL;

  test->connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result,
                                                             &error);
  g_assert_no_error (error);
  test->input = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (test->connection)));
  g_data_input_stream_set_newline_type (test->input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  g_data_input_stream_read_line_async (test->input, G_PRIORITY_DEFAULT, NULL, on_greeting, test);
}

static gboolean
on_async_timeout (gpointer user_data)
{
  g_error ("the asynchronous client or the server did not finish in time");
  return G_SOURCE_REMOVE;
}

static void
test_async_client (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  AsyncTest test = { .loop = g_main_loop_new (NULL, FALSE) };
  guint timeout_id;

  g_socket_client_set_enable_proxy (socket_client, FALSE);

  heron_script_server_send (server, "* OK hello\r\n");
  heron_script_server_expect (server, "* NOOP");
  heron_script_server_send (server, "$TAG OK NOOP done\r\n");
  heron_script_server_expect_close (server);

  g_socket_client_connect_to_host_async (socket_client, heron_script_server_get_host (server),
                                         heron_script_server_get_port (server), NULL,
                                         on_connected, &test);
  heron_script_server_wait_async (server, on_server_done, &test);
  timeout_id = g_timeout_add_seconds (10, on_async_timeout, NULL);
  g_main_loop_run (test.loop);
  g_source_remove (timeout_id);

  g_assert_no_error (test.server_error);
  g_clear_object (&test.input);
  g_clear_object (&test.connection);
  g_main_loop_unref (test.loop);
}

/* A line that does not match fails the script with the step, the pattern and the line. */
static void
test_mismatch (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK ready\r\n");
  heron_script_server_expect (server, "* LOGIN alice *");
  heron_script_server_send (server, "$TAG OK LOGIN done\r\n");

  client = client_connect (server);
  client_assert_line (client, "* OK ready");
  client_write (client, "a1 LOGIN bob secret\r\n");
  /* The server gives up: the client sees the connection end, not an answer. */
  client_assert_closed (client);

  error = server_failure (server);
  g_assert_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_MISMATCH);
  assert_contains (error->message, "step 2 (expect \"* LOGIN alice *\")");
  assert_contains (error->message, "received \"a1 LOGIN bob secret\"");
  /* The transcript's tail is part of the message. */
  assert_contains (error->message, "C> a1 LOGIN bob secret\\r\\n");
}

/* A bare LF, a "$TAG" with no line behind it, a step after a close: each fails its step. */
static void
test_protocol_errors (void)
{
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;
    g_autoptr(GError) error = NULL;

    heron_script_server_expect (server, "* NOOP");
    client = client_connect (server);
    client_write (client, "a1 NOOP\n");
    client_assert_closed (client);
    error = server_failure (server);
    g_assert_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL);
    assert_contains (error->message, "bare LF");
  }
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;
    g_autoptr(GError) error = NULL;

    heron_script_server_expect (server, "* NOOP");
    heron_script_server_send (server, "$TAG2 OK\r\n");
    client = client_connect (server);
    client_write (client, "a1 NOOP\r\n");
    client_assert_closed (client);
    error = server_failure (server);
    g_assert_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL);
    assert_contains (error->message, "step 2 (send \"$TAG2 OK\\r\\n\")");
    assert_contains (error->message, "$TAG2");
  }
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;
    g_autoptr(GError) error = NULL;

    heron_script_server_close (server);
    heron_script_server_send (server, "* OK too late\r\n");
    client = client_connect (server);
    client_assert_closed (client);
    error = server_failure (server);
    g_assert_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL);
    assert_contains (error->message, "closed the connection");
  }
}

/* A literal in both directions, tags kept across a literal and IDLE's DONE, a literal that
 * differs. */
static void
test_literal (void)
{
  g_autoptr(GBytes) expected = g_bytes_new_static ("hello world", 11);

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;

    heron_script_server_expect (server, "* APPEND INBOX {11}");
    heron_script_server_send (server, "+ Ready\r\n");
    heron_script_server_expect_literal (server, 11, expected);
    heron_script_server_expect_data (server, "");
    heron_script_server_send (server, "$TAG OK APPEND done\r\n");
    heron_script_server_expect (server, "* IDLE");
    heron_script_server_send (server, "+ idling\r\n");
    heron_script_server_expect_data (server, "DONE");
    heron_script_server_send (server, "$TAG OK IDLE done, $TAG1 before\r\n");
    heron_script_server_expect_close (server);

    client = client_connect (server);
    client_write (client, "a1 APPEND INBOX {11}\r\n");
    client_assert_line (client, "+ Ready");
    client_write (client, "hello world\r\n");
    client_assert_line (client, "a1 OK APPEND done");
    client_write (client, "a2 IDLE\r\n");
    client_assert_line (client, "+ idling");
    client_write (client, "DONE\r\n");
    client_assert_line (client, "a2 OK IDLE done, a1 before");
    g_clear_pointer (&client, client_free);
    assert_server_ok (server);
  }
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;
    g_autoptr(GError) error = NULL;

    heron_script_server_expect (server, "* APPEND INBOX {11+}");
    heron_script_server_expect_literal (server, 11, expected);
    client = client_connect (server);
    client_write (client, "a1 APPEND INBOX {11+}\r\nhello wOrld\r\n");
    client_assert_closed (client);
    error = server_failure (server);
    g_assert_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_MISMATCH);
    assert_contains (error->message, "at byte 7");
  }
}

/* STARTTLS, then commands through TLS; the client verifies the server with the server's own
 * certificate as the only trust anchor and gets that very certificate. */
static void
test_starttls (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  GTlsCertificate *peer;
  GTlsCertificateFlags errors = 0;

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
  heron_script_server_expect (server, "* STARTTLS");
  heron_script_server_send (server, "$TAG OK Begin TLS negotiation now\r\n");
  heron_script_server_start_tls (server);
  heron_script_server_expect (server, "* CAPABILITY");
  heron_script_server_send (server, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n$TAG OK done\r\n");
  heron_script_server_expect (server, "* LOGOUT");
  heron_script_server_send (server, "* BYE\r\n$TAG OK LOGOUT done\r\n");
  heron_script_server_close (server);

  client = client_connect (server);
  client_assert_line (client, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi");
  client_write (client, "a1 STARTTLS\r\n");
  client_assert_line (client, "a1 OK Begin TLS negotiation now");
  g_assert_true (client_start_tls (client, heron_script_server_get_certificate_file (server),
                                   &errors, &error));
  g_assert_no_error (error);
  g_assert_cmpint (errors, ==, 0);
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (client->stream));
  g_assert_nonnull (peer);
  g_assert_true (g_tls_certificate_is_same (peer, heron_script_server_get_certificate (server)));
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (client->stream)),
                   ==, 0);

  client_write (client, "a2 CAPABILITY\r\n");
  client_assert_line (client, "* CAPABILITY IMAP4rev1 AUTH=PLAIN");
  client_assert_line (client, "a2 OK done");
  client_write (client, "a3 LOGOUT\r\n");
  client_assert_line (client, "* BYE");
  client_assert_line (client, "a3 OK LOGOUT done");
  client_assert_closed (client);

  assert_server_ok (server);
  g_assert_cmpuint (heron_script_server_get_discarded_bytes (server), ==, 0);
  transcript = heron_script_server_get_transcript (server);
  assert_in_order (transcript, "S> a1 OK Begin TLS negotiation now\\r\\n", "-- TLS is up: TLS 1.");
  assert_in_order (transcript, "-- TLS is up", "C> a2 CAPABILITY\\r\\n");
}

/* IMAPS: TLS from the first byte; the client closes with close_notify. */
static void
test_implicit_tls (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;

  heron_script_server_implicit_tls (server);
  heron_script_server_send (server, "* OK over TLS\r\n");
  heron_script_server_expect (server, "* LOGOUT");
  heron_script_server_send (server, "* BYE\r\n$TAG OK\r\n");
  heron_script_server_expect_close (server);

  client = client_connect (server);
  g_assert_true (client_start_tls (client, heron_script_server_get_certificate_file (server),
                                   NULL, &error));
  g_assert_no_error (error);
  client_assert_line (client, "* OK over TLS");
  client_write (client, "x LOGOUT\r\n");
  client_assert_line (client, "* BYE");
  client_assert_line (client, "x OK");
  g_clear_pointer (&client, client_free);

  assert_server_ok (server);
}

/* STARTTLS response injection: the server puts its STARTTLS reply and a fake tagged reply in one
 * plain-text write before the handshake. The bytes really are on the wire in clear text (this
 * raw client reads them there; a correct client throws them away), and the transcript shows them
 * sent before the handshake. */
static void
test_starttls_injection (void)
{
  static const char injected[] = "a2 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] LOGIN done (injected)";
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *injected_crlf = g_strconcat (injected, "\r\n", NULL);
  g_autofree char *reply = g_strconcat ("$TAG OK Begin TLS\r\n", injected_crlf, NULL);
  g_autofree char *injected_in_transcript = g_strconcat ("S> ", injected, "\\r\\n", NULL);

  heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
  heron_script_server_expect (server, "* STARTTLS");
  heron_script_server_send (server, reply);
  heron_script_server_start_tls (server);
  heron_script_server_expect (server, "* CAPABILITY");
  heron_script_server_send (server, "* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n$TAG OK done\r\n");
  heron_script_server_close (server);

  client = client_connect (server);
  client_assert_line (client, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi");
  client_write (client, "a1 STARTTLS\r\n");
  client_assert_line (client, "a1 OK Begin TLS");
  /* Read on until the injected reply has arrived, in plain text, before any handshake. */
  while (client->buffer->len < strlen (injected_crlf))
    {
      g_assert_cmpint (client_fill (client, &error), >, 0);
      g_assert_no_error (error);
    }
  g_assert_cmpmem (client->buffer->data, client->buffer->len, injected_crlf,
                   strlen (injected_crlf));
  /* What a correct client does: forget everything read before the handshake. */
  g_byte_array_set_size (client->buffer, 0);
  g_assert_true (client_start_tls (client, heron_script_server_get_certificate_file (server),
                                   NULL, &error));
  g_assert_no_error (error);
  client_write (client, "a2 CAPABILITY\r\n");
  client_assert_line (client, "* CAPABILITY IMAP4rev1 LOGINDISABLED");
  client_assert_line (client, "a2 OK done");
  client_assert_closed (client);

  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  assert_in_order (transcript, "S> a1 OK Begin TLS\\r\\n", injected_in_transcript);
  assert_in_order (transcript, injected_in_transcript, "-- TLS handshake (server side)");
  assert_in_order (transcript, "-- TLS is up", "S> * CAPABILITY IMAP4rev1 LOGINDISABLED\\r\\n");
}

/* A client that pipelines a command after STARTTLS: the server has read it in plain text, and
 * throws it away at the handshake rather than run it as if it had come through TLS. */
static void
test_starttls_discards_plain_text (void)
{
  static const char pipelined[] = "a2 LOGIN alice secret\r\n";
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  heron_script_server_expect (server, "* STARTTLS");
  heron_script_server_send (server, "$TAG OK Begin TLS\r\n");
  heron_script_server_start_tls (server);
  heron_script_server_expect (server, "a3 NOOP");
  heron_script_server_send (server, "$TAG OK NOOP done\r\n");
  heron_script_server_close (server);

  client = client_connect (server);
  /* One write, so the server reads both lines at once. */
  client_write (client, "a1 STARTTLS\r\na2 LOGIN alice secret\r\n");
  client_assert_line (client, "a1 OK Begin TLS");
  g_assert_true (client_start_tls (client, heron_script_server_get_certificate_file (server),
                                   NULL, &error));
  g_assert_no_error (error);
  client_write (client, "a3 NOOP\r\n");
  client_assert_line (client, "a3 OK NOOP done");
  client_assert_closed (client);

  assert_server_ok (server);
  g_assert_cmpuint (heron_script_server_get_discarded_bytes (server), ==, strlen (pipelined));
  transcript = heron_script_server_get_transcript (server);
  assert_in_order (transcript, "C# a2 LOGIN alice secret\\r\\n", "-- TLS is up");
  g_assert_null (strstr (transcript, "C> a2 LOGIN"));
}

/* The client must refuse a certificate it cannot verify: one not in its trust store, one that
 * expired, one for another host. And a client that accepts fails the step. */
static void
test_bad_certificates (void)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;

    heron_script_server_expect_tls_refused (server);
    client = client_connect (server);
    /* The system's trust store does not know the self-signed certificate. */
    g_assert_false (client_start_tls (client, NULL, NULL, &error));
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
    g_clear_error (&error);
    g_clear_pointer (&client, client_free);
    assert_server_ok (server);
  }
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(GTlsCertificate) expired = NULL;
    g_autoptr(GDateTime) not_after = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(Client) client = NULL;
    GTlsCertificateFlags errors = 0;

    expired = heron_script_server_make_certificate ("localhost", "DNS:localhost,IP:127.0.0.1",
                                                    -2, &error);
    g_assert_no_error (error);
    not_after = g_tls_certificate_get_not_valid_after (expired);
    g_assert_cmpint (g_date_time_compare (not_after, now), <, 0);
    g_assert_true (heron_script_server_set_certificate (server, expired, &error));
    g_assert_no_error (error);
    g_assert_true (heron_script_server_get_certificate (server) == expired);

    heron_script_server_send (server, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    heron_script_server_expect (server, "* STARTTLS");
    heron_script_server_send (server, "$TAG OK Begin TLS\r\n");
    heron_script_server_expect_tls_refused (server);
    client = client_connect (server);
    client_assert_line (client, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi");
    client_write (client, "a1 STARTTLS\r\n");
    client_assert_line (client, "a1 OK Begin TLS");
    /* Even trusted as an anchor, it has expired. */
    g_assert_false (client_start_tls (client, heron_script_server_get_certificate_file (server),
                                      &errors, &error));
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
    g_clear_error (&error);
    g_assert_true (errors & G_TLS_CERTIFICATE_EXPIRED);
    g_clear_pointer (&client, client_free);
    assert_server_ok (server);
  }
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(GTlsCertificate) wrong_host = NULL;
    g_autoptr(Client) client = NULL;
    GTlsCertificateFlags errors = 0;

    wrong_host = heron_script_server_make_certificate ("wrong.example", "DNS:wrong.example", 2,
                                                       &error);
    g_assert_no_error (error);
    g_assert_true (heron_script_server_set_certificate (server, wrong_host, &error));
    g_assert_no_error (error);
    heron_script_server_expect_tls_refused (server);

    client = client_connect (server);
    g_assert_false (client_start_tls (client, heron_script_server_get_certificate_file (server),
                                      &errors, &error));
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
    g_clear_error (&error);
    g_assert_true (errors & G_TLS_CERTIFICATE_BAD_IDENTITY);
    g_clear_pointer (&client, client_free);
    assert_server_ok (server);
  }
}

/* A client that accepts what it should refuse: the refused step fails. */
static void
test_refused_step_fails_when_accepted (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;

  heron_script_server_expect_tls_refused (server);
  client = client_connect (server);
  g_assert_true (client_start_tls (client, heron_script_server_get_certificate_file (server),
                                   NULL, &error));
  g_assert_no_error (error);
  client_assert_closed (client);
  error = server_failure (server);
  g_assert_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL);
  assert_contains (error->message, "should have refused");
}

static gsize
read_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);
  return (gsize) g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* 100 MB generated on the fly reach a client reading in chunks, every byte right, and the
 * process does not grow by anything like the size. */
static void
test_generated_100mb (void)
{
  static const char pattern[] = "0123456789abcdefghijklmnopqrstuvwxyz\r\n";
  const guint64 size = 100 * 1024 * 1024;
  const gsize plen = strlen (pattern);
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *reference = g_malloc (CLIENT_CHUNK + plen);
  g_autofree char *header = g_strdup_printf ("* 1 FETCH (BODY[] {%" G_GUINT64_FORMAT "}\r\n",
                                             size);
  g_autofree char *transcript = NULL;
  guint64 received = 0;
  gsize rss_start, rss_max;
  guint chunks = 0;

  for (gsize i = 0; i < CLIENT_CHUNK + plen; i++)
    reference[i] = pattern[i % plen];

  heron_script_server_send (server, header);
  heron_script_server_send_generated (server, size, pattern);
  heron_script_server_send (server, ")\r\n");
  heron_script_server_close (server);

  client = client_connect (server);
  rss_start = rss_max = read_rss_kib ();
  client_assert_line (client, "* 1 FETCH (BODY[] {104857600}");
  while (received < size)
    {
      gsize len;

      if (client->buffer->len == 0 && client_fill (client, &error) <= 0)
        g_error ("the literal ended after %" G_GUINT64_FORMAT " bytes: %s", received,
                 error != NULL ? error->message : "end of file");
      len = (gsize) MIN ((guint64) client->buffer->len, size - received);
      if (memcmp (client->buffer->data, reference + received % plen, len) != 0)
        g_error ("wrong bytes at about %" G_GUINT64_FORMAT, received);
      g_byte_array_remove_range (client->buffer, 0, len);
      received += len;
      if (++chunks % 64 == 0)
        rss_max = MAX (rss_max, read_rss_kib ());
    }
  rss_max = MAX (rss_max, read_rss_kib ());
  client_assert_line (client, ")");
  client_assert_closed (client);
  assert_server_ok (server);

  g_test_message ("VmRSS %" G_GSIZE_FORMAT " KiB at the start, at most %" G_GSIZE_FORMAT " KiB",
                  rss_start, rss_max);
  g_assert_cmpuint (rss_max - rss_start, <, 64 * 1024);
  transcript = heron_script_server_get_transcript (server);
  assert_contains (transcript, "-- sent 104857600 generated bytes");
}

/* A connection dropped in the middle of a literal: the client gets part of it, then end of file
 * or a reset, never the rest. */
static void
test_drop_in_literal (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  gssize n;

  /* The drop waits for a command: a reset that comes before the client's connect() has
   * returned fails the connect itself. */
  heron_script_server_expect (server, "a1 FETCH 1 BODY[]");
  heron_script_server_send (server, "* 1 FETCH (BODY[] {1000}\r\n");
  heron_script_server_send_generated (server, 400, "x");
  heron_script_server_drop (server);

  client = client_connect (server);
  client_write (client, "a1 FETCH 1 BODY[]\r\n");
  client_assert_line (client, "* 1 FETCH (BODY[] {1000}");
  while ((n = client_fill (client, &error)) > 0)
    g_assert_cmpuint (client->buffer->len, <=, 400);
  if (n < 0)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_cmpuint (client->buffer->len, <, 1000);
  g_test_message ("the client got %u bytes of the literal, then %s", client->buffer->len,
                  n < 0 ? error->message : "end of file");

  assert_server_ok (server);
  transcript = heron_script_server_get_transcript (server);
  assert_in_order (transcript, "-- sent 400 generated bytes", "-- the server dropped");
}

/* sleep stalls the server: the client's read runs into its own timeout, and a later read gets
 * what the server sends after the stall. */
static void
test_sleep_stalls (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;
  gint64 start;

  heron_script_server_sleep (server, 1500);
  heron_script_server_send (server, "* OK late\r\n");
  heron_script_server_close (server);

  client = client_connect (server);
  socket = g_socket_connection_get_socket (client->connection);
  g_socket_set_timeout (socket, 1);
  start = g_get_monotonic_time ();
  g_assert_cmpint (client_fill (client, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * G_TIME_SPAN_MILLISECOND);

  g_socket_set_timeout (socket, 10);
  client_assert_line (client, "* OK late");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1400 * G_TIME_SPAN_MILLISECOND);
  client_assert_closed (client);
  assert_server_ok (server);
}

/* send_generated_until_close: a client giving up early in 64 MB ends the step well (however
 * much the socket buffers took), and the next connection still runs; a client reading all of a
 * short run and closing ends it well too; a client that answers instead fails it. */
static void
test_generated_until_close (void)
{
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;
    g_autoptr(Client) second = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *transcript = NULL;

    heron_script_server_send_generated_until_close (server, 64 * 1024 * 1024, "220 endless ");
    heron_script_server_next_connection (server);
    heron_script_server_send (server, "* OK second\r\n");
    heron_script_server_close (server);

    client = client_connect (server);
    g_assert_cmpint (client_fill (client, &error), >, 0);
    g_assert_no_error (error);
    g_assert_cmpmem (client->buffer->data, 12, "220 endless ", 12);
    g_clear_pointer (&client, client_free);
    second = client_connect (server);
    client_assert_line (second, "* OK second");
    client_assert_closed (second);
    assert_server_ok (server);
    transcript = heron_script_server_get_transcript (server);
    g_assert_nonnull (strstr (transcript, "-- the client closed the connection after "));
  }
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;
    g_autofree char *transcript = NULL;

    heron_script_server_send_generated_until_close (server, 30, "abc\r\n");

    client = client_connect (server);
    for (guint i = 0; i < 5; i++)
      client_assert_line (client, "abc");
    g_clear_pointer (&client, client_free);
    assert_server_ok (server);
    transcript = heron_script_server_get_transcript (server);
    g_assert_nonnull (strstr (transcript, "-- sent 30 generated bytes"));
    g_assert_nonnull (strstr (transcript, "-- the client closed the connection"));
  }
  {
    g_autoptr(HeronScriptServer) server = new_server ();
    g_autoptr(Client) client = NULL;
    g_autoptr(GError) error = NULL;

    heron_script_server_send_generated_until_close (server, 6, "abc\r\n");

    client = client_connect (server);
    client_assert_line (client, "abc");
    client_write (client, "QUIT\r\n");
    error = server_failure (server);
    g_assert_nonnull (strstr (error->message, "expected the client to close the connection"));
  }
}

/* The server shuts down its sending side and still reads. */
static void
test_half_close (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;

  heron_script_server_send (server, "* BYE going away\r\n");
  heron_script_server_half_close (server);
  heron_script_server_expect (server, "a1 LOGOUT");
  heron_script_server_expect_close (server);

  client = client_connect (server);
  client_assert_line (client, "* BYE going away");
  client_assert_closed (client);
  client_write (client, "a1 LOGOUT\r\n");
  g_clear_pointer (&client, client_free);
  assert_server_ok (server);
}

/* Garbage: any bytes, and the transcript shows them escaped. */
static void
test_garbage (void)
{
  static const guint8 garbage[] = { 0x00, 0xff, 'o', 'k', '\\', '\r', '\n', 0x1b, '[', '0', 'm' };
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(GBytes) bytes = g_bytes_new_static (garbage, sizeof garbage);
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  heron_script_server_send_bytes (server, bytes);
  heron_script_server_close (server);

  client = client_connect (server);
  while (client_fill (client, &error) > 0)
    ;
  g_assert_no_error (error);
  g_assert_cmpmem (client->buffer->data, client->buffer->len, garbage, sizeof garbage);
  assert_server_ok (server);

  transcript = heron_script_server_get_transcript (server);
  assert_in_order (transcript, "S> \\x00\\xffok\\\\\\r\\n\n", "S> \\x1b[0m\n");
}

/* Several connections in a row, each with its own part of the script. */
static void
test_sequential_connections (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) first = NULL;
  g_autoptr(Client) second = NULL;

  heron_script_server_send (server, "* OK first\r\n");
  heron_script_server_expect (server, "* LOGOUT");
  heron_script_server_send (server, "$TAG OK bye\r\n");
  heron_script_server_next_connection (server);
  heron_script_server_send (server, "* OK second\r\n");
  heron_script_server_expect (server, "b1 NOOP");
  heron_script_server_send (server, "$TAG OK\r\n");
  heron_script_server_expect_close (server);

  first = client_connect (server);
  client_assert_line (first, "* OK first");
  client_write (first, "a1 LOGOUT\r\n");
  client_assert_line (first, "a1 OK bye");
  client_assert_closed (first);

  second = client_connect (server);
  client_assert_line (second, "* OK second");
  client_write (second, "b1 NOOP\r\n");
  client_assert_line (second, "b1 OK");
  g_clear_pointer (&second, client_free);

  assert_server_ok (server);
  g_assert_cmpuint (heron_script_server_get_connections (server), ==, 2);
}

/* Steps appended while the client runs: the server waits for them, connection open. */
static void
test_steps_while_running (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(Client) client = NULL;

  heron_script_server_send (server, "* OK ready\r\n");
  client = client_connect (server);
  client_assert_line (client, "* OK ready");
  client_write (client, "a1 NOOP\r\n");
  heron_script_server_expect (server, "a1 NOOP");
  heron_script_server_send (server, "$TAG OK later\r\n");
  client_assert_line (client, "a1 OK later");
  /* wait() ends the script; the server then closes the connection itself. */
  assert_server_ok (server);
  client_assert_closed (client);
}

/* wait() gives up after its timeout and says where the server is. */
static void
test_wait_timeout (void)
{
  g_autoptr(HeronScriptServer) server = new_server ();
  g_autoptr(GError) error = NULL;

  heron_script_server_send (server, "* OK nobody will read this\r\n");
  g_assert_false (heron_script_server_wait (server, 200, &error));
  g_assert_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_TIMEOUT);
  assert_contains (error->message, "waiting for a connection");
}

static void
assert_free_is_quick (HeronScriptServer *server)
{
  gint64 start = g_get_monotonic_time ();

  heron_script_server_free (server);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_TIME_SPAN_SECOND);
}

/* Freeing never hangs, whatever the thread is blocked in. */
static void
test_teardown (void)
{
  /* Blocked in accept. */
  {
    HeronScriptServer *server = new_server ();

    heron_script_server_send (server, "* OK\r\n");
    g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    assert_free_is_quick (server);
  }
  /* Blocked reading a line the connected client never sends; the client then sees the end. */
  {
    HeronScriptServer *server = new_server ();
    g_autoptr(Client) client = NULL;

    heron_script_server_send (server, "* OK\r\n");
    heron_script_server_expect (server, "* LOGIN *");
    client = client_connect (server);
    client_assert_line (client, "* OK");
    assert_free_is_quick (server);
    client_assert_closed (client);
  }
  /* Blocked writing 100 MB to a client that does not read. */
  {
    HeronScriptServer *server = new_server ();
    g_autoptr(Client) client = NULL;

    heron_script_server_send_generated (server, 100 * 1024 * 1024, "x");
    client = client_connect (server);
    g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    assert_free_is_quick (server);
  }
  /* Blocked in a long sleep. */
  {
    HeronScriptServer *server = new_server ();
    g_autoptr(Client) client = NULL;

    heron_script_server_sleep (server, 60 * 1000);
    client = client_connect (server);
    g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    assert_free_is_quick (server);
  }
  /* Blocked in a TLS handshake the client never starts. */
  {
    HeronScriptServer *server = new_server ();
    g_autoptr(Client) client = NULL;

    heron_script_server_implicit_tls (server);
    client = client_connect (server);
    g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    assert_free_is_quick (server);
  }
  /* A pending wait_async completes, cancelled, after the server is gone. */
  {
    HeronScriptServer *server = new_server ();
    AsyncTest test = { 0 };
    GMainContext *context = g_main_context_default ();

    heron_script_server_send (server, "* OK\r\n");
    heron_script_server_wait_async (server, on_server_done, &test);
    assert_free_is_quick (server);
    while (!test.server_done)
      g_main_context_iteration (context, TRUE);
    g_assert_error (test.server_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&test.server_error);
  }
}

/* A certificate made to order: the names and the dates asked for. */
static void
test_make_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autofree char *subject = NULL;
  g_autoptr(GPtrArray) names = NULL;

  certificate = heron_script_server_make_certificate ("mail.example", "DNS:mail.example", 10,
                                                      &error);
  g_assert_no_error (error);
  subject = g_tls_certificate_get_subject_name (certificate);
  assert_contains (subject, "CN=mail.example");
  names = g_tls_certificate_get_dns_names (certificate);
  g_assert_cmpuint (names->len, ==, 1);
  not_before = g_tls_certificate_get_not_valid_before (certificate);
  not_after = g_tls_certificate_get_not_valid_after (certificate);
  g_assert_cmpint (g_date_time_compare (not_before, now), <, 0);
  g_assert_cmpint (g_date_time_difference (not_after, now), >, 9 * G_TIME_SPAN_DAY);
  g_assert_cmpint (g_date_time_difference (not_after, now), <=, 10 * G_TIME_SPAN_DAY);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/heron/servers/script/greeting", test_greeting);
  g_test_add_func ("/heron/servers/script/async-client", test_async_client);
  g_test_add_func ("/heron/servers/script/mismatch", test_mismatch);
  g_test_add_func ("/heron/servers/script/protocol-errors", test_protocol_errors);
  g_test_add_func ("/heron/servers/script/literal", test_literal);
  g_test_add_func ("/heron/servers/script/starttls", test_starttls);
  g_test_add_func ("/heron/servers/script/implicit-tls", test_implicit_tls);
  g_test_add_func ("/heron/servers/script/starttls-injection", test_starttls_injection);
  g_test_add_func ("/heron/servers/script/starttls-discards-plain-text",
                   test_starttls_discards_plain_text);
  g_test_add_func ("/heron/servers/script/bad-certificates", test_bad_certificates);
  g_test_add_func ("/heron/servers/script/refused-step-fails-when-accepted",
                   test_refused_step_fails_when_accepted);
  g_test_add_func ("/heron/servers/script/make-certificate", test_make_certificate);
  g_test_add_func ("/heron/servers/script/generated-100mb", test_generated_100mb);
  g_test_add_func ("/heron/servers/script/drop-in-literal", test_drop_in_literal);
  g_test_add_func ("/heron/servers/script/sleep-stalls", test_sleep_stalls);
  g_test_add_func ("/heron/servers/script/generated-until-close", test_generated_until_close);
  g_test_add_func ("/heron/servers/script/half-close", test_half_close);
  g_test_add_func ("/heron/servers/script/garbage", test_garbage);
  g_test_add_func ("/heron/servers/script/sequential-connections", test_sequential_connections);
  g_test_add_func ("/heron/servers/script/steps-while-running", test_steps_while_running);
  g_test_add_func ("/heron/servers/script/wait-timeout", test_wait_timeout);
  g_test_add_func ("/heron/servers/script/teardown", test_teardown);

  return g_test_run ();
}
