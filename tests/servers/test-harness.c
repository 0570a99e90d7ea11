/* test-harness.c: proves the real-server harness with raw clients: GIO for IMAP and LMTP,
 * libcurl for SMTP submission.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-test-server.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib/gstdio.h>

#define IO_TIMEOUT_SECONDS 10
#define DELIVERY_TIMEOUT_MS 10000

typedef struct {
  HeronTestServer *server;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  fixture->server = heron_test_server_new (&error);
  g_assert_no_error (error);
  g_test_message ("test server started in %.3f s in %s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
                  heron_test_server_get_dir (fixture->server));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server, heron_test_server_free);
}

/* A raw IMAP client: one line at a time, tagged commands, no literals (none of the responses
 * these tests ask for contain any). */

typedef struct {
  GSocketConnection *tcp;
  GIOStream         *tls;      /* NULL until TLS */
  GDataInputStream  *in;
  GOutputStream     *out;
  guint              next_tag;
  char              *greeting;
} Imap;

static void
imap_free (Imap *imap)
{
  g_clear_object (&imap->in);
  g_clear_object (&imap->tls);
  g_clear_object (&imap->tcp);
  g_free (imap->greeting);
  g_free (imap);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Imap, imap_free)

static char *
imap_read_line (Imap *imap)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (imap->in, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_strchomp (line);
  return line;
}

static void
imap_use_stream (Imap      *imap,
                 GIOStream *stream)
{
  g_clear_object (&imap->in);
  imap->in = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  /* Replacing it at STARTTLS or COMPRESS must not close the connection under it. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (imap->in), FALSE);
  g_data_input_stream_set_newline_type (imap->in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  imap->out = g_io_stream_get_output_stream (stream);
}

/* TLS on `base`, trusting only the harness certificate; checks the peer presents exactly it. */
static GIOStream *
tls_handshake (HeronTestServer *server,
               GIOStream       *base,
               guint16          port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("127.0.0.1", port);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GIOStream) tls = NULL;
  GTlsCertificate *peer;

  database = g_tls_file_database_new (heron_test_server_get_ca_file (server), &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (base, identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);

  /* Without an accept-certificate handler, a certificate that does not verify fails here. */
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);

  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls));
  g_assert_nonnull (peer);
  g_assert_cmpint (g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (tls)), ==, 0);
  g_assert_true (g_tls_certificate_is_same (peer, heron_test_server_get_certificate (server)));
  return g_steal_pointer (&tls);
}

static Imap *
imap_connect_from (HeronTestServer *server,
                   guint16          port,
                   gboolean         implicit_tls,
                   const char      *local_ip)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Imap *imap = g_new0 (Imap, 1);

  g_socket_client_set_timeout (client, IO_TIMEOUT_SECONDS);
  g_socket_client_set_enable_proxy (client, FALSE);
  if (local_ip != NULL)
    {
      g_autoptr(GSocketAddress) local = g_inet_socket_address_new_from_string (local_ip, 0);
      g_socket_client_set_local_address (client, local);
    }
  imap->tcp = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);

  if (implicit_tls)
    {
      imap->tls = tls_handshake (server, G_IO_STREAM (imap->tcp), port);
      imap_use_stream (imap, imap->tls);
    }
  else
    imap_use_stream (imap, G_IO_STREAM (imap->tcp));

  imap->greeting = imap_read_line (imap);
  g_assert_true (g_str_has_prefix (imap->greeting, "* OK"));
  imap->next_tag = 1;
  return imap;
}

static Imap *
imap_connect (HeronTestServer *server,
              guint16          port,
              gboolean         implicit_tls)
{
  return imap_connect_from (server, port, implicit_tls, NULL);
}

static void
imap_send (Imap       *imap,
           const char *data)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (imap->out, data, strlen (data), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (imap->out, NULL, &error);
  g_assert_no_error (error);
}

/* Sends a command, returns the untagged lines; the tagged line goes to out_tagged. */
static GPtrArray *
imap_run (Imap        *imap,
          const char  *command,
          char       **out_tagged)
{
  g_autofree char *tag = g_strdup_printf ("h%u", imap->next_tag++);
  g_autofree char *tag_space = g_strconcat (tag, " ", NULL);
  g_autofree char *line = g_strdup_printf ("%s %s\r\n", tag, command);
  GPtrArray *untagged = g_ptr_array_new_with_free_func (g_free);

  imap_send (imap, line);
  for (;;)
    {
      char *response = imap_read_line (imap);

      if (g_str_has_prefix (response, tag_space))
        {
          *out_tagged = g_strdup (response + strlen (tag_space));
          g_free (response);
          return untagged;
        }
      g_ptr_array_add (untagged, response);
    }
}

/* A command that must succeed. */
static GPtrArray *
imap_ok (Imap       *imap,
         const char *command)
{
  g_autofree char *tagged = NULL;
  GPtrArray *untagged = imap_run (imap, command, &tagged);

  if (!g_str_has_prefix (tagged, "OK"))
    g_error ("IMAP “%s” failed: %s", command, tagged);
  return untagged;
}

static void
imap_login (Imap            *imap,
            HeronTestServer *server,
            const char      *user)
{
  g_autofree char *command = g_strdup_printf ("LOGIN \"%s\" \"%s\"", user,
                                              heron_test_server_get_user_password (server, user));

  g_ptr_array_unref (imap_ok (imap, command));
}

static void
imap_starttls (Imap            *imap,
               HeronTestServer *server,
               guint16          port)
{
  g_ptr_array_unref (imap_ok (imap, "STARTTLS"));

  /* Nothing may follow the OK in plain text (STARTTLS injection). */
  g_assert_cmpuint (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (imap->in)),
                    ==, 0);
  imap->tls = tls_handshake (server, G_IO_STREAM (imap->tcp), port);
  imap_use_stream (imap, imap->tls);
}

static Imap *
imap_login_starttls (HeronTestServer *server,
                     const char      *user)
{
  guint16 port = heron_test_server_get_imap_port (server);
  Imap *imap = imap_connect (server, port, FALSE);

  imap_starttls (imap, server, port);
  imap_login (imap, server, user);
  return imap;
}

static GStrv
capabilities_of (const char *line)
{
  const char *start = strstr (line, "CAPABILITY ");
  g_autofree char *list = NULL;
  char *end;

  g_assert_nonnull (start);
  list = g_strdup (start + strlen ("CAPABILITY "));
  end = strchr (list, ']');
  if (end != NULL)
    *end = '\0';
  return g_strsplit (g_strstrip (list), " ", -1);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The flags in the last untagged FETCH of `uid` among the lines, as one sorted string. */
static char *
fetched_flags (GPtrArray *lines,
               guint32    uid)
{
  g_autofree char *uid_key = g_strdup_printf ("UID %u", uid);
  char *result = NULL;

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      const char *flags = strstr (line, "FLAGS (");
      const char *uid_at = strstr (line, uid_key);
      g_autofree char *inner = NULL;
      g_auto(GStrv) words = NULL;
      g_autoptr(GPtrArray) kept = g_ptr_array_new ();

      if (strstr (line, " FETCH (") == NULL || flags == NULL || uid_at == NULL ||
          (!g_ascii_isspace (uid_at[strlen (uid_key)]) && uid_at[strlen (uid_key)] != ')'))
        continue;
      inner = g_strndup (flags + 7, strchr (flags + 7, ')') - (flags + 7));
      words = g_strsplit (inner, " ", -1);
      for (guint j = 0; words[j] != NULL; j++)
        if (words[j][0] != '\0' && g_strcmp0 (words[j], "\\Recent") != 0)
          g_ptr_array_add (kept, words[j]);
      g_ptr_array_sort (kept, compare_strings);
      g_ptr_array_add (kept, NULL);
      g_free (result);
      result = g_strjoinv (" ", (char **) kept->pdata);
    }
  g_assert_nonnull (result);
  return result;
}

static char *
imap_flags (Imap    *imap,
            guint32  uid)
{
  g_autofree char *command = g_strdup_printf ("UID FETCH %u (FLAGS)", uid);
  g_autoptr(GPtrArray) lines = imap_ok (imap, command);
  return fetched_flags (lines, uid);
}

static char *
sorted_flags (GStrv flags)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_new ();

  for (guint i = 0; flags[i] != NULL; i++)
    g_ptr_array_add (copy, flags[i]);
  g_ptr_array_sort (copy, compare_strings);
  g_ptr_array_add (copy, NULL);
  return g_strjoinv (" ", (char **) copy->pdata);
}

/* The UIDs an IMAP UID SEARCH returns, as "1 2 3". */
static char *
imap_search (Imap       *imap,
             const char *criteria)
{
  g_autofree char *command = g_strdup_printf ("UID SEARCH %s", criteria);
  g_autoptr(GPtrArray) lines = imap_ok (imap, command);

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      if (g_str_has_prefix (line, "* SEARCH"))
        {
          char *uids = g_strdup (line + strlen ("* SEARCH"));
          return g_strstrip (uids);
        }
    }
  g_error ("no SEARCH response to %s", command);
}

typedef struct {
  char *attributes;
  char *name;
} ListEntry;

static void
list_entry_free (ListEntry *entry)
{
  g_free (entry->attributes);
  g_free (entry->name);
  g_free (entry);
}

/* LIST responses as (attributes, name); checks the separator is "/". */
static GPtrArray *
imap_list (Imap *imap)
{
  g_autoptr(GPtrArray) lines = imap_ok (imap, "LIST \"\" \"*\" RETURN (SPECIAL-USE SUBSCRIBED)");
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) list_entry_free);

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      const char *close, *name;
      ListEntry *entry;

      if (!g_str_has_prefix (line, "* LIST ("))
        continue;
      close = strchr (line, ')');
      g_assert_nonnull (close);
      g_assert_true (g_str_has_prefix (close, ") \"/\" "));
      name = close + strlen (") \"/\" ");
      entry = g_new0 (ListEntry, 1);
      entry->attributes = g_strndup (line + strlen ("* LIST ("), close - line - strlen ("* LIST ("));
      entry->name = name[0] == '"' ? g_strndup (name + 1, strlen (name) - 2) : g_strdup (name);
      g_ptr_array_add (entries, entry);
    }
  return entries;
}

static ListEntry *
list_find (GPtrArray  *entries,
           const char *name)
{
  for (guint i = 0; i < entries->len; i++)
    {
      ListEntry *entry = g_ptr_array_index (entries, i);
      if (g_str_equal (entry->name, name))
        return entry;
    }
  return NULL;
}

static gboolean
attributes_contain (const char *attributes,
                    const char *attribute)
{
  g_auto(GStrv) words = g_strsplit (attributes, " ", -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (words[i], attribute) == 0)
      return TRUE;
  return FALSE;
}

static GBytes *
make_message (const char *from,
              const char *to,
              const char *subject,
              char      **out_message_id)
{
  g_autofree char *token = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *message_id = g_strdup_printf ("%s@heron.test", token);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S +0000");
  char *text = g_strdup_printf ("From: %s\r\n"
                                "To: %s\r\n"
                                "Subject: %s\r\n"
                                "Date: %s\r\n"
                                "Message-ID: <%s>\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: text/plain; charset=utf-8\r\n"
                                "\r\n"
                                "Hello from the harness test.\r\n"
                                ".A line starting with a dot.\r\n",
                                from, to, subject, date, message_id);

  if (out_message_id != NULL)
    *out_message_id = g_steal_pointer (&message_id);
  return g_bytes_new_take (text, strlen (text));
}

static guint32
deliver (HeronTestServer *server,
         const char      *mailbox,
         const char      *flags,
         char           **out_message_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = make_message ("carol@example.org", HERON_TEST_SERVER_DEFAULT_USER,
                                            "Delivered by the helper", out_message_id);
  guint32 uid = heron_test_server_deliver (server, HERON_TEST_SERVER_DEFAULT_USER, mailbox,
                                           message, flags, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);
  return uid;
}

static gboolean
port_accepts (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 2);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

/* IMAP */

static void
test_starttls_login (Fixture       *fixture,
                     gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  guint16 port = heron_test_server_get_imap_port (server);
  g_autoptr(Imap) imap = imap_connect (server, port, FALSE);
  g_auto(GStrv) before = capabilities_of (imap->greeting);
  g_autoptr(GPtrArray) lines = NULL;

  g_assert_true (g_strv_contains ((const char * const *) before, "STARTTLS"));
  imap_starttls (imap, server, port);

  /* After STARTTLS, ask again (what came before the handshake is not trusted). */
  lines = imap_ok (imap, "CAPABILITY");
  g_assert_cmpuint (lines->len, ==, 1);
  {
    g_auto(GStrv) after = capabilities_of (g_ptr_array_index (lines, 0));
    g_assert_false (g_strv_contains ((const char * const *) after, "STARTTLS"));
    g_assert_true (g_strv_contains ((const char * const *) after, "AUTH=PLAIN"));
  }
  imap_login (imap, server, heron_test_server_get_user (server));
  g_ptr_array_unref (imap_ok (imap, "LOGOUT"));
}

static void
test_implicit_tls_login (Fixture       *fixture,
                         gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  g_autoptr(Imap) imap = imap_connect (server, heron_test_server_get_imaps_port (server), TRUE);
  g_auto(GStrv) caps = capabilities_of (imap->greeting);

  g_assert_false (g_strv_contains ((const char * const *) caps, "STARTTLS"));
  imap_login (imap, server, heron_test_server_get_user (server));
  g_ptr_array_unref (imap_ok (imap, "LOGOUT"));
}

static void
test_capabilities (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const wanted[] = {
    "IMAP4rev1", "IDLE", "CONDSTORE", "QRESYNC", "MOVE", "UIDPLUS", "SPECIAL-USE", "LITERAL+",
    "COMPRESS=DEFLATE", "ENABLE", "NAMESPACE",
  };
  static const char * const special[][2] = {
    { "Drafts", "\\Drafts" }, { "Sent", "\\Sent" }, { "Trash", "\\Trash" },
    { "Junk", "\\Junk" }, { "Archive", "\\Archive" },
  };
  HeronTestServer *server = fixture->server;
  g_autoptr(Imap) imap = imap_login_starttls (server, heron_test_server_get_user (server));
  g_autoptr(GPtrArray) lines = imap_ok (imap, "CAPABILITY");
  g_autoptr(GPtrArray) entries = NULL;
  g_auto(GStrv) caps = capabilities_of (g_ptr_array_index (lines, 0));

  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    if (!g_strv_contains ((const char * const *) caps, wanted[i]))
      g_error ("capability %s missing after login", wanted[i]);

  entries = imap_list (imap);
  g_assert_nonnull (list_find (entries, "INBOX"));
  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    {
      ListEntry *entry = list_find (entries, special[i][0]);

      if (entry == NULL)
        g_error ("LIST does not show %s", special[i][0]);
      g_assert_true (attributes_contain (entry->attributes, special[i][1]));
      g_assert_true (attributes_contain (entry->attributes, "\\Subscribed"));
    }

  /* QRESYNC can be enabled and reports HIGHESTMODSEQ. */
  g_ptr_array_unref (imap_ok (imap, "ENABLE QRESYNC"));
  {
    g_autoptr(GPtrArray) select = imap_ok (imap, "SELECT INBOX (CONDSTORE)");
    gboolean seen = FALSE;
    for (guint i = 0; i < select->len; i++)
      seen |= strstr (g_ptr_array_index (select, i), "[HIGHESTMODSEQ ") != NULL;
    g_assert_true (seen);
  }
  g_ptr_array_unref (imap_ok (imap, "LOGOUT"));
}

/* COMPRESS=DEFLATE does work, not only show: after the OK both directions are raw deflate. */
static void
test_compress (Fixture       *fixture,
               gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  g_autoptr(Imap) imap = imap_login_starttls (server, heron_test_server_get_user (server));
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1);
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
  g_autoptr(GInputStream) inflated = NULL;
  g_autoptr(GOutputStream) deflated = NULL;

  g_ptr_array_unref (imap_ok (imap, "COMPRESS DEFLATE"));
  g_assert_cmpuint (g_buffered_input_stream_get_available (G_BUFFERED_INPUT_STREAM (imap->in)),
                    ==, 0);

  inflated = g_converter_input_stream_new (g_io_stream_get_input_stream (imap->tls),
                                           G_CONVERTER (decompressor));
  deflated = g_converter_output_stream_new (g_io_stream_get_output_stream (imap->tls),
                                            G_CONVERTER (compressor));
  g_clear_object (&imap->in);
  imap->in = g_data_input_stream_new (inflated);
  g_data_input_stream_set_newline_type (imap->in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  imap->out = deflated;

  g_ptr_array_unref (imap_ok (imap, "NOOP"));
  g_ptr_array_unref (imap_ok (imap, "LOGOUT"));
  imap->out = NULL;
}

/* Plain-text LOGIN works on loopback only because Dovecot considers a connection secure when its
 * remote IP equals its local IP (disable_plaintext_auth=yes stays in force). From 127.0.0.2 to
 * the listener on 127.0.0.1, still loopback but a different address, the same LOGIN is refused:
 * that proves the exception is Dovecot's same-address rule and nothing wider. */
static void
test_plaintext_loopback_only (Fixture       *fixture,
                              gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  guint16 port = heron_test_server_get_imap_port (server);
  const char *user = heron_test_server_get_user (server);
  g_autofree char *command = g_strdup_printf ("LOGIN \"%s\" \"%s\"", user,
                                              heron_test_server_get_password (server));

  {
    g_autoptr(Imap) imap = imap_connect_from (server, port, FALSE, "127.0.0.1");
    g_auto(GStrv) caps = capabilities_of (imap->greeting);
    g_autofree char *tagged = NULL;
    g_autoptr(GPtrArray) lines = NULL;

    g_assert_false (g_strv_contains ((const char * const *) caps, "LOGINDISABLED"));
    lines = imap_run (imap, command, &tagged);
    g_assert_true (g_str_has_prefix (tagged, "OK"));
  }

  {
    g_autoptr(Imap) imap = imap_connect_from (server, port, FALSE, "127.0.0.2");
    g_auto(GStrv) caps = capabilities_of (imap->greeting);
    g_autofree char *tagged = NULL;
    g_autoptr(GPtrArray) lines = NULL;

    g_assert_true (g_strv_contains ((const char * const *) caps, "LOGINDISABLED"));
    lines = imap_run (imap, command, &tagged);
    g_assert_true (g_str_has_prefix (tagged, "NO"));
    g_assert_nonnull (strstr (tagged, "PRIVACYREQUIRED"));
  }
}

/* SMTP */

typedef struct {
  const char *data;
  size_t      length;
  size_t      position;
} Upload;

static size_t
upload_read (char   *buffer,
             size_t  size,
             size_t  n_items,
             void   *user_data)
{
  Upload *upload = user_data;
  size_t n = MIN (size * n_items, upload->length - upload->position);

  memcpy (buffer, upload->data + upload->position, n);
  upload->position += n;
  return n;
}

/* Submits a message with libcurl; returns the result and curl's error text. With bearer, logs in
 * with that OAuth2 token and the SASL mechanism login_options names ("AUTH=XOAUTH2") instead of
 * the password. */
static CURLcode
submit_full (HeronTestServer     *server,
             gboolean             implicit_tls,
             gboolean             require_tls,
             const char          *user,
             const char          *password,
             const char          *bearer,
             const char          *login_options,
             const char * const  *recipients,
             GBytes              *message,
             char               **out_error)
{
  g_autofree char *url = NULL;
  g_autofree char *from = NULL;
  char error_buffer[CURL_ERROR_SIZE] = "";
  struct curl_slist *rcpt = NULL;
  Upload upload = { 0 };
  CURLcode result;
  CURL *curl;

  url = implicit_tls
    ? g_strdup_printf ("smtps://127.0.0.1:%u", heron_test_server_get_smtps_port (server))
    : g_strdup_printf ("smtp://127.0.0.1:%u", heron_test_server_get_smtp_port (server));
  from = g_strdup_printf ("<%s>", user != NULL ? user : HERON_TEST_SERVER_DEFAULT_USER);
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      g_autofree char *address = g_strdup_printf ("<%s>", recipients[i]);
      rcpt = curl_slist_append (rcpt, address);
    }
  upload.data = g_bytes_get_data (message, &upload.length);

  curl = curl_easy_init ();
  g_assert_nonnull (curl);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  if (!implicit_tls && require_tls)
    curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  curl_easy_setopt (curl, CURLOPT_CAINFO, heron_test_server_get_ca_file (server));
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (user != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_USERNAME, user);
      if (bearer != NULL)
        {
          curl_easy_setopt (curl, CURLOPT_XOAUTH2_BEARER, bearer);
          curl_easy_setopt (curl, CURLOPT_LOGIN_OPTIONS, login_options);
        }
      else
        curl_easy_setopt (curl, CURLOPT_PASSWORD, password);
    }
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, upload_read);
  curl_easy_setopt (curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) IO_TIMEOUT_SECONDS * 2);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);

  result = curl_easy_perform (curl);
  curl_easy_cleanup (curl);
  curl_slist_free_all (rcpt);

  if (out_error != NULL)
    *out_error = g_strdup_printf ("%s: %s", curl_easy_strerror (result), error_buffer);
  return result;
}

static CURLcode
submit (HeronTestServer     *server,
        gboolean             implicit_tls,
        gboolean             require_tls,
        const char          *user,
        const char          *password,
        const char * const  *recipients,
        GBytes              *message,
        char               **out_error)
{
  return submit_full (server, implicit_tls, require_tls, user, password, NULL, NULL, recipients,
                      message, out_error);
}

static void
check_delivery (Fixture  *fixture,
                gboolean  implicit_tls)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  const char *bob = "bob@" HERON_TEST_SERVER_DOMAIN;
  const char * const recipients[] = { alice, bob, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *curl_error = NULL;
  g_autoptr(GBytes) message = NULL;
  CURLcode result;

  heron_test_server_add_user (server, bob, NULL, &error);
  g_assert_no_error (error);

  message = make_message (alice, bob, implicit_tls ? "Over smtps" : "Over STARTTLS", &message_id);
  result = submit (server, implicit_tls, TRUE, alice, heron_test_server_get_password (server),
                   recipients, message, &curl_error);
  if (result != CURLE_OK)
    {
      g_autofree char *logs = heron_test_server_dup_logs (server, 0);
      g_error ("submission failed: %s\n%s", curl_error, logs);
    }

  for (guint i = 0; recipients[i] != NULL; i++)
    {
      guint32 uid = heron_test_server_wait_for_message (server, recipients[i], "INBOX", message_id,
                                                        DELIVERY_TIMEOUT_MS, &error);
      if (error != NULL)
        {
          g_autofree char *logs = heron_test_server_dup_logs (server, 0);
          g_error ("%s\n%s", error->message, logs);
        }
      g_assert_cmpuint (uid, >, 0);
    }

  /* Bob sees it over IMAP too. */
  {
    g_autoptr(Imap) imap = imap_login_starttls (server, bob);
    g_autofree char *criteria = g_strdup_printf ("HEADER Message-ID \"<%s>\"", message_id);
    g_autofree char *found = NULL;

    g_ptr_array_unref (imap_ok (imap, "SELECT INBOX"));
    found = imap_search (imap, criteria);
    g_assert_cmpstr (found, !=, "");
  }
}

static void
test_smtp_starttls_delivery (Fixture       *fixture,
                             gconstpointer  data)
{
  check_delivery (fixture, FALSE);
}

static void
test_smtps_delivery (Fixture       *fixture,
                     gconstpointer  data)
{
  check_delivery (fixture, TRUE);
}

static void
test_smtp_wrong_password (Fixture       *fixture,
                          gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };
  g_autoptr(GBytes) message = make_message (alice, alice, "Wrong password", NULL);
  g_autofree char *starttls_error = NULL;
  g_autofree char *smtps_error = NULL;

  g_assert_cmpint (submit (server, FALSE, TRUE, alice, "not-the-password", recipients, message,
                           &starttls_error), ==, CURLE_LOGIN_DENIED);
  g_assert_cmpint (submit (server, TRUE, TRUE, alice, "not-the-password", recipients, message,
                           &smtps_error), ==, CURLE_LOGIN_DENIED);
}

/* Submission needs TLS and AUTH, and nothing is relayed to other domains. */
static void
test_smtp_policy (Fixture       *fixture,
                  gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  const char *password = heron_test_server_get_password (server);
  const char * const local[] = { alice, NULL };
  const char * const remote[] = { "someone@elsewhere.invalid", NULL };
  g_autoptr(GBytes) message = make_message (alice, alice, "Policy", NULL);
  g_autofree char *plain_error = NULL;
  g_autofree char *anonymous_error = NULL;
  g_autofree char *relay_error = NULL;

  /* No STARTTLS: the server wants TLS before MAIL (530). */
  g_assert_cmpint (submit (server, FALSE, FALSE, NULL, NULL, local, message, &plain_error),
                   !=, CURLE_OK);
  g_assert_nonnull (strstr (plain_error, "530"));

  /* TLS without AUTH: the recipient is refused. */
  g_assert_cmpint (submit (server, TRUE, TRUE, NULL, NULL, local, message, &anonymous_error),
                   !=, CURLE_OK);
  g_assert_nonnull (strstr (anonymous_error, "RCPT"));

  /* Authenticated, but another domain: refused at RCPT, nothing queued. */
  g_assert_cmpint (submit (server, TRUE, TRUE, alice, password, remote, message, &relay_error),
                   !=, CURLE_OK);
  g_assert_nonnull (strstr (relay_error, "554"));
}

/* Helpers, seen from a raw IMAP client. */

/* OAuth2 */

/* AUTHENTICATE with SASL-IR; returns the tagged reply. A server challenge (an OAuth failure
 * report) is answered as the mechanism prescribes: XOAUTH2 with an empty line, OAUTHBEARER with
 * ^A. */
static char *
imap_authenticate (Imap       *imap,
                   const char *mechanism,
                   GBytes     *initial)
{
  g_autofree char *tag = g_strdup_printf ("h%u", imap->next_tag++);
  g_autofree char *tag_space = g_strconcat (tag, " ", NULL);
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (initial, NULL), g_bytes_get_size (initial));
  g_autofree char *line = g_strdup_printf ("%s AUTHENTICATE %s %s\r\n", tag, mechanism, encoded);

  imap_send (imap, line);
  for (;;)
    {
      g_autofree char *response = imap_read_line (imap);

      if (g_str_has_prefix (response, tag_space))
        return g_strdup (response + strlen (tag_space));
      if (g_str_has_prefix (response, "+"))
        imap_send (imap, strcmp (mechanism, "XOAUTH2") == 0 ? "\r\n" : "AQ==\r\n");
    }
}

static GBytes *
xoauth2_initial (const char *user,
                 const char *token)
{
  char *text = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", user, token);
  return g_bytes_new_take (text, strlen (text));
}

static GBytes *
oauthbearer_initial (const char *user,
                     const char *token,
                     guint16     port)
{
  char *text = g_strdup_printf ("n,a=%s,\001host=127.0.0.1\001port=%u\001auth=Bearer %s\001\001",
                                user, port, token);
  return g_bytes_new_take (text, strlen (text));
}

/* A token logs in with XOAUTH2 and OAUTHBEARER, over implicit TLS and STARTTLS, as its own user
 * only, and not once revoked; every attempt asks the introspection endpoint once. */
static void
test_oauth_imap (Fixture       *fixture,
                 gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  const char *bob = "bob@" HERON_TEST_SERVER_DOMAIN;
  guint16 imaps_port = heron_test_server_get_imaps_port (server);
  guint16 imap_port = heron_test_server_get_imap_port (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *bob_token = NULL;
  g_autofree char *missing = NULL;

  heron_test_server_add_user (server, bob, NULL, &error);
  g_assert_no_error (error);
  token = heron_test_server_add_oauth_token (server, alice, NULL, &error);
  g_assert_no_error (error);
  bob_token = heron_test_server_add_oauth_token (server, bob, "bobs-token", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bob_token, ==, "bobs-token");
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, NULL), ==, 0);

  /* No token for a user that does not exist, none issued twice, none with a space. */
  missing = heron_test_server_add_oauth_token (server, "nobody@" HERON_TEST_SERVER_DOMAIN, NULL, &error);
  g_assert_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND);
  g_assert_null (missing);
  g_clear_error (&error);
  g_assert_null (heron_test_server_add_oauth_token (server, bob, "bobs-token", &error));
  g_assert_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (heron_test_server_add_oauth_token (server, bob, "a b", &error));
  g_assert_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_FAILED);
  g_clear_error (&error);

  /* The server offers both mechanisms. */
  {
    g_autoptr(Imap) imap = imap_connect (server, imaps_port, TRUE);
    g_auto(GStrv) caps = capabilities_of (imap->greeting);

    g_assert_true (g_strv_contains ((const char * const *) caps, "AUTH=XOAUTH2"));
    g_assert_true (g_strv_contains ((const char * const *) caps, "AUTH=OAUTHBEARER"));
    g_assert_true (g_strv_contains ((const char * const *) caps, "AUTH=PLAIN"));
  }

  /* XOAUTH2 over implicit TLS: logged in as alice, her INBOX is there. */
  {
    g_autoptr(Imap) imap = imap_connect (server, imaps_port, TRUE);
    g_autoptr(GBytes) initial = xoauth2_initial (alice, token);
    g_autofree char *tagged = imap_authenticate (imap, "XOAUTH2", initial);

    g_assert_true (g_str_has_prefix (tagged, "OK"));
    g_ptr_array_unref (imap_ok (imap, "SELECT INBOX"));
    g_ptr_array_unref (imap_ok (imap, "LOGOUT"));
  }
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==, 1);

  /* OAUTHBEARER after STARTTLS. */
  {
    g_autoptr(Imap) imap = imap_connect (server, imap_port, FALSE);
    g_autoptr(GBytes) initial = oauthbearer_initial (alice, token, imap_port);
    g_autofree char *tagged = NULL;

    imap_starttls (imap, server, imap_port);
    tagged = imap_authenticate (imap, "OAUTHBEARER", initial);
    g_assert_true (g_str_has_prefix (tagged, "OK"));
    g_ptr_array_unref (imap_ok (imap, "LOGOUT"));
  }
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==, 2);

  /* Bob's token is not alice's; an unknown token is nobody's. */
  {
    g_autoptr(Imap) imap = imap_connect (server, imaps_port, TRUE);
    g_autoptr(GBytes) stolen = xoauth2_initial (alice, bob_token);
    g_autoptr(GBytes) unknown = xoauth2_initial (alice, "never-issued");
    g_autofree char *first = imap_authenticate (imap, "XOAUTH2", stolen);
    g_autofree char *second = imap_authenticate (imap, "XOAUTH2", unknown);

    g_assert_true (g_str_has_prefix (first, "NO"));
    g_assert_true (g_str_has_prefix (second, "NO"));
  }
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, bob_token), ==, 1);

  /* Revoked: refused with both mechanisms, and asked about each time (nothing cached). */
  heron_test_server_revoke_oauth_token (server, token, &error);
  g_assert_no_error (error);
  {
    g_autoptr(Imap) imap = imap_connect (server, imaps_port, TRUE);
    g_autoptr(GBytes) xoauth2 = xoauth2_initial (alice, token);
    g_autoptr(GBytes) oauthbearer = oauthbearer_initial (alice, token, imaps_port);
    g_autofree char *first = imap_authenticate (imap, "XOAUTH2", xoauth2);
    g_autofree char *second = imap_authenticate (imap, "OAUTHBEARER", oauthbearer);

    g_assert_true (g_str_has_prefix (first, "NO"));
    g_assert_true (g_str_has_prefix (second, "NO"));
    /* The connection is still usable: the password works. */
    imap_login (imap, server, alice);
    g_ptr_array_unref (imap_ok (imap, "LOGOUT"));
  }
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==, 4);
  g_assert_false (heron_test_server_revoke_oauth_token (server, "never-issued", &error));
  g_assert_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND);
}

/* SMTP AUTH XOAUTH2 (and OAUTHBEARER) through Postfix, which asks Dovecot: a good token
 * submits, a revoked one is refused. */
static void
test_oauth_smtp (Fixture       *fixture,
                 gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *token = heron_test_server_add_oauth_token (server, alice, NULL, &error);
  g_autofree char *message_id = NULL;
  g_autofree char *bearer_id = NULL;
  g_autoptr(GBytes) message = make_message (alice, alice, "Over XOAUTH2", &message_id);
  g_autoptr(GBytes) bearer_message = make_message (alice, alice, "Over OAUTHBEARER", &bearer_id);
  g_autoptr(GBytes) refused = make_message (alice, alice, "Revoked", NULL);
  g_autofree char *curl_error = NULL;
  CURLcode result;
  guint32 uid;

  g_assert_no_error (error);
  result = submit_full (server, FALSE, TRUE, alice, NULL, token, "AUTH=XOAUTH2", recipients,
                        message, &curl_error);
  if (result != CURLE_OK)
    {
      g_autofree char *logs = heron_test_server_dup_logs (server, 0);
      g_error ("XOAUTH2 submission failed: %s\n%s", curl_error, logs);
    }
  uid = heron_test_server_wait_for_message (server, alice, "INBOX", message_id, DELIVERY_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==, 1);

  g_clear_pointer (&curl_error, g_free);
  result = submit_full (server, TRUE, TRUE, alice, NULL, token, "AUTH=OAUTHBEARER", recipients,
                        bearer_message, &curl_error);
  if (result != CURLE_OK)
    g_error ("OAUTHBEARER submission failed: %s", curl_error);
  uid = heron_test_server_wait_for_message (server, alice, "INBOX", bearer_id, DELIVERY_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uid, >, 0);

  heron_test_server_revoke_oauth_token (server, token, &error);
  g_assert_no_error (error);
  g_clear_pointer (&curl_error, g_free);
  g_assert_cmpint (submit_full (server, FALSE, TRUE, alice, NULL, token, "AUTH=XOAUTH2", recipients,
                                refused, &curl_error), ==, CURLE_LOGIN_DENIED);
  g_assert_cmpuint (heron_test_server_get_oauth_introspections (server, token), ==, 3);
}

static void
test_helper_flags (Fixture       *fixture,
                   gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  guint32 uid = deliver (server, "INBOX", NULL, NULL);
  g_autoptr(Imap) imap = imap_login_starttls (server, alice);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) flags = NULL;
  g_autofree char *text = NULL;

  g_ptr_array_unref (imap_ok (imap, "SELECT INBOX"));
  text = imap_flags (imap, uid);
  g_assert_cmpstr (text, ==, "");
  g_clear_pointer (&text, g_free);

  heron_test_server_set_flags (server, alice, "INBOX", uid, "\\Flagged $Label1", &error);
  g_assert_no_error (error);
  text = imap_flags (imap, uid);
  g_assert_cmpstr (text, ==, "$Label1 \\Flagged");
  g_clear_pointer (&text, g_free);
  flags = heron_test_server_get_flags (server, alice, "INBOX", uid, &error);
  g_assert_no_error (error);
  text = sorted_flags (flags);
  g_assert_cmpstr (text, ==, "$Label1 \\Flagged");
  g_clear_pointer (&text, g_free);

  heron_test_server_add_flags (server, alice, "INBOX", uid, "\\Seen", &error);
  g_assert_no_error (error);
  heron_test_server_remove_flags (server, alice, "INBOX", uid, "\\Flagged", &error);
  g_assert_no_error (error);
  text = imap_flags (imap, uid);
  g_assert_cmpstr (text, ==, "$Label1 \\Seen");
  g_clear_pointer (&text, g_free);

  heron_test_server_set_flags (server, alice, "INBOX", uid, "", &error);
  g_assert_no_error (error);
  text = imap_flags (imap, uid);
  g_assert_cmpstr (text, ==, "");

  /* A missing UID or mailbox is an error, not a silent no-op. */
  heron_test_server_add_flags (server, alice, "INBOX", uid + 100, "\\Seen", &error);
  g_assert_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND);
  g_clear_error (&error);
  heron_test_server_add_flags (server, alice, "No such folder", uid, "\\Seen", &error);
  g_assert_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND);
}

static void
test_helper_expunge (Fixture       *fixture,
                     gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  guint32 first = deliver (server, "INBOX", NULL, NULL);
  guint32 second = deliver (server, "INBOX", NULL, NULL);
  g_autoptr(Imap) imap = imap_login_starttls (server, alice);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = NULL;
  g_autoptr(GPtrArray) noop = NULL;
  g_autofree char *expected = g_strdup_printf ("%u", second);
  g_autofree char *found = NULL;
  gboolean expunge_seen = FALSE;

  g_ptr_array_unref (imap_ok (imap, "SELECT INBOX"));
  heron_test_server_expunge (server, alice, "INBOX", first, &error);
  g_assert_no_error (error);

  /* The selected session is told. */
  noop = imap_ok (imap, "NOOP");
  for (guint i = 0; i < noop->len; i++)
    expunge_seen |= g_str_equal (g_ptr_array_index (noop, i), "* 1 EXPUNGE");
  g_assert_true (expunge_seen);

  found = imap_search (imap, "ALL");
  g_assert_cmpstr (found, ==, expected);
  uids = heron_test_server_list_uids (server, alice, "INBOX", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uids->len, ==, 1);
  g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, second);
}

static void
test_helper_move (Fixture       *fixture,
                  gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  g_autofree char *message_id = NULL;
  guint32 uid = deliver (server, "INBOX", "\\Seen", &message_id);
  g_autoptr(Imap) imap = imap_login_starttls (server, alice);
  g_autoptr(GError) error = NULL;
  g_autofree char *in_inbox = NULL;
  g_autofree char *in_archive = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *flags = NULL;
  guint32 new_uid = 0;

  heron_test_server_move (server, alice, "INBOX", uid, "Archive", &new_uid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (new_uid, >, 0);
  g_assert_cmpuint (heron_test_server_find_message (server, alice, "Archive", message_id, &error),
                    ==, new_uid);
  g_assert_no_error (error);

  g_ptr_array_unref (imap_ok (imap, "SELECT INBOX"));
  in_inbox = imap_search (imap, "ALL");
  g_assert_cmpstr (in_inbox, ==, "");
  g_ptr_array_unref (imap_ok (imap, "SELECT Archive"));
  in_archive = imap_search (imap, "ALL");
  expected = g_strdup_printf ("%u", new_uid);
  g_assert_cmpstr (in_archive, ==, expected);
  flags = imap_flags (imap, new_uid);
  g_assert_cmpstr (flags, ==, "\\Seen");
}

static void
test_helper_deliver (Fixture       *fixture,
                     gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_id = NULL;
  g_autofree char *lmtp_id = NULL;
  g_autoptr(GBytes) message = make_message ("dave@example.org", alice, "Over LMTP", &lmtp_id);
  g_autoptr(Imap) imap = imap_login_starttls (server, alice);
  g_autofree char *criteria = NULL;
  g_autofree char *found = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *flags = NULL;
  guint32 saved_uid, lmtp_uid;

  /* Into any folder, with flags, through doveadm save. */
  saved_uid = deliver (server, "Junk", "\\Seen $Junk", &saved_id);
  g_ptr_array_unref (imap_ok (imap, "SELECT Junk"));
  criteria = g_strdup_printf ("HEADER Message-ID \"<%s>\"", saved_id);
  found = imap_search (imap, criteria);
  expected = g_strdup_printf ("%u", saved_uid);
  g_assert_cmpstr (found, ==, expected);
  flags = imap_flags (imap, saved_uid);
  g_assert_cmpstr (flags, ==, "$Junk \\Seen");

  /* Into the INBOX over LMTP, as the MTA does. */
  heron_test_server_deliver_lmtp (server, alice, message, &error);
  g_assert_no_error (error);
  lmtp_uid = heron_test_server_wait_for_message (server, alice, "INBOX", lmtp_id,
                                                 DELIVERY_TIMEOUT_MS, &error);
  g_assert_no_error (error);
  g_ptr_array_unref (imap_ok (imap, "SELECT INBOX"));
  g_clear_pointer (&criteria, g_free);
  g_clear_pointer (&found, g_free);
  g_clear_pointer (&expected, g_free);
  criteria = g_strdup_printf ("HEADER Message-ID \"<%s>\"", lmtp_id);
  found = imap_search (imap, criteria);
  expected = g_strdup_printf ("%u", lmtp_uid);
  g_assert_cmpstr (found, ==, expected);

  /* A dot-stuffed line survives. */
  {
    g_autofree char *text_criteria = g_strdup_printf ("BODY \".A line starting with a dot.\"");
    g_autofree char *with_dot = imap_search (imap, text_criteria);
    g_assert_cmpstr (with_dot, ==, expected);
  }

  /* Unknown recipients are refused. */
  heron_test_server_deliver_lmtp (server, "nobody@" HERON_TEST_SERVER_DOMAIN, message, &error);
  g_assert_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_REJECTED);
}

/* A client in IDLE hears about a delivery made behind its back. */
static void
test_helper_idle (Fixture       *fixture,
                  gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  g_autoptr(Imap) imap = imap_login_starttls (server, heron_test_server_get_user (server));
  g_autofree char *continuation = NULL;
  gboolean exists_seen = FALSE;

  g_ptr_array_unref (imap_ok (imap, "SELECT INBOX"));
  imap_send (imap, "idle1 IDLE\r\n");
  continuation = imap_read_line (imap);
  g_assert_true (g_str_has_prefix (continuation, "+"));

  deliver (server, "INBOX", NULL, NULL);
  while (!exists_seen)
    {
      g_autofree char *line = imap_read_line (imap);  /* fails after the I/O timeout */
      exists_seen = g_str_equal (line, "* 1 EXISTS");
    }

  imap_send (imap, "DONE\r\n");
  for (;;)
    {
      g_autofree char *line = imap_read_line (imap);
      if (g_str_has_prefix (line, "idle1 "))
        {
          g_assert_true (g_str_has_prefix (line, "idle1 OK"));
          break;
        }
    }
}

static void
test_helper_mailboxes (Fixture       *fixture,
                       gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  g_autoptr(Imap) imap = imap_login_starttls (server, alice);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_auto(GStrv) names = NULL;

  heron_test_server_create_mailbox (server, alice, "Projects/Heron", &error);
  g_assert_no_error (error);
  entries = imap_list (imap);
  g_assert_nonnull (list_find (entries, "Projects/Heron"));
  g_assert_true (attributes_contain (list_find (entries, "Projects/Heron")->attributes,
                                     "\\Subscribed"));
  g_clear_pointer (&entries, g_ptr_array_unref);

  heron_test_server_rename_mailbox (server, alice, "Projects/Heron", "Projects/Kestrel", &error);
  g_assert_no_error (error);
  entries = imap_list (imap);
  g_assert_null (list_find (entries, "Projects/Heron"));
  g_assert_nonnull (list_find (entries, "Projects/Kestrel"));
  g_clear_pointer (&entries, g_ptr_array_unref);

  names = heron_test_server_list_mailboxes (server, alice, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) names, "Projects/Kestrel"));
  g_assert_true (g_strv_contains ((const char * const *) names, "INBOX"));

  heron_test_server_delete_mailbox (server, alice, "Projects/Kestrel", &error);
  g_assert_no_error (error);
  entries = imap_list (imap);
  g_assert_null (list_find (entries, "Projects/Kestrel"));

  heron_test_server_delete_mailbox (server, alice, "Projects/Kestrel", &error);
  g_assert_error (error, HERON_TEST_SERVER_ERROR, HERON_TEST_SERVER_ERROR_NOT_FOUND);
}

/* Seeding */

static void
test_seed (Fixture       *fixture,
           gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  const char * const fetch[] = {
    "-f", "tab", "fetch", "-u", alice, "uid date.sent.unixtime hdr.message-id",
    "mailbox", "Lists/GNOME", "all", NULL
  };
  HeronSeedSpec spec = { .seed = 42, .first_index = 0, .count = 500, .owner_address = NULL };
  HeronTestMailboxStatus status;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(Imap) imap = NULL;
  gint64 start = g_get_monotonic_time ();
  guint row = 0;

  heron_test_server_seed (server, alice, "Lists/GNOME", &spec, &error);
  g_assert_no_error (error);
  g_test_message ("seeded 500 messages in %.3f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  heron_test_server_get_status (server, alice, "Lists/GNOME", &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status.messages, ==, 500);
  g_assert_cmpuint (status.uidnext, ==, 501);

  /* UID order is date order: the n-th UID is message n of the corpus, with its date and id. */
  heron_test_server_doveadm (server, fetch, &out, &error);
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *message_id = NULL;
      g_autofree char *bracketed = NULL;

      if (lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_assert_cmpuint (g_ascii_strtoull (fields[0], NULL, 10), ==, row + 1);
      g_assert_cmpint (g_ascii_strtoll (fields[1], NULL, 10), ==, heron_seed_date (&spec, row));
      message_id = heron_seed_message_id (&spec, row);
      bracketed = g_strdup_printf ("<%s>", message_id);
      g_assert_cmpstr (g_strstrip (fields[2]), ==, bracketed);
      row++;
    }
  g_assert_cmpuint (row, ==, 500);

  /* A client sees them too. */
  imap = imap_login_starttls (server, alice);
  {
    g_autoptr(GPtrArray) select = imap_ok (imap, "SELECT Lists/GNOME");
    gboolean seen = FALSE;
    for (guint i = 0; i < select->len; i++)
      seen |= g_str_equal (g_ptr_array_index (select, i), "* 500 EXISTS");
    g_assert_true (seen);
  }
}

/* Server down */

static void
test_stop_start_imap (Fixture       *fixture,
                      gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  guint16 imap_port = heron_test_server_get_imap_port (server);
  guint16 imaps_port = heron_test_server_get_imaps_port (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *before_id = NULL;
  g_autofree char *during_id = NULL;
  g_autoptr(Imap) imap = NULL;
  guint32 before_uid, during_uid, lmtp_uid;
  HeronTestMailboxStatus status_before, status_after;
  g_autofree char *found = NULL;
  g_autofree char *expected = NULL;

  before_uid = deliver (server, "INBOX", "\\Flagged", &before_id);
  heron_test_server_get_status (server, alice, "INBOX", &status_before, &error);
  g_assert_no_error (error);

  heron_test_server_stop_imap (server, &error);
  g_assert_no_error (error);
  g_assert_false (heron_test_server_is_imap_running (server));
  g_assert_false (port_accepts (imap_port));
  g_assert_false (port_accepts (imaps_port));

  /* Mail still arrives while IMAP is down, and the helpers still work. */
  during_uid = deliver (server, "INBOX", NULL, &during_id);
  {
    g_autofree char *lmtp_id = NULL;
    g_autoptr(GBytes) message = make_message ("erin@example.org", alice, "While down", &lmtp_id);

    heron_test_server_deliver_lmtp (server, alice, message, &error);
    g_assert_no_error (error);
    lmtp_uid = heron_test_server_wait_for_message (server, alice, "INBOX", lmtp_id,
                                                   DELIVERY_TIMEOUT_MS, &error);
    g_assert_no_error (error);
  }

  heron_test_server_start_imap (server, &error);
  g_assert_no_error (error);
  g_assert_true (heron_test_server_is_imap_running (server));
  g_assert_cmpuint (heron_test_server_get_imap_port (server), ==, imap_port);
  g_assert_cmpuint (heron_test_server_get_imaps_port (server), ==, imaps_port);

  heron_test_server_get_status (server, alice, "INBOX", &status_after, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status_after.uidvalidity, ==, status_before.uidvalidity);
  g_assert_cmpuint (status_after.messages, ==, 3);

  imap = imap_login_starttls (server, alice);
  g_ptr_array_unref (imap_ok (imap, "SELECT INBOX"));
  found = imap_search (imap, "ALL");
  expected = g_strdup_printf ("%u %u %u", before_uid, during_uid, lmtp_uid);
  g_assert_cmpstr (found, ==, expected);
  {
    g_autofree char *flags = imap_flags (imap, before_uid);
    g_assert_cmpstr (flags, ==, "\\Flagged");
  }
  g_clear_pointer (&imap, imap_free);

  {
    g_autoptr(Imap) tls = imap_connect (server, imaps_port, TRUE);
    imap_login (tls, server, alice);
  }
}

static void
test_stop_start_smtp (Fixture       *fixture,
                      gconstpointer  data)
{
  HeronTestServer *server = fixture->server;
  const char *alice = heron_test_server_get_user (server);
  const char * const recipients[] = { alice, NULL };
  guint16 smtp_port = heron_test_server_get_smtp_port (server);
  guint16 smtps_port = heron_test_server_get_smtps_port (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *curl_error = NULL;
  g_autoptr(GBytes) message = make_message (alice, alice, "After restart", &message_id);

  heron_test_server_stop_smtp (server, &error);
  g_assert_no_error (error);
  g_assert_false (heron_test_server_is_smtp_running (server));
  g_assert_false (port_accepts (smtp_port));
  g_assert_false (port_accepts (smtps_port));

  heron_test_server_start_smtp (server, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (heron_test_server_get_smtp_port (server), ==, smtp_port);
  g_assert_cmpuint (heron_test_server_get_smtps_port (server), ==, smtps_port);

  g_assert_cmpint (submit (server, FALSE, TRUE, alice, heron_test_server_get_password (server),
                           recipients, message, &curl_error), ==, CURLE_OK);
  heron_test_server_wait_for_message (server, alice, "INBOX", message_id, DELIVERY_TIMEOUT_MS,
                                      &error);
  g_assert_no_error (error);
}

/* Cleanup */

static void
wait_until_gone (const char *dir,
                 guint16    *ports,
                 guint       n_ports)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  for (;;)
    {
      gboolean clean = !g_file_test (dir, G_FILE_TEST_EXISTS);

      for (guint i = 0; clean && i < n_ports; i++)
        clean = !port_accepts (ports[i]);
      if (clean)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("after 5 s, %s still exists or one of its ports still accepts connections", dir);
      g_usleep (20 * 1000);
    }
}

static void
test_free_cleans_up (void)
{
  g_autoptr(GError) error = NULL;
  HeronTestServer *server = heron_test_server_new (&error);
  g_autofree char *dir = NULL;
  g_autofree char *oauth_conf = NULL;
  g_autofree char *conf = NULL;
  const char *url;
  guint16 ports[5];

  g_assert_no_error (error);
  dir = g_strdup (heron_test_server_get_dir (server));
  ports[0] = heron_test_server_get_imap_port (server);
  ports[1] = heron_test_server_get_imaps_port (server);
  ports[2] = heron_test_server_get_smtp_port (server);
  ports[3] = heron_test_server_get_smtps_port (server);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  /* The OAuth introspection endpoint: its port is the one Dovecot's oauth2 passdb is told. */
  oauth_conf = g_build_filename (dir, "dovecot", "oauth2.conf.ext", NULL);
  g_file_get_contents (oauth_conf, &conf, NULL, &error);
  g_assert_no_error (error);
  url = strstr (conf, "introspection_url = http://127.0.0.1:");
  g_assert_nonnull (url);
  ports[4] = (guint16) g_ascii_strtoull (url + strlen ("introspection_url = http://127.0.0.1:"),
                                         NULL, 10);
  g_assert_cmpuint (ports[4], !=, 0);
  g_assert_true (port_accepts (ports[4]));

  heron_test_server_free (server);

  /* At once, not eventually. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    g_assert_false (port_accepts (ports[i]));
}

static char *
env_value (GStrv       lines,
           const char *name)
{
  g_autofree char *prefix = g_strconcat (name, "=", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        g_autoptr(GError) error = NULL;
        char *value = g_shell_unquote (lines[i] + strlen (prefix), &error);
        g_assert_no_error (error);
        return value;
      }
  g_error ("the env file has no %s", name);
}

/* The CLI killed with SIGKILL: no destructor runs, the guardian must clean up. */
static void
test_cleanup_after_kill (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = g_dir_make_tmp ("heron-test-cli-XXXXXX", &error);
  g_autofree char *env_file = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *env = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *password = NULL;
  guint16 ports[4];
  static const char * const port_names[] = {
    "HERON_TEST_IMAP_PORT", "HERON_TEST_IMAPS_PORT", "HERON_TEST_SMTP_PORT",
    "HERON_TEST_SMTPS_PORT",
  };
  pid_t pid;

  g_assert_no_error (error);
  env_file = g_build_filename (scratch, "env", NULL);
  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                          HERON_TEST_SERVER_CLI, "--env-file", env_file, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");

  g_file_get_contents (env_file, &env, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (env, "\n", -1);
  dir = env_value (lines, "HERON_TEST_DIR");
  password = env_value (lines, "HERON_TEST_PASSWORD");
  g_assert_cmpstr (password, !=, "");
  {
    g_autofree char *user = env_value (lines, "HERON_TEST_USER");
    g_autofree char *ca = env_value (lines, "HERON_TEST_CA_FILE");
    g_autofree char *host = env_value (lines, "HERON_TEST_HOST");
    g_assert_cmpstr (user, ==, HERON_TEST_SERVER_DEFAULT_USER);
    g_assert_cmpstr (host, ==, "127.0.0.1");
    g_assert_true (g_file_test (ca, G_FILE_TEST_IS_REGULAR));
  }
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_autofree char *value = env_value (lines, port_names[i]);
      ports[i] = (guint16) g_ascii_strtoull (value, NULL, 10);
      g_assert_cmpuint (ports[i], >, 0);
      g_assert_true (port_accepts (ports[i]));
    }
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (cli), NULL, 10);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_subprocess_wait (cli, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (cli));

  wait_until_gone (dir, ports, G_N_ELEMENTS (ports));

  g_unlink (env_file);
  g_rmdir (scratch);
}

/* The CLI's normal exit on end of input. */
static void
test_cli_stops_on_eof (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *scratch = g_dir_make_tmp ("heron-test-cli-XXXXXX", &error);
  g_autofree char *env_file = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *env = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *imap_port = NULL;
  guint16 ports[1];

  g_assert_no_error (error);
  env_file = g_build_filename (scratch, "env", NULL);
  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                          HERON_TEST_SERVER_CLI, "--env-file", env_file, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");

  g_file_get_contents (env_file, &env, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (env, "\n", -1);
  dir = env_value (lines, "HERON_TEST_DIR");
  imap_port = env_value (lines, "HERON_TEST_IMAP_PORT");
  ports[0] = (guint16) g_ascii_strtoull (imap_port, NULL, 10);

  g_output_stream_close (g_subprocess_get_stdin_pipe (cli), NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (cli, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (env_file, G_FILE_TEST_EXISTS));
  g_assert_false (port_accepts (ports[0]));
  g_rmdir (scratch);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  curl_global_init (CURL_GLOBAL_DEFAULT);

#define ADD(path, func) \
  g_test_add ("/heron/servers/harness/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("starttls-login", test_starttls_login);
  ADD ("implicit-tls-login", test_implicit_tls_login);
  ADD ("capabilities", test_capabilities);
  ADD ("compress-deflate", test_compress);
  ADD ("plaintext-loopback-only", test_plaintext_loopback_only);
  ADD ("smtp-starttls-delivery", test_smtp_starttls_delivery);
  ADD ("smtps-delivery", test_smtps_delivery);
  ADD ("smtp-wrong-password", test_smtp_wrong_password);
  ADD ("smtp-policy", test_smtp_policy);
  ADD ("oauth-imap", test_oauth_imap);
  ADD ("oauth-smtp", test_oauth_smtp);
  ADD ("helper-flags", test_helper_flags);
  ADD ("helper-expunge", test_helper_expunge);
  ADD ("helper-move", test_helper_move);
  ADD ("helper-deliver", test_helper_deliver);
  ADD ("helper-idle", test_helper_idle);
  ADD ("helper-mailboxes", test_helper_mailboxes);
  ADD ("seed", test_seed);
  ADD ("stop-start-imap", test_stop_start_imap);
  ADD ("stop-start-smtp", test_stop_start_smtp);
#undef ADD
  g_test_add_func ("/heron/servers/harness/free-cleans-up", test_free_cleans_up);
  g_test_add_func ("/heron/servers/harness/cleanup-after-kill", test_cleanup_after_kill);
  g_test_add_func ("/heron/servers/harness/cli-stops-on-eof", test_cli_stops_on_eof);

  status = g_test_run ();
  curl_global_cleanup ();
  return status;
}
