/* heron-script-server.c: the scripted loopback server (see heron-script-server.h): creating
 * and freeing it, the steps, waiting, the transcript. The steps run in
 * heron-script-server-run.c, on the server's thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-script-server-private.h"

#include <string.h>

G_DEFINE_QUARK (heron-script-server-error-quark, heron_script_server_error)

/* Steps */

void
_heron_script_server_step_free (gpointer data)
{
  Step *step = data;

  g_free (step->text);
  g_clear_pointer (&step->bytes, g_bytes_unref);
  g_free (step);
}

char *
_heron_script_server_describe_step (const Step *step)
{
  g_autofree char *text = NULL;

  if (step->text != NULL)
    text = _heron_script_server_escape (step->text, strlen (step->text), 80);

  switch (step->kind)
    {
    case STEP_SEND:
      return g_strdup_printf ("send \"%s\"", text);
    case STEP_SEND_BYTES:
      {
        gsize len = 0;
        const guint8 *data = g_bytes_get_data (step->bytes, &len);
        g_autofree char *shown = _heron_script_server_escape (data, len, 80);

        return g_strdup_printf ("send_bytes \"%s\"", shown);
      }
    case STEP_SEND_GENERATED:
      return g_strdup_printf ("send_generated %" G_GUINT64_FORMAT " bytes of \"%s\"",
                              step->size, text);
    case STEP_SEND_GENERATED_UNTIL_CLOSE:
      return g_strdup_printf ("send_generated_until_close %" G_GUINT64_FORMAT " bytes of \"%s\"",
                              step->size, text);
    case STEP_EXPECT:
      return g_strdup_printf ("expect \"%s\"", text);
    case STEP_EXPECT_DATA:
      return g_strdup_printf ("expect_data \"%s\"", text);
    case STEP_EXPECT_LITERAL:
      return g_strdup_printf ("expect_literal %" G_GUINT64_FORMAT " bytes", step->size);
    case STEP_START_TLS:
      return g_strdup ("start_tls");
    case STEP_IMPLICIT_TLS:
      return g_strdup ("implicit_tls");
    case STEP_TLS_REFUSED:
      return g_strdup ("expect_tls_refused");
    case STEP_SLEEP:
      return g_strdup_printf ("sleep %u ms", step->ms);
    case STEP_CLOSE:
      return g_strdup ("close");
    case STEP_DROP:
      return g_strdup ("drop");
    case STEP_HALF_CLOSE:
      return g_strdup ("half_close");
    case STEP_EXPECT_CLOSE:
      return g_strdup ("expect_close");
    case STEP_NEXT_CONNECTION:
      return g_strdup ("next_connection");
    default:
      g_assert_not_reached ();
    }
}

static void
append_step (HeronScriptServer *self,
             Step              *step)
{
  g_mutex_lock (&self->mutex);
  if (self->ended)
    {
      g_autofree char *what = _heron_script_server_describe_step (step);

      g_mutex_unlock (&self->mutex);
      g_critical ("HeronScriptServer: step %s appended after the script ended", what);
      _heron_script_server_step_free (step);
      return;
    }
  g_ptr_array_add (self->steps, step);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static Step *
step_new (StepKind kind)
{
  Step *step = g_new0 (Step, 1);

  step->kind = kind;
  return step;
}

/* The public API */

HeronScriptServer *
heron_script_server_new (GError **error)
{
  g_autoptr(HeronScriptServer) self = g_new0 (HeronScriptServer, 1);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->steps = g_ptr_array_new_with_free_func (_heron_script_server_step_free);
  self->waiters = g_ptr_array_new ();
  self->transcript = g_string_new (NULL);
  self->position = g_strdup ("not started");
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_new ();

  self->dir = g_dir_make_tmp ("heron-script-server-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  certificate = heron_script_server_make_certificate ("localhost", "DNS:localhost,IP:127.0.0.1",
                                                      2, error);
  if (certificate == NULL || !heron_script_server_set_certificate (self, certificate, error))
    return NULL;

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, error);
  if (self->listener == NULL)
    return NULL;
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_set_listen_backlog (self->listener, 16);
  if (!g_socket_bind (self->listener, address, TRUE, error) ||
      !g_socket_listen (self->listener, error))
    return NULL;
  bound = g_socket_get_local_address (self->listener, error);
  if (bound == NULL)
    return NULL;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->thread = g_thread_try_new ("heron-script-server", _heron_script_server_thread, self, error);
  if (self->thread == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

void
heron_script_server_free (HeronScriptServer *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      g_mutex_lock (&self->mutex);
      self->stopping = TRUE;
      self->ended = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);
      g_cancellable_cancel (self->cancellable);
      g_thread_join (self->thread);
    }

  /* The thread is gone (or never ran): everything is this thread's now. */
  if (self->listener != NULL)
    g_socket_close (self->listener, NULL);
  g_clear_object (&self->listener);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  /* Only a server that never started its thread can have waiters left. */
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  if (self->transcript != NULL)
    g_string_free (self->transcript, TRUE);
  g_clear_pointer (&self->position, g_free);
  g_clear_error (&self->failure);
  g_clear_object (&self->certificate);
  _heron_script_server_remove_dir (self->dir);
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->certificate_file, g_free);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

const char *
heron_script_server_get_host (HeronScriptServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return HERON_SCRIPT_SERVER_HOST;
}

guint16
heron_script_server_get_port (HeronScriptServer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

GTlsCertificate *
heron_script_server_get_certificate (HeronScriptServer *self)
{
  GTlsCertificate *certificate;

  g_return_val_if_fail (self != NULL, NULL);

  /* Only the test thread replaces it, so the pointer stays valid for the caller. */
  g_mutex_lock (&self->mutex);
  certificate = self->certificate;
  g_mutex_unlock (&self->mutex);
  return certificate;
}

const char *
heron_script_server_get_certificate_file (HeronScriptServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->certificate_file;
}

gboolean
heron_script_server_set_certificate (HeronScriptServer  *self,
                                     GTlsCertificate    *certificate,
                                     GError            **error)
{
  g_autofree char *certificate_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_object_get (certificate, "certificate-pem", &certificate_pem, "private-key-pem", &key_pem,
                NULL);
  if (key_pem == NULL)
    {
      g_set_error_literal (error, HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_FAILED,
                           "the certificate has no private key");
      return FALSE;
    }
  name = g_strdup_printf ("certificate-%u.pem", ++self->certificate_serial);
  path = g_build_filename (self->dir, name, NULL);
  if (!g_file_set_contents (path, certificate_pem, -1, error))
    return FALSE;

  g_mutex_lock (&self->mutex);
  g_set_object (&self->certificate, certificate);
  g_mutex_unlock (&self->mutex);
  g_free (self->certificate_file);
  self->certificate_file = g_steal_pointer (&path);
  return TRUE;
}

void
heron_script_server_send (HeronScriptServer *self,
                          const char        *text)
{
  Step *step;

  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL);

  step = step_new (STEP_SEND);
  step->text = g_strdup (text);
  append_step (self, step);
}

void
heron_script_server_send_bytes (HeronScriptServer *self,
                                GBytes            *bytes)
{
  Step *step;

  g_return_if_fail (self != NULL);
  g_return_if_fail (bytes != NULL);

  step = step_new (STEP_SEND_BYTES);
  step->bytes = g_bytes_ref (bytes);
  append_step (self, step);
}

void
heron_script_server_send_generated (HeronScriptServer *self,
                                    guint64            size,
                                    const char        *pattern)
{
  Step *step;

  g_return_if_fail (self != NULL);
  g_return_if_fail (pattern != NULL && *pattern != '\0');

  step = step_new (STEP_SEND_GENERATED);
  step->size = size;
  step->text = g_strdup (pattern);
  append_step (self, step);
}

void
heron_script_server_send_generated_until_close (HeronScriptServer *self,
                                                guint64            size,
                                                const char        *pattern)
{
  Step *step;

  g_return_if_fail (self != NULL);
  g_return_if_fail (pattern != NULL && *pattern != '\0');

  step = step_new (STEP_SEND_GENERATED_UNTIL_CLOSE);
  step->size = size;
  step->text = g_strdup (pattern);
  append_step (self, step);
}

static void
append_expect (HeronScriptServer *self,
               StepKind           kind,
               const char        *pattern)
{
  Step *step = step_new (kind);

  step->text = g_strdup (pattern);
  append_step (self, step);
}

void
heron_script_server_expect (HeronScriptServer *self,
                            const char        *pattern)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (pattern != NULL);

  append_expect (self, STEP_EXPECT, pattern);
}

void
heron_script_server_expect_data (HeronScriptServer *self,
                                 const char        *pattern)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (pattern != NULL);

  append_expect (self, STEP_EXPECT_DATA, pattern);
}

void
heron_script_server_expect_literal (HeronScriptServer *self,
                                    guint64            size,
                                    GBytes            *expected)
{
  Step *step;

  g_return_if_fail (self != NULL);
  g_return_if_fail (expected == NULL || g_bytes_get_size (expected) == size);

  step = step_new (STEP_EXPECT_LITERAL);
  step->size = size;
  step->bytes = expected != NULL ? g_bytes_ref (expected) : NULL;
  append_step (self, step);
}

static void
append_simple (HeronScriptServer *self,
               StepKind           kind)
{
  append_step (self, step_new (kind));
}

void
heron_script_server_start_tls (HeronScriptServer *self)
{
  g_return_if_fail (self != NULL);
  append_simple (self, STEP_START_TLS);
}

void
heron_script_server_implicit_tls (HeronScriptServer *self)
{
  gboolean first;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  first = self->steps->len == 0 ||
          ((Step *) g_ptr_array_index (self->steps, self->steps->len - 1))->kind ==
          STEP_NEXT_CONNECTION;
  g_mutex_unlock (&self->mutex);
  g_return_if_fail (first);

  append_simple (self, STEP_IMPLICIT_TLS);
}

void
heron_script_server_expect_tls_refused (HeronScriptServer *self)
{
  g_return_if_fail (self != NULL);
  append_simple (self, STEP_TLS_REFUSED);
}

void
heron_script_server_sleep (HeronScriptServer *self,
                           guint              ms)
{
  Step *step;

  g_return_if_fail (self != NULL);

  step = step_new (STEP_SLEEP);
  step->ms = ms;
  append_step (self, step);
}

void
heron_script_server_close (HeronScriptServer *self)
{
  g_return_if_fail (self != NULL);
  append_simple (self, STEP_CLOSE);
}

void
heron_script_server_drop (HeronScriptServer *self)
{
  g_return_if_fail (self != NULL);
  append_simple (self, STEP_DROP);
}

void
heron_script_server_half_close (HeronScriptServer *self)
{
  g_return_if_fail (self != NULL);
  append_simple (self, STEP_HALF_CLOSE);
}

void
heron_script_server_expect_close (HeronScriptServer *self)
{
  g_return_if_fail (self != NULL);
  append_simple (self, STEP_EXPECT_CLOSE);
}

void
heron_script_server_next_connection (HeronScriptServer *self)
{
  g_return_if_fail (self != NULL);
  append_simple (self, STEP_NEXT_CONNECTION);
}

void
heron_script_server_end (HeronScriptServer *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->ended = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

gboolean
heron_script_server_wait (HeronScriptServer  *self,
                          guint               timeout_ms,
                          GError            **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->mutex);
  self->ended = TRUE;
  g_cond_broadcast (&self->cond);
  while (!self->finished)
    {
      if (timeout_ms == 0)
        g_cond_wait (&self->cond, &self->mutex);
      else if (!g_cond_wait_until (&self->cond, &self->mutex, end))
        break;
    }
  if (!self->finished)
    {
      const char *tail = _heron_script_server_transcript_tail (self, TAIL_LINES);
      GError *timeout = g_error_new (HERON_SCRIPT_SERVER_ERROR, HERON_SCRIPT_SERVER_ERROR_TIMEOUT,
                                     "the script did not finish within %u ms; the server is at "
                                     "%s\nTranscript (last lines):\n%s", timeout_ms,
                                     self->position, tail);

      g_strchomp (timeout->message);
      g_propagate_error (error, timeout);
      ok = FALSE;
    }
  else if (self->failure != NULL)
    {
      g_propagate_error (error, g_error_copy (self->failure));
      ok = FALSE;
    }
  else
    ok = TRUE;
  g_mutex_unlock (&self->mutex);
  return ok;
}

void
heron_script_server_wait_async (HeronScriptServer   *self,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *failure = NULL;
  gboolean finished;

  g_return_if_fail (self != NULL);

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, heron_script_server_wait_async);

  g_mutex_lock (&self->mutex);
  self->ended = TRUE;
  g_cond_broadcast (&self->cond);
  finished = self->finished;
  if (finished)
    failure = self->failure != NULL ? g_error_copy (self->failure) : NULL;
  else
    g_ptr_array_add (self->waiters, g_object_ref (task));
  g_mutex_unlock (&self->mutex);

  if (finished && failure != NULL)
    g_task_return_error (task, failure);
  else if (finished)
    g_task_return_boolean (task, TRUE);
}

gboolean
heron_script_server_wait_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_script_server_wait_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
heron_script_server_get_transcript (HeronScriptServer *self)
{
  char *transcript;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->mutex);
  transcript = g_strndup (self->transcript->str, self->transcript->len);
  g_mutex_unlock (&self->mutex);
  return transcript;
}

guint64
heron_script_server_get_discarded_bytes (HeronScriptServer *self)
{
  guint64 discarded;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  discarded = self->discarded;
  g_mutex_unlock (&self->mutex);
  return discarded;
}

guint
heron_script_server_get_connections (HeronScriptServer *self)
{
  guint connections;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  connections = self->connections;
  g_mutex_unlock (&self->mutex);
  return connections;
}
