/* heron-smtp-connection.c: the transport of one submission
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening is a chain of steps on the connection's context:
 *
 *   TCP connect (connect timeout)
 *   -> implicit TLS: the handshake (connect timeout), then the greeting
 *   -> otherwise: the greeting in plain text, EHLO, STARTTLS (never pipelined); at its 220 the
 *      rest of what was read is dropped unread and the parser reset; the handshake; EHLO again
 *      (RFC 3207 section 4.2: everything the server said before TLS is forgotten)
 *   -> the greeting (220, else the server refused), EHLO (250, and its keywords).
 *
 * The security rules (DESIGN.md): no silent fallback to plain text. A server that does not offer
 * STARTTLS or refuses it fails the connection unless the settings allow plain text and the peer
 * is a loopback address. Certificates: net/heron-tls.h.
 *
 * Everything after that is an exchange: some command lines written in one write, then some
 * replies read. Replies are read in pieces of at most READ_CHUNK bytes and parsed up to the end
 * of the reply wanted, never further, so nothing the server sent ahead is acted on before it is
 * asked for (that is what makes the STARTTLS discard exact).
 *
 * Failing: the first failure is kept (self->error); the internal cancellable is cancelled and
 * the socket shut down, so whatever I/O is in flight ends at once, and its callback completes
 * the operation with that first error. A timer (one GSource whose ready time moves) is the
 * timeout of whatever is being waited for; the caller's cancellable is watched through a
 * cancellable source on the connection's context, so cancelling from another thread is safe.
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "heron-smtp-private.h"
#include "net/heron-net.h"

#define READ_CHUNK (16 * 1024)

struct _HeronSmtpConnection {
  GObject parent_instance;

  const HeronSmtpClientSettings *settings;  /* the client's, which outlives us */
  GMainContext *context;
  GCancellable *cancellable;                /* cancelled when the connection fails */
  /* The caller's cancellable: its ::cancelled (on any thread) makes cancel_wakeup ready, and the
   * connection fails on its own context. Not a GCancellableSource: GLib 2.74 leaks one whose last
   * reference goes while another thread is inside g_cancellable_cancel(). */
  GCancellable *caller_cancellable;
  gulong caller_cancel_id;
  GSource *cancel_wakeup;
  GError *error;                            /* why it failed */
  gboolean busy;                            /* an operation is running */

  /* transport */
  GSocketClient *client;
  GSocketConnection *socket_connection;
  GTlsConnection *tls;
  HeronTlsPolicy *tls_policy;
  GInputStream *input;
  GOutputStream *output;
  gboolean peer_is_loopback;

  /* reading */
  HeronSmtpReplyParser *parser;
  GByteArray *inbuf;                        /* read, not yet parsed */
  gsize inpos;
  guint8 *read_buffer;

  /* EHLO */
  GHashTable *extensions;                   /* KEYWORD -> parameters */
  GPtrArray *extension_lines;               /* "KEYWORD parameters", as announced */

  /* the timer of what is being waited for */
  GSource *timer;
  gboolean armed;
  guint timeout_ms;
  gint64 deadline;
  char *timeout_message;
};

G_DEFINE_FINAL_TYPE (HeronSmtpConnection, _heron_smtp_connection, G_TYPE_OBJECT)

/* The object */

static void
_heron_smtp_connection_dispose (GObject *object)
{
  HeronSmtpConnection *self = HERON_SMTP_CONNECTION (object);

  if (self->socket_connection != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (self->socket_connection), TRUE, TRUE, NULL);

  /* (waits for a ::cancelled handler running on another thread, which uses cancel_wakeup) */
  if (self->caller_cancellable != NULL)
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancel_id);
  self->caller_cancel_id = 0;
  g_clear_object (&self->caller_cancellable);
  if (self->cancel_wakeup != NULL)
    {
      g_source_destroy (self->cancel_wakeup);
      g_clear_pointer (&self->cancel_wakeup, g_source_unref);
    }
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  g_clear_pointer (&self->tls_policy, heron_tls_policy_free);
  g_clear_object (&self->client);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->tls);
  g_clear_object (&self->socket_connection);

  G_OBJECT_CLASS (_heron_smtp_connection_parent_class)->dispose (object);
}

static void
_heron_smtp_connection_finalize (GObject *object)
{
  HeronSmtpConnection *self = HERON_SMTP_CONNECTION (object);

  g_clear_pointer (&self->parser, heron_smtp_reply_parser_free);
  g_clear_pointer (&self->inbuf, g_byte_array_unref);
  g_clear_pointer (&self->read_buffer, g_free);
  g_clear_pointer (&self->extensions, g_hash_table_unref);
  g_clear_pointer (&self->extension_lines, g_ptr_array_unref);
  g_clear_pointer (&self->timeout_message, g_free);
  g_clear_error (&self->error);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (_heron_smtp_connection_parent_class)->finalize (object);
}

static void
_heron_smtp_connection_class_init (HeronSmtpConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = _heron_smtp_connection_dispose;
  object_class->finalize = _heron_smtp_connection_finalize;
}

static void
_heron_smtp_connection_init (HeronSmtpConnection *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->inbuf = g_byte_array_new ();
  self->read_buffer = g_malloc (READ_CHUNK);
  self->extensions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->extension_lines = g_ptr_array_new_with_free_func (g_free);
}

static const char *
host (HeronSmtpConnection *self)
{
  return self->settings->host;
}

static gboolean
on_cancel_wakeup (gpointer user_data)
{
  HeronSmtpConnection *self = HERON_SMTP_CONNECTION (user_data);

  _heron_smtp_connection_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          "Sending was cancelled"));
  return G_SOURCE_REMOVE;
}

/* On the thread that cancels (dispose waits for this to return before freeing the source). */
static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  HeronSmtpConnection *self = user_data;

  g_source_set_ready_time (self->cancel_wakeup, 0);
}

static gboolean
on_timer (gpointer user_data);

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_funcs = { NULL, NULL, timer_dispatch, NULL, NULL, NULL };

HeronSmtpConnection *
_heron_smtp_connection_new (const HeronSmtpClientSettings *settings,
                            GCancellable                  *cancellable)
{
  HeronSmtpConnection *self;

  g_assert (settings != NULL && settings->host != NULL);

  self = g_object_new (HERON_SMTP_TYPE_CONNECTION, NULL);
  self->settings = settings;
  self->parser = heron_smtp_reply_parser_new (&settings->limits);
  self->tls_policy = heron_tls_policy_new (settings->host, settings->pinned_certificate,
                                           settings->certificate_func,
                                           settings->certificate_data);

  self->timer = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_set_ready_time (self->timer, -1);
  g_source_attach (self->timer, self->context);

  if (cancellable != NULL)
    {
      self->cancel_wakeup = g_source_new (&timer_funcs, sizeof (GSource));
      g_source_set_callback (self->cancel_wakeup, on_cancel_wakeup, self, NULL);
      g_source_set_ready_time (self->cancel_wakeup, -1);
      g_source_set_static_name (self->cancel_wakeup, "[heron] smtp cancelled");
      g_source_attach (self->cancel_wakeup, self->context);
      self->caller_cancellable = g_object_ref (cancellable);
      /* (already cancelled: runs the handler at once) */
      self->caller_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                      self, NULL);
    }

  return self;
}

/* Failing */

void
_heron_smtp_connection_fail (HeronSmtpConnection *self,
                             GError              *error)
{
  g_return_if_fail (HERON_SMTP_IS_CONNECTION (self));
  g_return_if_fail (error != NULL);

  if (self->error != NULL)
    {
      g_error_free (error);
      return;
    }

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Connection to %s failed: %s", host (self), error->message);

  self->error = error;
  self->armed = FALSE;
  g_source_set_ready_time (self->timer, -1);
  g_cancellable_cancel (self->cancellable);

  /* Shut down rather than close: a TLS handshake thread may still hold the descriptor, which
   * must not be reused under it. It is closed when the objects go. */
  if (self->socket_connection != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (self->socket_connection), TRUE, TRUE, NULL);
}

gboolean
_heron_smtp_connection_is_failed (HeronSmtpConnection *self)
{
  g_return_val_if_fail (HERON_SMTP_IS_CONNECTION (self), TRUE);

  return self->error != NULL;
}

const GError *
_heron_smtp_connection_get_error (HeronSmtpConnection *self)
{
  g_return_val_if_fail (HERON_SMTP_IS_CONNECTION (self), NULL);

  return self->error;
}

/* Ends task with error (taken; NULL: the connection's own error). The connection fails with it
 * unless it failed already, in which case the first error is what the task gets. */
static void
return_error (HeronSmtpConnection *self,
              GTask               *task,
              GError              *error)
{
  if (error != NULL)
    _heron_smtp_connection_fail (self, error);
  self->busy = FALSE;
  g_task_return_error (task, g_error_copy (self->error));
  g_object_unref (task);
}

/* An I/O operation failed (or was cancelled because the connection failed). */
static void
return_io_error (HeronSmtpConnection *self,
                 GTask               *task,
                 const GError        *io_error,
                 const char          *doing)
{
  GError *error = NULL;

  if (self->error == NULL)
    error = g_error_new (io_error->domain, io_error->code,
                         "The connection to %s was lost (%s): %s", host (self), doing,
                         io_error->message);
  return_error (self, task, error);
}

/* Timers */

static char *
format_ms (guint ms)
{
  if (ms % 1000 != 0)
    return g_strdup_printf ("%u ms", ms);
  if (ms == 1000)
    return g_strdup ("1 second");
  return g_strdup_printf ("%u seconds", ms / 1000);
}

/* Starts waiting: without progress for timeout_ms, the connection fails with message (taken). */
static void
arm (HeronSmtpConnection *self,
     guint                timeout_ms,
     char                *message)
{
  g_free (self->timeout_message);
  self->timeout_message = message;
  self->timeout_ms = timeout_ms;
  self->armed = TRUE;
  self->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_source_set_ready_time (self->timer, self->deadline);
}

/* Progress: the wait starts again. The source's ready time is moved only when it fires. */
static void
touch (HeronSmtpConnection *self)
{
  if (self->armed)
    self->deadline = g_get_monotonic_time () + (gint64) self->timeout_ms * 1000;
}

static void
disarm (HeronSmtpConnection *self)
{
  self->armed = FALSE;
  g_source_set_ready_time (self->timer, -1);
}

static gboolean
on_timer (gpointer user_data)
{
  HeronSmtpConnection *self = HERON_SMTP_CONNECTION (user_data);

  if (!self->armed || self->error != NULL)
    {
      g_source_set_ready_time (self->timer, -1);
      return G_SOURCE_CONTINUE;
    }

  if (g_get_monotonic_time () < self->deadline)
    {
      g_source_set_ready_time (self->timer, self->deadline);
      return G_SOURCE_CONTINUE;
    }

  _heron_smtp_connection_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                          self->timeout_message));
  return G_SOURCE_CONTINUE;
}

/* Exchanges */

typedef struct {
  char *text;                 /* may hold a secret (AUTH): wiped */
  guint n_replies;
  guint timeout_ms;
  char *what;
  GPtrArray *replies;
} Exchange;

static void
exchange_free (gpointer data)
{
  Exchange *exchange = data;

  g_clear_pointer (&exchange->text, _heron_smtp_wipe_string);
  g_clear_pointer (&exchange->replies, g_ptr_array_unref);
  g_free (exchange->what);
  g_free (exchange);
}

static void read_replies (HeronSmtpConnection *self,
                          GTask               *task);

static void
log_lines (const char *prefix,
           const char *text)
{
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    return;
  lines = g_strsplit (text, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_debug ("%s%s", prefix, lines[i]);
}

static void
on_exchange_written (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = g_task_get_source_object (task);
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      return_io_error (self, task, error, "sending a command");
      return;
    }

  if (self->error != NULL)
    {
      return_error (self, task, NULL);
      return;
    }

  if (exchange->n_replies == 0)
    {
      disarm (self);
      self->busy = FALSE;
      g_task_return_pointer (task, g_steal_pointer (&exchange->replies),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  touch (self);
  read_replies (self, task);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = g_task_get_source_object (task);
  Exchange *exchange = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_autofree char *doing = g_strdup_printf ("waiting for %s", exchange->what);

      return_io_error (self, task, error, doing);
      return;
    }
  if (self->error != NULL)
    {
      return_error (self, task, NULL);
      return;
    }
  if (n == 0)
    {
      return_error (self, task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_CLOSED,
                                             "The server %s closed the connection (waiting "
                                             "for %s)", host (self), exchange->what));
      return;
    }

  g_byte_array_append (self->inbuf, self->read_buffer, n);
  touch (self);
  read_replies (self, task);
}

/* Parses what was read up to the end of the replies wanted; reads more when that is not
 * enough. */
static void
read_replies (HeronSmtpConnection *self,
              GTask               *task)
{
  Exchange *exchange = g_task_get_task_data (task);

  while (exchange->replies->len < exchange->n_replies)
    {
      g_autoptr(GError) error = NULL;
      HeronSmtpReply *reply = NULL;
      gsize consumed;

      if (self->inpos == self->inbuf->len)
        {
          g_byte_array_set_size (self->inbuf, 0);
          self->inpos = 0;
          g_input_stream_read_async (self->input, self->read_buffer, READ_CHUNK,
                                     G_PRIORITY_DEFAULT, self->cancellable, on_read, task);
          return;
        }

      consumed = heron_smtp_reply_parser_feed (self->parser, self->inbuf->data + self->inpos,
                                               self->inbuf->len - self->inpos, &reply, &error);
      self->inpos += consumed;
      if (error != NULL)
        {
          return_error (self, task,
                        g_error_new (HERON_SMTP_ERROR, error->code,
                                     "The server %s sent %s (waiting for %s)", host (self),
                                     error->code == HERON_SMTP_ERROR_LIMIT ?
                                     "too much" : "something that is not SMTP",
                                     exchange->what));
          g_debug ("Invalid reply from %s: %s", host (self), error->message);
          return;
        }
      if (reply == NULL)
        continue;

      {
        g_autofree char *shown = heron_smtp_reply_to_string (reply);

        g_debug ("S: %s", shown);
      }

      g_ptr_array_add (exchange->replies, reply);

      /* RFC 5321 section 3.8: 421 may come in answer to anything; the server closes. */
      if (heron_smtp_reply_get_code (reply) == 421)
        {
          g_autofree char *shown = heron_smtp_reply_to_string (reply);

          return_error (self, task,
                        _heron_smtp_error_new_reply (HERON_SMTP_ERROR_SERVICE_UNAVAILABLE, reply,
                                                     "The server %s is closing the connection: "
                                                     "%s", host (self), shown));
          return;
        }
    }

  disarm (self);
  self->busy = FALSE;
  g_task_return_pointer (task, g_steal_pointer (&exchange->replies),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

void
_heron_smtp_connection_exchange_async (HeronSmtpConnection *self,
                                       const char          *text,
                                       const char          *log,
                                       guint                n_replies,
                                       guint                timeout_ms,
                                       const char          *what,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;
  Exchange *exchange;
  g_autofree char *limit = NULL;

  g_return_if_fail (HERON_SMTP_IS_CONNECTION (self));
  g_return_if_fail (text != NULL || n_replies > 0);
  g_return_if_fail (what != NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, _heron_smtp_connection_exchange_async);

  exchange = g_new0 (Exchange, 1);
  exchange->n_replies = n_replies;
  exchange->timeout_ms = timeout_ms;
  exchange->what = g_strdup (what);
  exchange->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_smtp_reply_unref);
  g_task_set_task_data (task, exchange, exchange_free);

  if (self->error != NULL || self->input == NULL)
    {
      if (self->error == NULL)
        _heron_smtp_connection_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                                                "The connection is not open"));
      g_task_return_error (task, g_error_copy (self->error));
      g_object_unref (task);
      return;
    }

  g_assert (!self->busy);
  self->busy = TRUE;

  limit = format_ms (timeout_ms);
  arm (self, timeout_ms, g_strdup_printf ("The server %s did not answer within %s (waiting for %s)",
                                          host (self), limit, what));

  if (text == NULL)
    {
      read_replies (self, task);
      return;
    }

  log_lines ("C: ", log != NULL ? log : text);
  exchange->text = g_strdup (text);
  g_output_stream_write_all_async (self->output, exchange->text, strlen (exchange->text),
                                   G_PRIORITY_DEFAULT, self->cancellable, on_exchange_written,
                                   task);
}

GPtrArray *
_heron_smtp_connection_exchange_finish (HeronSmtpConnection  *self,
                                        GAsyncResult         *result,
                                        GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* DATA */

typedef struct {
  GInputStream *message;
  gboolean allow_8bit;
  HeronSmtpDataEncoder encoder;
  guint8 *chunk;
  GByteArray *out;
  gboolean ended;
  HeronSmtpBeforeEndFunc before_end;
  gpointer before_end_data;
} Data;

static void
data_free (gpointer user_data)
{
  Data *data = user_data;

  g_clear_object (&data->message);
  g_free (data->chunk);
  g_byte_array_unref (data->out);
  g_free (data);
}

static void read_message (HeronSmtpConnection *self,
                          GTask               *task);

static void
on_data_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = g_task_get_source_object (task);
  Data *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      return_io_error (self, task, error, "sending the message");
      return;
    }
  if (self->error != NULL)
    {
      return_error (self, task, NULL);
      return;
    }

  touch (self);
  if (!data->ended)
    {
      read_message (self, task);
      return;
    }

  g_debug ("C: <%" G_GUINT64_FORMAT " bytes of message data, sent as %" G_GUINT64_FORMAT ">",
           heron_smtp_data_encoder_get_in (&data->encoder),
           heron_smtp_data_encoder_get_out (&data->encoder));
  disarm (self);
  self->busy = FALSE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_message_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = g_task_get_source_object (task);
  Data *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (self->error != NULL)
    {
      return_error (self, task, NULL);
      return;
    }
  if (n < 0)
    {
      /* Our side: the end of the message is never written, so the server drops it. */
      return_error (self, task, g_error_new (error->domain, error->code,
                                             "The message could not be read: %s",
                                             error->message));
      return;
    }

  g_byte_array_set_size (data->out, 0);
  if (n == 0)
    {
      /* Everything but the end went out: the last point where the message is surely not
       * taken. The caller records that it is about to end it (or gives up: the end is never
       * written, so the server drops the message). */
      if (data->before_end != NULL && !data->before_end (data->before_end_data, &error))
        {
          return_error (self, task, g_steal_pointer (&error));
          return;
        }
      heron_smtp_data_encoder_finish (&data->encoder, data->out);
      data->ended = TRUE;
    }
  else
    {
      heron_smtp_data_encoder_feed (&data->encoder, data->chunk, n, data->out);
      if (!data->allow_8bit && heron_smtp_data_encoder_saw_8bit (&data->encoder))
        {
          return_error (self, task,
                        g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED,
                                     "The message contains 8-bit data, and it may not be sent "
                                     "as such to %s (as 7-bit data, or without 8BITMIME); it "
                                     "was not sent", host (self)));
          return;
        }
    }

  g_output_stream_write_all_async (self->output, data->out->data, data->out->len,
                                   G_PRIORITY_DEFAULT, self->cancellable, on_data_written, task);
}

static void
read_message (HeronSmtpConnection *self,
              GTask               *task)
{
  Data *data = g_task_get_task_data (task);

  g_input_stream_read_async (data->message, data->chunk, HERON_SMTP_DATA_CHUNK,
                             G_PRIORITY_DEFAULT, self->cancellable, on_message_read, task);
}

void
_heron_smtp_connection_send_data_async (HeronSmtpConnection *self,
                                        GInputStream        *message,
                                        gboolean             allow_8bit,
                                        HeronSmtpBeforeEndFunc before_end,
                                        gpointer             before_end_data,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *limit = NULL;
  GTask *task;
  Data *data;

  g_return_if_fail (HERON_SMTP_IS_CONNECTION (self));
  g_return_if_fail (G_IS_INPUT_STREAM (message));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, _heron_smtp_connection_send_data_async);

  if (self->error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->error));
      g_object_unref (task);
      return;
    }

  data = g_new0 (Data, 1);
  data->message = g_object_ref (message);
  data->allow_8bit = allow_8bit;
  data->before_end = before_end;
  data->before_end_data = before_end_data;
  heron_smtp_data_encoder_init (&data->encoder);
  data->chunk = g_malloc (HERON_SMTP_DATA_CHUNK);
  data->out = g_byte_array_sized_new (HERON_SMTP_DATA_CHUNK * HERON_SMTP_DATA_EXPANSION +
                                      HERON_SMTP_DATA_SLACK);
  g_task_set_task_data (task, data, data_free);

  g_assert (!self->busy);
  self->busy = TRUE;

  limit = format_ms (self->settings->data_timeout_ms);
  arm (self, self->settings->data_timeout_ms,
       g_strdup_printf ("The server %s took no data for %s while the message was being sent",
                        host (self), limit));
  read_message (self, task);
}

gboolean
_heron_smtp_connection_send_data_finish (HeronSmtpConnection  *self,
                                         GAsyncResult         *result,
                                         GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Opening */

static gboolean
plaintext_allowed (HeronSmtpConnection *self)
{
  return self->settings->allow_plaintext && self->peer_is_loopback;
}

static void
set_streams (HeronSmtpConnection *self,
             GIOStream           *stream)
{
  g_set_object (&self->input, g_io_stream_get_input_stream (stream));
  g_set_object (&self->output, g_io_stream_get_output_stream (stream));
}

static char *
default_ehlo_name (HeronSmtpConnection *self)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *address = NULL;
  GInetAddress *inet;

  local = g_socket_connection_get_local_address (self->socket_connection, NULL);
  if (local == NULL || !G_IS_INET_SOCKET_ADDRESS (local))
    return g_strdup ("localhost");

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  address = g_inet_address_to_string (inet);
  /* RFC 5321 section 4.1.3: address literals. */
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[IPv6:%s]", address);
  return g_strdup_printf ("[%s]", address);
}

static gboolean
valid_ehlo_name (const char *name)
{
  if (name[0] == '\0' || strlen (name) > 255)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || (guchar) *p >= 0x7f)
      return FALSE;
  return TRUE;
}

/* The keywords of an EHLO reply (RFC 5321 section 4.1.1.1): the first line is the server's
 * name, each other line a keyword and its parameters. "AUTH=PLAIN LOGIN" is an old spelling of
 * AUTH some servers still send besides the right one. */
static void
set_extensions (HeronSmtpConnection  *self,
                HeronSmtpReply       *ehlo)
{
  const char * const *lines = heron_smtp_reply_get_lines (ehlo);

  g_hash_table_remove_all (self->extensions);
  g_ptr_array_set_size (self->extension_lines, 0);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *end = line;
      g_autofree char *keyword = NULL;
      const char *params;

      while (*end != '\0' && *end != ' ' && *end != '=')
        end++;
      if (end == line)
        continue;
      keyword = g_ascii_strup (line, end - line);
      params = end;
      while (*params == ' ' || *params == '=')
        params++;

      g_ptr_array_add (self->extension_lines, g_strdup (line));
      if (!g_hash_table_contains (self->extensions, keyword))
        g_hash_table_insert (self->extensions, g_steal_pointer (&keyword), g_strdup (params));
    }
}

static void on_handshake (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data);
static void on_greeting  (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data);
static void on_ehlo      (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
start_handshake (HeronSmtpConnection *self,
                 GTask               *task)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *limit = NULL;
  GTlsClientConnection *tls;

  tls = heron_tls_policy_wrap (self->tls_policy, G_IO_STREAM (self->socket_connection),
                               self->settings->port, self->settings->tls_database, &error);
  if (tls == NULL)
    {
      return_error (self, task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_TLS,
                                             "TLS is not available: %s", error->message));
      return;
    }
  self->tls = G_TLS_CONNECTION (tls);

  limit = format_ms (self->settings->connect_timeout_ms);
  arm (self, self->settings->connect_timeout_ms,
       g_strdup_printf ("The TLS handshake with %s did not finish within %s", host (self), limit));
  g_tls_connection_handshake_async (self->tls, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_handshake, task);
}

static void
send_ehlo (HeronSmtpConnection *self,
           GTask               *task)
{
  g_autofree char *name = NULL;
  g_autofree char *line = NULL;

  name = self->settings->ehlo_name != NULL ? g_strdup (self->settings->ehlo_name)
                                           : default_ehlo_name (self);
  if (!valid_ehlo_name (name))
    {
      return_error (self, task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_INVALID,
                                             "“%s” cannot be said in EHLO: it must be a host "
                                             "name or an address literal", name));
      return;
    }

  line = g_strdup_printf ("EHLO %s\r\n", name);
  self->busy = FALSE;
  _heron_smtp_connection_exchange_async (self, line, NULL, 1, self->settings->command_timeout_ms,
                                         "the reply to EHLO", on_ehlo, task);
}

static void
opened (HeronSmtpConnection *self,
        GTask               *task)
{
  g_debug ("Connected to %s port %u (%s)", host (self), self->settings->port,
           self->tls != NULL ? "TLS" : "plain text");
  self->busy = FALSE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GError *failure = NULL;
  gboolean ok;

  ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);
  disarm (self);

  if (self->error != NULL)
    {
      return_error (self, task, NULL);
      return;
    }

  if (!heron_tls_policy_check_handshake (self->tls_policy, ok, error, HERON_SMTP_ERROR,
                                         HERON_SMTP_ERROR_TLS, HERON_SMTP_ERROR_CERTIFICATE,
                                         &failure))
    {
      if (g_error_matches (failure, HERON_SMTP_ERROR, HERON_SMTP_ERROR_CERTIFICATE))
        _heron_smtp_error_set_certificate (failure,
                                           heron_tls_policy_get_peer_certificate (self->tls_policy),
                                           heron_tls_policy_get_peer_errors (self->tls_policy));
      return_error (self, task, failure);
      return;
    }

  g_debug ("TLS is up with %s", host (self));
  set_streams (self, G_IO_STREAM (self->tls));

  /* Implicit TLS: the greeting comes now. After STARTTLS: EHLO again. */
  if (self->settings->security == HERON_SMTP_SECURITY_TLS)
    {
      self->busy = FALSE;
      _heron_smtp_connection_exchange_async (self, NULL, NULL, 1,
                                             self->settings->command_timeout_ms,
                                             "the greeting", on_greeting, task);
    }
  else
    send_ehlo (self, task);
}

static void
on_starttls (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = HERON_SMTP_CONNECTION (source);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  HeronSmtpReply *reply;
  g_autofree char *shown = NULL;
  gsize rest;

  self->busy = TRUE;
  replies = _heron_smtp_connection_exchange_finish (self, result, &error);
  if (replies == NULL)
    {
      return_error (self, task, NULL);
      return;
    }

  reply = g_ptr_array_index (replies, 0);
  if (heron_smtp_reply_get_code (reply) == 220)
    {
      /* Anything after the 220 was sent before the handshake, in the clear, where anyone could
       * have put it (CVE-2011-0411 and its kind): it is never acted on. */
      rest = self->inbuf->len - self->inpos;
      if (rest > 0)
        g_debug ("Discarding %" G_GSIZE_FORMAT " bytes received from %s after the STARTTLS "
                 "reply, before the TLS handshake", rest, host (self));
      g_byte_array_set_size (self->inbuf, 0);
      self->inpos = 0;
      heron_smtp_reply_parser_reset (self->parser);
      g_hash_table_remove_all (self->extensions);
      g_ptr_array_set_size (self->extension_lines, 0);
      g_clear_object (&self->input);
      g_clear_object (&self->output);
      start_handshake (self, task);
      return;
    }

  if (plaintext_allowed (self))
    {
      g_debug ("%s refused STARTTLS: staying in plain text on loopback, as the settings allow",
               host (self));
      opened (self, task);
      return;
    }

  shown = heron_smtp_reply_to_string (reply);
  return_error (self, task, _heron_smtp_error_new_reply (HERON_SMTP_ERROR_TLS, reply,
                                                         "The server %s refused STARTTLS: %s",
                                                         host (self), shown));
}

static void
on_ehlo (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = HERON_SMTP_CONNECTION (source);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  HeronSmtpReply *reply;

  self->busy = TRUE;
  replies = _heron_smtp_connection_exchange_finish (self, result, &error);
  if (replies == NULL)
    {
      return_error (self, task, NULL);
      return;
    }

  reply = g_ptr_array_index (replies, 0);
  if (heron_smtp_reply_get_code (reply) != 250)
    {
      g_autofree char *shown = heron_smtp_reply_to_string (reply);

      return_error (self, task, _heron_smtp_error_new_reply (HERON_SMTP_ERROR_REFUSED, reply,
                                                             "The server %s refused EHLO: %s",
                                                             host (self), shown));
      return;
    }
  set_extensions (self, reply);

  if (self->settings->security != HERON_SMTP_SECURITY_STARTTLS || self->tls != NULL)
    {
      opened (self, task);
      return;
    }

  if (g_hash_table_contains (self->extensions, "STARTTLS"))
    {
      self->busy = FALSE;
      _heron_smtp_connection_exchange_async (self, "STARTTLS\r\n", NULL, 1,
                                             self->settings->command_timeout_ms,
                                             "the reply to STARTTLS", on_starttls, task);
      return;
    }

  if (plaintext_allowed (self))
    {
      g_debug ("%s does not offer STARTTLS: staying in plain text on loopback, as the settings "
               "allow", host (self));
      opened (self, task);
      return;
    }

  return_error (self, task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_TLS,
                                         "The server %s does not offer STARTTLS, and the "
                                         "connection must be encrypted", host (self)));
}

static void
on_greeting (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = HERON_SMTP_CONNECTION (source);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  HeronSmtpReply *reply;

  self->busy = TRUE;
  replies = _heron_smtp_connection_exchange_finish (self, result, &error);
  if (replies == NULL)
    {
      return_error (self, task, NULL);
      return;
    }

  /* RFC 5321 section 3.1: 554 instead of 220 refuses the session. */
  reply = g_ptr_array_index (replies, 0);
  if (heron_smtp_reply_get_code (reply) != 220)
    {
      g_autofree char *shown = heron_smtp_reply_to_string (reply);

      return_error (self, task,
                    _heron_smtp_error_new_reply (HERON_SMTP_ERROR_SERVICE_UNAVAILABLE, reply,
                                                 "The server %s refused the connection: %s",
                                                 host (self), shown));
      return;
    }

  send_ehlo (self, task);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  HeronSmtpConnection *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  GSocket *socket;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  disarm (self);

  if (self->error != NULL)
    {
      g_clear_object (&connection);
      return_error (self, task, NULL);
      return;
    }
  if (connection == NULL)
    {
      /* GIO says "Could not connect to <host>: <why>"; the why is what is worth repeating. */
      const char *why = error->message;

      if (g_str_has_prefix (why, "Could not connect to ") && strstr (why, ": ") != NULL)
        why = strstr (why, ": ") + 2;
      return_error (self, task, g_error_new (error->domain, error->code,
                                             "Could not connect to %s port %u: %s", host (self),
                                             self->settings->port, why));
      return;
    }

  self->socket_connection = connection;
  self->peer_is_loopback = heron_net_connection_is_loopback (connection);

  socket = g_socket_connection_get_socket (connection);
  g_socket_set_keepalive (socket, TRUE);
  /* A pipelined group goes out as one write anyway; what is written is wanted now. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    {
      g_debug ("Could not set TCP_NODELAY: %s", error->message);
      g_clear_error (&error);
    }

  if (self->settings->security == HERON_SMTP_SECURITY_NONE && !plaintext_allowed (self))
    {
      return_error (self, task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_TLS,
                                             "An unencrypted connection to %s is not allowed: "
                                             "plain text is only for loopback addresses, when "
                                             "the account allows it", host (self)));
      return;
    }

  if (self->settings->security == HERON_SMTP_SECURITY_TLS)
    {
      start_handshake (self, task);
      return;
    }

  set_streams (self, G_IO_STREAM (connection));
  self->busy = FALSE;
  _heron_smtp_connection_exchange_async (self, NULL, NULL, 1, self->settings->command_timeout_ms,
                                         "the greeting", on_greeting, task);
}

void
_heron_smtp_connection_open_async (HeronSmtpConnection *self,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *limit = NULL;
  GTask *task;

  g_return_if_fail (HERON_SMTP_IS_CONNECTION (self));
  g_return_if_fail (self->client == NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, _heron_smtp_connection_open_async);

  if (self->error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->error));
      g_object_unref (task);
      return;
    }

  self->busy = TRUE;
  self->client = g_socket_client_new ();
  g_socket_client_set_timeout (self->client, 0);
  g_socket_client_set_tls (self->client, FALSE);
  if (heron_net_is_loopback_name (host (self)))
    g_socket_client_set_enable_proxy (self->client, FALSE);

  limit = format_ms (self->settings->connect_timeout_ms);
  arm (self, self->settings->connect_timeout_ms,
       g_strdup_printf ("Could not connect to %s port %u within %s", host (self),
                        self->settings->port, limit));

  g_debug ("Connecting to %s port %u", host (self), self->settings->port);
  g_socket_client_connect_to_host_async (self->client, host (self), self->settings->port,
                                         self->cancellable, on_connected, task);
}

gboolean
_heron_smtp_connection_open_finish (HeronSmtpConnection  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Getters */

const char *
_heron_smtp_connection_get_extension (HeronSmtpConnection *self,
                                      const char          *keyword)
{
  g_autofree char *upper = NULL;

  g_return_val_if_fail (HERON_SMTP_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (keyword != NULL, NULL);

  upper = g_ascii_strup (keyword, -1);
  return g_hash_table_lookup (self->extensions, upper);
}

GStrv
_heron_smtp_connection_dup_extensions (HeronSmtpConnection *self)
{
  GStrvBuilder *builder;
  GStrv strv;

  g_return_val_if_fail (HERON_SMTP_IS_CONNECTION (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->extension_lines->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->extension_lines, i));
  strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return strv;
}

gboolean
_heron_smtp_connection_is_tls (HeronSmtpConnection *self)
{
  g_return_val_if_fail (HERON_SMTP_IS_CONNECTION (self), FALSE);

  return self->tls != NULL && self->input == g_io_stream_get_input_stream (G_IO_STREAM (self->tls));
}

GTlsCertificate *
_heron_smtp_connection_get_certificate_to_pin (HeronSmtpConnection *self)
{
  g_return_val_if_fail (HERON_SMTP_IS_CONNECTION (self), NULL);

  return heron_tls_policy_get_certificate_to_pin (self->tls_policy);
}
