/* heron-script-server-run.c: the server's thread, which runs the steps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs on the server's thread. Its own state is Run, on the thread's stack; what
 * it shares with the test thread it touches under self->mutex (heron-script-server-private.h).
 */

#include "heron-script-server-private.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define CHUNK_SIZE       (64 * 1024)   /* one read, one generated write */
#define MAX_LINE         (1024 * 1024) /* a longer client line fails the step */
#define SHOW_MAX         1024          /* bytes of one chunk shown in the transcript */
#define N_TAGS           10            /* $TAG0 ... $TAG9 */

typedef enum {
  CONNECTION_NONE,                /* not accepted yet: the next step accepts one */
  CONNECTION_OPEN,
  CONNECTION_CLOSED,              /* a step closed it; only next_connection may follow */
} ConnectionState;

/* The server thread's private state. */
typedef struct {
  HeronScriptServer  *self;
  guint               index;       /* of the next step in self->steps */
  char               *what;        /* "step 3 (expect \"* LOGIN *\")" */
  ConnectionState     state;
  GSocketConnection  *connection;
  GIOStream          *tls;         /* the GTlsServerConnection once TLS is up, else NULL */
  GIOStream          *stream;      /* what steps read and write: tls or connection */
  GByteArray         *input;       /* received, not consumed yet */
  char               *tags[N_TAGS];/* tags of the last command lines, the newest first */
  guint8             *chunk;       /* CHUNK_SIZE bytes to read into */
} Run;

/* Escaping and the transcript */

static void
append_escaped (GString      *out,
                const guint8 *data,
                gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      switch (c)
        {
        case '\r': g_string_append (out, "\\r"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\\': g_string_append (out, "\\\\"); break;
        default:
          if (c >= 0x20 && c < 0x7f)
            g_string_append_c (out, (char) c);
          else
            g_string_append_printf (out, "\\x%02x", c);
        }
    }
}

char *
_heron_script_server_escape (const void *data,
                             gsize       len,
                             gsize       max)
{
  GString *out = g_string_new (NULL);

  append_escaped (out, data, MIN (len, max));
  if (len > max)
    g_string_append_printf (out, "...(%" G_GSIZE_FORMAT " bytes)", len);
  return g_string_free (out, FALSE);
}

/* Appends `data` as lines of `prefix` and escaped bytes, split after each LF. The caller holds
 * the lock. */
static void
transcript_data_locked (HeronScriptServer *self,
                        const char        *prefix,
                        const guint8      *data,
                        gsize              len,
                        gsize              max)
{
  gsize shown = MIN (len, max);
  gsize start = 0;

  while (start < shown)
    {
      const guint8 *lf = memchr (data + start, '\n', shown - start);
      gsize end = lf != NULL ? (gsize) (lf - data) + 1 : shown;

      g_string_append (self->transcript, prefix);
      append_escaped (self->transcript, data + start, end - start);
      g_string_append_c (self->transcript, '\n');
      start = end;
    }
  if (len > shown)
    g_string_append_printf (self->transcript, "-- (%" G_GSIZE_FORMAT " more bytes)\n",
                            len - shown);
}

static void
transcript_data (HeronScriptServer *self,
                 const char        *prefix,
                 const guint8      *data,
                 gsize              len)
{
  g_mutex_lock (&self->mutex);
  transcript_data_locked (self, prefix, data, len, SHOW_MAX);
  g_mutex_unlock (&self->mutex);
}

static void transcript_note (HeronScriptServer *self,
                             const char        *prefix,
                             const char        *format,
                             ...) G_GNUC_PRINTF (3, 4);

static void
transcript_note (HeronScriptServer *self,
                 const char        *prefix,
                 const char        *format,
                 ...)
{
  va_list args;

  g_mutex_lock (&self->mutex);
  g_string_append (self->transcript, prefix);
  va_start (args, format);
  g_string_append_vprintf (self->transcript, format, args);
  va_end (args);
  g_string_append_c (self->transcript, '\n');
  g_mutex_unlock (&self->mutex);
}

/* The last `n` lines of the transcript. The caller holds the lock. */
const char *
_heron_script_server_transcript_tail (HeronScriptServer *self,
                                      guint              n)
{
  const char *start = self->transcript->str;
  const char *p = start + self->transcript->len;
  guint lines = 0;

  /* Each LF before the final one ends an earlier line: stop after the n-th. */
  if (p > start && p[-1] == '\n')
    p--;
  while (p > start)
    {
      if (p[-1] == '\n' && ++lines == n)
        break;
      p--;
    }
  return p;
}

static void
set_position (HeronScriptServer *self,
              const char        *format,
              ...) G_GNUC_PRINTF (2, 3);

static void
set_position (HeronScriptServer *self,
              const char        *format,
              ...)
{
  va_list args;
  char *position;

  va_start (args, format);
  position = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&self->mutex);
  g_free (self->position);
  self->position = position;
  g_mutex_unlock (&self->mutex);
}

/* The server thread: reading and writing */

static gssize
fill_input (Run     *run,
            GError **error)
{
  GInputStream *in = g_io_stream_get_input_stream (run->stream);
  gssize n = g_input_stream_read (in, run->chunk, CHUNK_SIZE, run->self->cancellable, error);

  if (n > 0)
    g_byte_array_append (run->input, run->chunk, n);
  return n;
}

static gboolean
write_data (Run           *run,
            const guint8  *data,
            gsize          len,
            GError       **error)
{
  GOutputStream *out = g_io_stream_get_output_stream (run->stream);
  gsize written = 0;
  gboolean ok;

  ok = g_output_stream_write_all (out, data, len, &written, run->self->cancellable, error);
  transcript_data (run->self, "S> ", data, written);
  if (!ok)
    transcript_note (run->self, "-- ", "sent %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes",
                     written, len);
  return ok;
}

/* Reads one CRLF-terminated line; returns it without the CRLF. */
static char *
read_line (Run     *run,
           GError **error)
{
  gsize scanned = 0;

  for (;;)
    {
      const guint8 *data = run->input->data;
      const guint8 *lf = NULL;
      gssize n;

      /* An empty GByteArray's data may be NULL, which memchr() must not see. */
      if (run->input->len > scanned)
        lf = memchr (data + scanned, '\n', run->input->len - scanned);

      if (lf != NULL)
        {
          gsize len = (gsize) (lf - data) + 1;
          char *line;

          transcript_data (run->self, "C> ", data, len);
          if (len < 2 || data[len - 2] != '\r')
            {
              g_autofree char *shown = _heron_script_server_escape (data, len, 200);

              g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                           "the client ended a line with a bare LF: \"%s\"", shown);
              return NULL;
            }
          if (memchr (data, '\0', len) != NULL)
            {
              g_autofree char *shown = _heron_script_server_escape (data, len, 200);

              g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                           "the client sent a line with a NUL byte: \"%s\"", shown);
              return NULL;
            }
          line = g_strndup ((const char *) data, len - 2);
          g_byte_array_remove_range (run->input, 0, len);
          return line;
        }
      scanned = run->input->len;
      if (run->input->len > MAX_LINE)
        {
          g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                       "the client sent more than %d bytes without a line end", MAX_LINE);
          return NULL;
        }
      n = fill_input (run, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        {
          if (run->input->len > 0)
            {
              g_autofree char *shown = _heron_script_server_escape (run->input->data,
                                                                    run->input->len, 200);

              transcript_data (run->self, "C> ", run->input->data, run->input->len);
              g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_CLOSED,
                           "the client closed the connection after an unfinished line \"%s\"",
                           shown);
              g_byte_array_set_size (run->input, 0);
            }
          else
            g_set_error_literal (error, HERON_SCRIPT_SERVER_ERROR,
                                 HERON_SCRIPT_SERVER_ERROR_CLOSED,
                                 "the client closed the connection");
          return NULL;
        }
    }
}

static char *
substitute_tags (Run         *run,
                 const char  *text,
                 GError     **error)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (g_str_has_prefix (p, "$TAG"))
        {
          guint n = 0;

          p += 4;
          if (g_ascii_isdigit (*p))
            n = *p++ - '0';
          if (run->tags[n] == NULL)
            {
              g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                           "\"$TAG%u\" refers to a command line this connection has not read",
                           n);
              g_string_free (out, TRUE);
              return NULL;
            }
          g_string_append (out, run->tags[n]);
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

static void
push_tag (Run        *run,
          const char *line)
{
  const char *space = strchr (line, ' ');

  g_free (run->tags[N_TAGS - 1]);
  memmove (&run->tags[1], &run->tags[0], (N_TAGS - 1) * sizeof (char *));
  run->tags[0] = space != NULL ? g_strndup (line, space - line) : g_strdup (line);
}

static void
clear_tags (Run *run)
{
  for (guint i = 0; i < N_TAGS; i++)
    g_clear_pointer (&run->tags[i], g_free);
}

/* The server thread: connections */

static gboolean
accept_connection (Run     *run,
                   GError **error)
{
  HeronScriptServer *self = run->self;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *peer = NULL;
  guint number;

  set_position (self, "%s: waiting for a connection", run->what);
  socket = g_socket_accept (self->listener, self->cancellable, error);
  if (socket == NULL)
    {
      g_prefix_error (error, "accepting a connection: ");
      return FALSE;
    }
  address = g_socket_get_remote_address (socket, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *host =
        g_inet_address_to_string (g_inet_socket_address_get_address (inet));

      peer = g_strdup_printf ("%s:%u", host, g_inet_socket_address_get_port (inet));
    }

  run->connection = g_socket_connection_factory_create_connection (socket);
  run->stream = G_IO_STREAM (run->connection);
  run->state = CONNECTION_OPEN;
  g_byte_array_set_size (run->input, 0);
  clear_tags (run);

  g_mutex_lock (&self->mutex);
  number = ++self->connections;
  g_mutex_unlock (&self->mutex);
  transcript_note (self, "-- ", "connection %u accepted from %s", number,
                   peer != NULL ? peer : "?");
  set_position (self, "%s", run->what);
  return TRUE;
}

/* Throws away what the client sent that no step read (so that close() sends FIN, not RST), and
 * notes it. */
static void
note_unread (Run *run)
{
  GSocket *socket = g_socket_connection_get_socket (run->connection);
  gsize raw = 0;

  if (run->input->len > 0)
    {
      transcript_note (run->self, "-- ", "%u bytes received but never read by a step:",
                       run->input->len);
      transcript_data (run->self, "C# ", run->input->data, run->input->len);
      g_byte_array_set_size (run->input, 0);
    }
  for (;;)
    {
      gssize n = g_socket_receive_with_blocking (socket, (char *) run->chunk, CHUNK_SIZE, FALSE,
                                                 NULL, NULL);
      if (n <= 0)
        break;
      raw += n;
    }
  if (raw > 0)
    transcript_note (run->self, "-- ", "%" G_GSIZE_FORMAT " more bytes on the socket never read",
                     raw);
}

static void
forget_connection (Run *run)
{
  g_clear_object (&run->tls);
  g_clear_object (&run->connection);
  run->stream = NULL;
  run->state = CONNECTION_CLOSED;
}

/* Graceful: TLS close_notify, FIN after everything sent, then close. Otherwise just close. */
static void
close_connection (Run      *run,
                  gboolean  graceful)
{
  GSocket *socket;

  if (run->state != CONNECTION_OPEN)
    return;
  socket = g_socket_connection_get_socket (run->connection);
  if (graceful)
    {
      if (run->tls != NULL)
        g_output_stream_close (g_io_stream_get_output_stream (run->tls), run->self->cancellable,
                               NULL);
      g_socket_shutdown (socket, FALSE, TRUE, NULL);
    }
  note_unread (run);
  g_socket_close (socket, NULL);
  forget_connection (run);
}

/* The server thread: the steps */

static gboolean
sleep_ms (HeronScriptServer  *self,
          guint               ms,
          GError            **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * G_TIME_SPAN_MILLISECOND;
  gboolean stopping;

  g_mutex_lock (&self->mutex);
  while (!self->stopping && g_cond_wait_until (&self->cond, &self->mutex, end))
    ;
  stopping = self->stopping;
  g_mutex_unlock (&self->mutex);
  if (stopping)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the server was freed");
      return FALSE;
    }
  return TRUE;
}

/* `closed` (nullable): set when the client closed the connection before the last byte; the
 * step then succeeds with the connection forgotten. NULL makes that a failure. */
static gboolean
step_send_generated (Run         *run,
                     const Step  *step,
                     gboolean    *closed,
                     GError     **error)
{
  GOutputStream *out = g_io_stream_get_output_stream (run->stream);
  gsize plen = strlen (step->text);
  g_autofree guint8 *buffer = g_malloc (CHUNK_SIZE + plen);
  guint64 sent = 0;

  /* The bytes from any offset on are buffer + offset % plen. */
  for (gsize i = 0; i < CHUNK_SIZE + plen; i++)
    buffer[i] = step->text[i % plen];
  while (sent < step->size)
    {
      gsize len = (gsize) MIN ((guint64) CHUNK_SIZE, step->size - sent);
      gsize written = 0;
      gboolean ok;

      g_autoptr(GError) local_error = NULL;

      ok = g_output_stream_write_all (out, buffer + sent % plen, len, &written,
                                      run->self->cancellable, &local_error);
      sent += written;
      if (!ok && closed != NULL &&
          (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
           g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)))
        {
          GSocket *socket = g_socket_connection_get_socket (run->connection);
          gssize n;

          transcript_note (run->self, "-- ", "the client closed the connection after %"
                           G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " generated bytes: %s",
                           sent, step->size, local_error->message);
          /* what the client sent before it closed fails the step, as in expect_close */
          n = g_socket_receive_with_blocking (socket, (char *) run->chunk, CHUNK_SIZE, FALSE, NULL, NULL);
          if (run->input->len > 0 || n > 0)
            {
              if (n > 0)
                g_byte_array_append (run->input, run->chunk, n);
              transcript_data (run->self, "C> ", run->input->data, run->input->len);
              g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                           "expected the client to close the connection, received %u bytes",
                           run->input->len);
              return FALSE;
            }
          g_socket_close (socket, NULL);
          forget_connection (run);
          *closed = TRUE;
          return TRUE;
        }
      if (!ok)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          transcript_note (run->self, "-- ", "sent %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                           " generated bytes", sent, step->size);
          return FALSE;
        }
    }
  transcript_note (run->self, "-- ", "sent %" G_GUINT64_FORMAT " generated bytes", step->size);
  return TRUE;
}

static gboolean
step_expect_line (Run         *run,
                  const Step  *step,
                  GError     **error)
{
  g_autofree char *line = read_line (run, error);

  if (line == NULL)
    return FALSE;
  if (!g_pattern_match_simple (step->text, line))
    {
      g_autofree char *shown = _heron_script_server_escape (line, strlen (line), 300);

      g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_MISMATCH,
                   "expected a line matching \"%s\", received \"%s\"", step->text, shown);
      return FALSE;
    }
  if (step->kind == STEP_EXPECT)
    push_tag (run, line);
  return TRUE;
}

static gboolean
step_expect_literal (Run         *run,
                     const Step  *step,
                     GError     **error)
{
  const guint8 *expected = step->bytes != NULL ? g_bytes_get_data (step->bytes, NULL) : NULL;
  guint64 offset = 0;

  while (offset < step->size)
    {
      gsize len;

      if (run->input->len == 0)
        {
          gssize n = fill_input (run, error);

          if (n < 0)
            return FALSE;
          if (n == 0)
            {
              g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_CLOSED,
                           "the client closed the connection after %" G_GUINT64_FORMAT " bytes "
                           "of the literal", offset);
              return FALSE;
            }
        }
      len = (gsize) MIN ((guint64) run->input->len, step->size - offset);
      if (offset < SHOW_MAX)
        {
          g_mutex_lock (&run->self->mutex);
          transcript_data_locked (run->self, "C> ", run->input->data,
                                  MIN (len, SHOW_MAX - offset), G_MAXSIZE);
          g_mutex_unlock (&run->self->mutex);
        }
      if (expected != NULL)
        {
          for (gsize i = 0; i < len; i++)
            {
              if (run->input->data[i] != expected[offset + i])
                {
                  g_set_error (error, HERON_SCRIPT_SERVER_ERROR,
                               HERON_SCRIPT_SERVER_ERROR_MISMATCH,
                               "the literal differs at byte %" G_GUINT64_FORMAT
                               ": expected 0x%02x, received 0x%02x",
                               offset + i, expected[offset + i], run->input->data[i]);
                  return FALSE;
                }
            }
        }
      g_byte_array_remove_range (run->input, 0, len);
      offset += len;
    }
  if (step->size > SHOW_MAX)
    transcript_note (run->self, "-- ", "(%" G_GUINT64_FORMAT " more bytes of the literal)",
                     step->size - SHOW_MAX);
  return TRUE;
}

static const char *
protocol_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0: return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
    default: return "TLS (unknown version)";
    }
}

static gboolean
step_tls (Run         *run,
          const Step  *step,
          GError     **error)
{
  HeronScriptServer *self = run->self;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *suite = NULL;
  GTlsProtocolVersion version;

  if (run->tls != NULL)
    {
      g_set_error_literal (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                           "TLS is already up on this connection");
      return FALSE;
    }
  /* What the client sent after its STARTTLS line and before its handshake is plain text that
   * must never count as having come through TLS: throw it away, as a careful server does. */
  if (run->input->len > 0)
    {
      g_mutex_lock (&self->mutex);
      self->discarded += run->input->len;
      g_string_append_printf (self->transcript,
                              "-- discarded %u bytes the client sent in plain text before the "
                              "TLS handshake:\n", run->input->len);
      transcript_data_locked (self, "C# ", run->input->data, run->input->len, SHOW_MAX);
      g_mutex_unlock (&self->mutex);
      g_byte_array_set_size (run->input, 0);
    }

  g_mutex_lock (&self->mutex);
  certificate = g_object_ref (self->certificate);
  g_mutex_unlock (&self->mutex);

  tls = g_tls_server_connection_new (G_IO_STREAM (run->connection), certificate, error);
  if (tls == NULL)
    return FALSE;
  /* A client that closes without close_notify is an ordinary end of file here. */
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  transcript_note (self, "-- ", "TLS handshake (server side)");

  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), self->cancellable, &local_error))
    {
      if (step->kind == STEP_TLS_REFUSED &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          transcript_note (self, "-- ", "the client refused the TLS handshake, as expected: %s",
                           local_error->message);
          /* The connection is unusable now: close the socket under the TLS layer. */
          g_socket_close (g_socket_connection_get_socket (run->connection), NULL);
          g_byte_array_set_size (run->input, 0);
          forget_connection (run);
          return TRUE;
        }
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "TLS handshake failed: ");
      return FALSE;
    }

  run->tls = g_steal_pointer (&tls);
  run->stream = run->tls;
  suite = g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (run->tls));
  version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (run->tls));
  transcript_note (self, "-- ", "TLS is up: %s, %s", protocol_name (version),
                   suite != NULL ? suite : "?");
  if (step->kind == STEP_TLS_REFUSED)
    {
      g_set_error_literal (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                           "the client completed a TLS handshake it should have refused");
      return FALSE;
    }
  return TRUE;
}

static void
drop_connection (Run *run)
{
  GSocket *socket = g_socket_connection_get_socket (run->connection);
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  /* Linger on with a timeout of 0: close() throws away what is queued and sends RST, not FIN.
   * (g_socket_set_option() only passes an int, and SO_LINGER takes a struct.) */
  if (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger) != 0)
    transcript_note (run->self, "-- ", "SO_LINGER failed (%s): this drop sends FIN, not RST",
                     g_strerror (errno));
  g_socket_close (socket, NULL);
  g_byte_array_set_size (run->input, 0);
  forget_connection (run);
}

static gboolean
step_half_close (Run     *run,
                 GError **error)
{
  GSocket *socket = g_socket_connection_get_socket (run->connection);

  if (run->tls != NULL &&
      !g_output_stream_close (g_io_stream_get_output_stream (run->tls), run->self->cancellable,
                              error))
    return FALSE;
  return g_socket_shutdown (socket, FALSE, TRUE, error);
}

static gboolean
step_expect_close (Run     *run,
                   GError **error)
{
  g_autoptr(GError) local_error = NULL;

  for (;;)
    {
      gssize n;

      if (run->input->len > 0)
        {
          g_autofree char *shown = _heron_script_server_escape (run->input->data,
                                                                run->input->len, 300);

          transcript_data (run->self, "C> ", run->input->data, run->input->len);
          g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                       "expected the client to close the connection, received \"%s\"", shown);
          return FALSE;
        }
      n = fill_input (run, &local_error);
      if (n == 0)
        break;
      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
              g_error_matches (local_error, G_TLS_ERROR, G_TLS_ERROR_EOF))
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  transcript_note (run->self, "-- ", "the client closed the connection%s%s",
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
  g_socket_close (g_socket_connection_get_socket (run->connection), NULL);
  forget_connection (run);
  return TRUE;
}

static gboolean
run_step (Run         *run,
          const Step  *step,
          GError     **error)
{
  switch (step->kind)
    {
    case STEP_SEND:
      {
        g_autofree char *text = substitute_tags (run, step->text, error);

        return text != NULL && write_data (run, (const guint8 *) text, strlen (text), error);
      }
    case STEP_SEND_BYTES:
      {
        gsize len = 0;
        const guint8 *data = g_bytes_get_data (step->bytes, &len);

        return write_data (run, data, len, error);
      }
    case STEP_SEND_GENERATED:
      return step_send_generated (run, step, NULL, error);
    case STEP_SEND_GENERATED_UNTIL_CLOSE:
      {
        gboolean closed = FALSE;

        if (!step_send_generated (run, step, &closed, error))
          return FALSE;
        return closed || step_expect_close (run, error);
      }
    case STEP_EXPECT:
    case STEP_EXPECT_DATA:
      return step_expect_line (run, step, error);
    case STEP_EXPECT_LITERAL:
      return step_expect_literal (run, step, error);
    case STEP_START_TLS:
    case STEP_IMPLICIT_TLS:
    case STEP_TLS_REFUSED:
      return step_tls (run, step, error);
    case STEP_SLEEP:
      return sleep_ms (run->self, step->ms, error);
    case STEP_CLOSE:
      close_connection (run, TRUE);
      transcript_note (run->self, "-- ", "the server closed the connection");
      return TRUE;
    case STEP_DROP:
      drop_connection (run);
      transcript_note (run->self, "-- ", "the server dropped the connection (RST)");
      return TRUE;
    case STEP_HALF_CLOSE:
      if (!step_half_close (run, error))
        return FALSE;
      transcript_note (run->self, "-- ", "the server shut down its sending side");
      return TRUE;
    case STEP_EXPECT_CLOSE:
      return step_expect_close (run, error);
    case STEP_NEXT_CONNECTION:
    default:
      g_assert_not_reached ();
    }
}

/* The next step, or NULL: at the end of the script (error unset) or when freed (error set). */
static const Step *
take_step (Run     *run,
           GError **error)
{
  HeronScriptServer *self = run->self;
  const Step *step = NULL;

  g_mutex_lock (&self->mutex);
  if (run->index >= self->steps->len && !self->ended && !self->stopping)
    {
      g_free (self->position);
      self->position = g_strdup_printf ("waiting for a step after step %u", run->index);
    }
  while (run->index >= self->steps->len && !self->ended && !self->stopping)
    g_cond_wait (&self->cond, &self->mutex);
  if (self->stopping)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the server was freed");
  else if (run->index < self->steps->len)
    step = g_ptr_array_index (self->steps, run->index++);
  g_mutex_unlock (&self->mutex);
  return step;
}

static gboolean
run_script (Run     *run,
            GError **error)
{
  for (;;)
    {
      const Step *step = take_step (run, error);
      g_autofree char *description = NULL;

      if (step == NULL)
        return error == NULL || *error == NULL;

      description = _heron_script_server_describe_step (step);
      g_free (run->what);
      run->what = g_strdup_printf ("step %u (%s)", run->index, description);
      set_position (run->self, "%s", run->what);

      if (step->kind == STEP_NEXT_CONNECTION)
        {
          if (run->state == CONNECTION_OPEN)
            {
              close_connection (run, TRUE);
              transcript_note (run->self, "-- ", "the server closed the connection");
            }
          run->state = CONNECTION_NONE;
          continue;
        }
      if (run->state == CONNECTION_NONE && !accept_connection (run, error))
        {
          g_prefix_error (error, "%s: ", run->what);
          return FALSE;
        }
      if (run->state == CONNECTION_CLOSED)
        {
          g_set_error (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_PROTOCOL,
                       "%s: an earlier step closed the connection (add next_connection)",
                       run->what);
          return FALSE;
        }
      if (!run_step (run, step, error))
        {
          g_prefix_error (error, "%s: ", run->what);
          return FALSE;
        }
    }
}

static void
finish (Run    *run,
        GError *failure)
{
  HeronScriptServer *self = run->self;
  g_autoptr(GPtrArray) waiters = NULL;
  GError *result = NULL;

  g_mutex_lock (&self->mutex);
  if (failure != NULL)
    {
      g_string_append_printf (self->transcript, "!! %s\n", failure->message);
      const char *tail = _heron_script_server_transcript_tail (self, TAIL_LINES);
      int tail_len = (int) (self->transcript->str + self->transcript->len - tail) - 1;

      result = g_error_new (failure->domain, failure->code, "%s\nTranscript (last lines):\n%.*s",
                            failure->message, tail_len, tail);
    }
  else
    g_string_append (self->transcript, "-- the script ended\n");
  self->failure = result;
  self->finished = TRUE;
  g_free (self->position);
  self->position = g_strdup ("finished");
  waiters = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new ();
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  /* GTask returns are thread-safe: each callback runs on its own task's context. */
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (result != NULL)
        g_task_return_error (task, g_error_copy (result));
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

gpointer
_heron_script_server_thread (gpointer data)
{
  HeronScriptServer *self = data;
  Run run = { .self = self, .state = CONNECTION_NONE };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (self->context);
  run.input = g_byte_array_new ();
  run.chunk = g_malloc (CHUNK_SIZE);

  ok = run_script (&run, &error);
  /* On success and on a failed step the client sees an orderly end of file; when freed there
   * is no time for that. */
  close_connection (&run, !g_cancellable_is_cancelled (self->cancellable));
  g_socket_close (self->listener, NULL);
  finish (&run, ok ? NULL : error);

  clear_tags (&run);
  g_free (run.what);
  g_free (run.chunk);
  g_byte_array_unref (run.input);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

