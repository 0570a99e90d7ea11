/* bench-imap-session.c: how close HeronImapSession's UID FETCH comes to the wire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Seeds N messages (default 100,000; first argument) into a mailbox of the test Dovecot, then
 * fetches their metadata (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE) over
 * implicit TLS twice each way, after a warm-up fetch (Dovecot caches the fields on first use):
 *   raw:     a blocking GIO client that reads the reply and throws it away (the wire);
 *   session: heron_imap_session_uid_fetch_async() with a per-message callback that counts.
 * Prints the figures; it is not a test (DESIGN.md: benchmarks print, they do not time out).
 */

#include "config.h"

#include <string.h>

#include "heron-test-server.h"
#include "imap/heron-imap-session.h"

static const char *items[] = {
  "UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", NULL
};

static HeronTestServer *server;

static GIOStream *
raw_connect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  GIOStream *tls;

  g_socket_client_set_enable_proxy (client, FALSE);
  tcp = g_socket_client_connect_to_host (client, heron_test_server_get_host (server),
                                         heron_test_server_get_imaps_port (server), NULL, &error);
  g_assert_no_error (error);
  identity = g_network_address_new (heron_test_server_get_host (server), 993);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), identity, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
  g_assert_no_error (error);
  return tls;
}

/* Reads until a line starting with tag; returns the bytes read. */
static guint64
raw_until (GIOStream  *stream,
           const char *tag)
{
  g_autofree char *marker = g_strdup_printf ("\r\n%s ", tag);
  GInputStream *in = g_io_stream_get_input_stream (stream);
  static char buffer[64 * 1024 + 64];
  gsize keep = 0;
  guint64 total = 0;

  buffer[0] = '\r';
  buffer[1] = '\n';
  keep = 2;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (in, buffer + keep, 64 * 1024, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      total += (guint64) n;
      if (g_strstr_len (buffer, (gssize) (keep + (gsize) n), marker) != NULL)
        return total;
      /* keep the tail, in case the marker is split */
      memmove (buffer, buffer + keep + (gsize) n - 32, 32);
      keep = 32;
    }
}

static void
raw_send (GIOStream  *stream,
          const char *line)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (stream), line, strlen (line),
                                            NULL, NULL, &error));
  g_assert_no_error (error);
}

static double
raw_fetch (const char *mailbox,
           guint64    *out_bytes)
{
  g_autoptr(GIOStream) stream = raw_connect ();
  g_autofree char *login = g_strdup_printf ("a1 LOGIN \"%s\" \"%s\"\r\n", heron_test_server_get_user (server),
                                            heron_test_server_get_password (server));
  g_autofree char *select = g_strdup_printf ("a2 SELECT %s\r\n", mailbox);
  g_autofree char *joined = g_strjoinv (" ", (char **) items);
  g_autofree char *fetch = g_strdup_printf ("a3 UID FETCH 1:* (%s)\r\n", joined);
  gint64 start;

  raw_until (stream, "*");  /* greeting: the first CRLF-less line; read anything */
  raw_send (stream, login);
  raw_until (stream, "a1");
  raw_send (stream, select);
  raw_until (stream, "a2");
  start = g_get_monotonic_time ();
  raw_send (stream, fetch);
  *out_bytes = raw_until (stream, "a3");
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
count (HeronImapResponse *fetch,
       gpointer           user_data)
{
  (*(guint *) user_data)++;
}

static double
session_fetch (const char *mailbox,
               guint      *out_messages,
               guint64    *out_bytes)
{
  HeronImapSessionSettings settings;
  g_autoptr(HeronImapSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronImapUidSet) all = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GAsyncResult) selected = NULL;
  g_autoptr(GAsyncResult) fetched = NULL;
  g_autoptr(HeronImapSelectResult) select = NULL;
  HeronImapParserStats before, after;
  gint64 start;
  double seconds;

  heron_imap_session_settings_init (&settings);
  settings.connection.host = g_strdup (heron_test_server_get_host (server));
  settings.connection.port = heron_test_server_get_imaps_port (server);
  settings.connection.tls_database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  settings.connection.read_timeout_ms = 120000;
  settings.user = g_strdup (heron_test_server_get_user (server));
  settings.password = g_strdup (heron_test_server_get_password (server));
  session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);

  heron_imap_session_connect_async (session, NULL, on_done, &connected);
  g_assert_true (heron_imap_session_connect_finish (session, wait_result (&connected), &error));
  heron_imap_session_select_async (session, mailbox, TRUE, NULL, NULL, NULL, NULL, on_done, &selected);
  select = heron_imap_session_select_finish (session, wait_result (&selected), &error);
  g_assert_no_error (error);

  heron_imap_uid_set_add_range_to_star (all, 1);
  *out_messages = 0;
  heron_imap_connection_get_parser_stats (heron_imap_session_get_connection (session), &before);
  start = g_get_monotonic_time ();
  heron_imap_session_uid_fetch_async (session, all, items, HERON_IMAP_MODSEQ_NONE, FALSE, count,
                                      out_messages, NULL, NULL, NULL, on_done, &fetched);
  g_assert_true (heron_imap_session_uid_fetch_finish (session, wait_result (&fetched), NULL, &error));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  heron_imap_connection_get_parser_stats (heron_imap_session_get_connection (session), &after);
  *out_bytes = after.bytes - before.bytes;
  return seconds;
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  g_autoptr(GError) error = NULL;
  HeronSeedSpec spec = { 1, 0, n, 0, NULL };
  gint64 start;
  guint messages = 0;
  guint64 bytes = 0;

  server = heron_test_server_new_full (HERON_TEST_SERVER_FLAGS_NO_SMTP, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_true (heron_test_server_seed (server, heron_test_server_get_user (server), "bench", &spec, &error));
  g_assert_no_error (error);
  g_print ("seeded %u messages in %.2f s\n", n, (g_get_monotonic_time () - start) / 1e6);

  g_print ("warm-up (raw): %.3f s\n", raw_fetch ("bench", &bytes));
  for (guint round = 0; round < 2; round++)
    {
      double raw = raw_fetch ("bench", &bytes);
      double session = session_fetch ("bench", &messages, &bytes);

      g_assert_cmpuint (messages, ==, n);
      g_print ("round %u: raw %.3f s, session %.3f s (%u messages, %.1f MB, %.0f MB/s, %.0f%% of wire time)\n",
               round + 1, raw, session, messages, bytes / 1e6, bytes / 1e6 / session, 100.0 * session / raw);
    }

  heron_test_server_free (server);
  return 0;
}
