/* smtp-test-helpers.c: what the SMTP tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "smtp-test-helpers.h"

#if defined(__SANITIZE_ADDRESS__)
#define SMTP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMTP_TEST_ASAN 1
#endif
#endif

#ifdef SMTP_TEST_ASAN
#include <sanitizer/allocator_interface.h>
#endif

/* Running */

typedef struct {
  gboolean done;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
smtp_test_run_until (gboolean *flag)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (SMTP_TEST_WAIT_MS, on_timeout, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out waiting for the SMTP client");
  g_source_remove (id);
}

HeronSmtpSendResult *
smtp_test_send_bytes (HeronSmtpClient     *client,
                      const char          *from,
                      const char * const  *recipients,
                      GBytes              *message,
                      GCancellable        *cancellable,
                      GError             **error)
{
  Wait wait = { 0 };
  HeronSmtpSendResult *result;

  heron_smtp_client_send_bytes_async (client, from, recipients, message, cancellable, on_done,
                                      &wait);
  smtp_test_run_until (&wait.done);
  result = heron_smtp_client_send_finish (client, wait.result, error);
  g_object_unref (wait.result);
  return result;
}

HeronSmtpSendResult *
smtp_test_send_stream (HeronSmtpClient     *client,
                       const char          *from,
                       const char * const  *recipients,
                       GInputStream        *message,
                       goffset              size,
                       HeronSmtpBody        body,
                       GCancellable        *cancellable,
                       GError             **error)
{
  Wait wait = { 0 };
  HeronSmtpSendResult *result;

  heron_smtp_client_send_async (client, from, recipients, message, size, body, cancellable,
                                on_done, &wait);
  smtp_test_run_until (&wait.done);
  result = heron_smtp_client_send_finish (client, wait.result, error);
  g_object_unref (wait.result);
  return result;
}

GStrv
smtp_test_check (HeronSmtpClient  *client,
                 GError          **error)
{
  Wait wait = { 0 };
  GStrv extensions;

  heron_smtp_client_check_async (client, NULL, on_done, &wait);
  smtp_test_run_until (&wait.done);
  extensions = heron_smtp_client_check_finish (client, wait.result, error);
  g_object_unref (wait.result);
  return extensions;
}

gsize
smtp_test_memory_kib (void)
{
#ifdef SMTP_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes () / 1024;
#else
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  return line != NULL ? (gsize) g_ascii_strtoull (line + 6, NULL, 10) : 0;
#endif
}

/* The generated message */

#define LINE_TEXT 76  /* without the line end */

struct _SmtpTestGenerator {
  GInputStream parent_instance;

  char *headers;
  gsize headers_len;
  guint64 lines;
  guint64 size;
  guint64 position;
  gsize max_memory_kib;
  guint64 next_memory_check;
};

G_DEFINE_FINAL_TYPE (SmtpTestGenerator, smtp_test_generator, G_TYPE_INPUT_STREAM)

/* Line n of the body, LINE_TEXT bytes, into out. */
static void
generated_line (guint64  n,
                char    *out)
{
  static const char filler[] = "the quick brown fox jumps over the lazy dog 0123456789 ";
  int len = g_snprintf (out, LINE_TEXT + 1, "Line %08" G_GUINT64_FORMAT ": ", n);

  for (int i = len; i < LINE_TEXT; i++)
    out[i] = filler[(i + n) % (sizeof filler - 1)];
  if (n % 50 == 0)
    out[0] = '.';
}

static gssize
smtp_test_generator_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  SmtpTestGenerator *self = SMTP_TEST_GENERATOR (stream);
  guint8 *out = buffer;
  gsize written = 0;
  char line[LINE_TEXT + 3];

  while (written < count && self->position < self->size)
    {
      gsize offset, n;
      const char *from;

      if (self->position < self->headers_len)
        {
          offset = self->position;
          from = self->headers + offset;
          n = MIN (count - written, self->headers_len - offset);
        }
      else
        {
          guint64 body = self->position - self->headers_len;
          guint64 index = body / (LINE_TEXT + 2);

          offset = body % (LINE_TEXT + 2);
          generated_line (index, line);
          line[LINE_TEXT] = '\r';
          line[LINE_TEXT + 1] = '\n';
          from = line + offset;
          n = MIN (count - written, LINE_TEXT + 2 - offset);
        }
      memcpy (out + written, from, n);
      written += n;
      self->position += n;
    }

  if (self->position >= self->next_memory_check)
    {
      self->max_memory_kib = MAX (self->max_memory_kib, smtp_test_memory_kib ());
      self->next_memory_check = self->position + 1024 * 1024;
    }

  return written;
}

/* Reading is immediate: no thread for the default asynchronous read. */
static void
smtp_test_generator_read_async (GInputStream        *stream,
                                void                *buffer,
                                gsize                count,
                                int                  io_priority,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;
  gssize n;

  if (g_task_return_error_if_cancelled (task))
    return;
  n = smtp_test_generator_read (stream, buffer, count, cancellable, &error);
  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static gssize
smtp_test_generator_read_finish (GInputStream  *stream,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static void
smtp_test_generator_finalize (GObject *object)
{
  SmtpTestGenerator *self = SMTP_TEST_GENERATOR (object);

  g_free (self->headers);

  G_OBJECT_CLASS (smtp_test_generator_parent_class)->finalize (object);
}

static void
smtp_test_generator_class_init (SmtpTestGeneratorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = smtp_test_generator_finalize;
  stream_class->read_fn = smtp_test_generator_read;
  stream_class->read_async = smtp_test_generator_read_async;
  stream_class->read_finish = smtp_test_generator_read_finish;
}

static void
smtp_test_generator_init (SmtpTestGenerator *self)
{
}

SmtpTestGenerator *
smtp_test_generator_new (const char *message_id,
                         guint64     size)
{
  SmtpTestGenerator *self = g_object_new (SMTP_TEST_TYPE_GENERATOR, NULL);

  self->headers = g_strdup_printf ("From: Alice <alice@example.test>\r\n"
                                   "To: Bob <bob@example.test>\r\n"
                                   "Subject: A generated message\r\n"
                                   "Message-ID: <%s>\r\n"
                                   "MIME-Version: 1.0\r\n"
                                   "Content-Type: text/plain; charset=us-ascii\r\n"
                                   "\r\n", message_id);
  self->headers_len = strlen (self->headers);
  self->lines = size > self->headers_len ? (size - self->headers_len) / (LINE_TEXT + 2) : 1;
  self->size = self->headers_len + self->lines * (LINE_TEXT + 2);

  return self;
}

char *
smtp_test_generator_dup_headers (SmtpTestGenerator *self)
{
  return g_strdup (self->headers);
}

char *
smtp_test_generator_dup_body_checksum (SmtpTestGenerator *self,
                                       gboolean           lf)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  char line[LINE_TEXT + 3];

  for (guint64 i = 0; i < self->lines; i++)
    {
      generated_line (i, line);
      if (lf)
        {
          line[LINE_TEXT] = '\n';
          g_checksum_update (checksum, (const guchar *) line, LINE_TEXT + 1);
        }
      else
        {
          line[LINE_TEXT] = '\r';
          line[LINE_TEXT + 1] = '\n';
          g_checksum_update (checksum, (const guchar *) line, LINE_TEXT + 2);
        }
    }

  return g_strdup (g_checksum_get_string (checksum));
}

gsize
smtp_test_generator_get_max_memory_kib (SmtpTestGenerator *self)
{
  return self->max_memory_kib;
}

guint64
smtp_test_generator_get_size (SmtpTestGenerator *self)
{
  return self->size;
}
