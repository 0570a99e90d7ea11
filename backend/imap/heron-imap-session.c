/* heron-imap-session.c: the session object, the plumbing every command uses, IDLE, NOOP,
 * CAPABILITY, COMPRESS, LOGOUT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connecting and logging in are in heron-imap-session-login.c.
 */

#include "config.h"

#include <string.h>

#include "heron-imap-session-private.h"

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  SIGNAL_MAILBOX_EVENT,
  SIGNAL_ALERT,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HeronImapSession, heron_imap_session, G_TYPE_OBJECT)

/* What IMAP4rev2 includes (RFC 9051 section 1 and appendix E). */
static const char * const rev2_capabilities[] = {
  "NAMESPACE", "UNSELECT", "UIDPLUS", "ESEARCH", "SEARCHRES", "ENABLE", "IDLE", "SASL-IR",
  "LIST-EXTENDED", "LIST-STATUS", "MOVE", "LITERAL-", "BINARY", "SPECIAL-USE", "STATUS=SIZE",
  "CHILDREN", NULL,
};

static void send_done        (HeronImapSession *self,
                              gboolean          refresh);
static void stop_idle_timer  (HeronImapSession *self);
static void stop_idle_cancel (HeronImapSession *self);

/* Settings */

void
_heron_imap_wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  for (volatile char *p = secret; *p != '\0'; p++)
    *p = '\0';
  g_free (secret);
}

void
heron_imap_session_settings_init (HeronImapSessionSettings *settings)
{
  g_return_if_fail (settings != NULL);

  memset (settings, 0, sizeof *settings);
  heron_imap_connection_settings_init (&settings->connection);
  settings->mechanism = HERON_IMAP_AUTH_AUTO;
  settings->send_id = TRUE;
  settings->enable_qresync = TRUE;
  settings->enable_utf8 = TRUE;
  settings->enable_imap4rev2 = TRUE;
  settings->idle_refresh_ms = HERON_IMAP_DEFAULT_IDLE_REFRESH_MS;
}

void
heron_imap_session_settings_clear (HeronImapSessionSettings *settings)
{
  g_return_if_fail (settings != NULL);

  heron_imap_connection_settings_clear (&settings->connection);
  g_clear_pointer (&settings->user, g_free);
  g_clear_pointer (&settings->password, _heron_imap_wipe_free);
  g_clear_object (&settings->token_provider);
  g_clear_pointer (&settings->id, g_strfreev);
}

void
heron_imap_session_settings_copy (const HeronImapSessionSettings *src,
                                  HeronImapSessionSettings       *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  if (src == dest)
    return;

  *dest = *src;
  heron_imap_connection_settings_copy (&src->connection, &dest->connection);
  dest->user = g_strdup (src->user);
  dest->password = g_strdup (src->password);
  if (dest->token_provider != NULL)
    g_object_ref (dest->token_provider);
  dest->id = g_strdupv (src->id);
}

/* Results */

void
heron_imap_select_result_free (HeronImapSelectResult *result)
{
  if (result == NULL)
    return;

  g_free (result->mailbox);
  g_strfreev (result->flags);
  g_strfreev (result->permanent_flags);
  g_clear_pointer (&result->vanished, heron_imap_uid_set_free);
  g_clear_pointer (&result->changed, g_ptr_array_unref);
  g_free (result);
}

void
heron_imap_copy_result_free (HeronImapCopyResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->source, g_array_unref);
  g_clear_pointer (&result->destination, g_array_unref);
  g_free (result);
}

guint32
heron_imap_copy_result_lookup (const HeronImapCopyResult *result,
                               guint32                    source_uid)
{
  guint64 position = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (result != NULL, 0);

  if (result->source == NULL || result->destination == NULL)
    return 0;

  /* The position of source_uid in the source list, counting each range in the server's order
   * (RFC 4315: the sets pair up in that order). */
  for (guint i = 0; i < result->source->len; i++)
    {
      const HeronImapRange *range = &g_array_index (result->source, HeronImapRange, i);

      if (source_uid >= range->first && source_uid <= range->last)
        {
          position += source_uid - range->first;
          found = TRUE;
          break;
        }
      position += (guint64) range->last - range->first + 1;
    }
  if (!found)
    return 0;

  for (guint i = 0; i < result->destination->len; i++)
    {
      const HeronImapRange *range = &g_array_index (result->destination, HeronImapRange, i);
      guint64 size = (guint64) range->last - range->first + 1;

      if (position < size)
        return range->first + (guint32) position;
      position -= size;
    }

  return 0;
}

void
_heron_imap_ranges_add_to_set (const HeronImapRanges *ranges,
                               HeronImapUidSet       *set)
{
  for (guint i = 0; i < ranges->n_ranges; i++)
    heron_imap_uid_set_add_range (set, ranges->ranges[i].first, ranges->ranges[i].last);
}

/* The object */

static void
heron_imap_session_dispose (GObject *object)
{
  HeronImapSession *self = HERON_IMAP_SESSION (object);

  stop_idle_timer (self);
  stop_idle_cancel (self);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      heron_imap_connection_close (self->connection);
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (heron_imap_session_parent_class)->dispose (object);
}

static void
heron_imap_session_finalize (GObject *object)
{
  HeronImapSession *self = HERON_IMAP_SESSION (object);

  heron_imap_session_settings_clear (&self->settings);
  g_clear_error (&self->error);
  g_clear_pointer (&self->enabled, g_ptr_array_unref);
  g_clear_pointer (&self->namespace_, heron_imap_response_unref);
  g_clear_pointer (&self->server_id, heron_imap_response_unref);
  g_clear_pointer (&self->selected, g_free);
  g_clear_pointer (&self->idle_command, heron_imap_command_unref);
  g_clear_object (&self->idle_start_task);
  g_clear_object (&self->idle_stop_task);
  g_clear_object (&self->connect_task);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (heron_imap_session_parent_class)->finalize (object);
}

static void
heron_imap_session_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HeronImapSession *self = HERON_IMAP_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_imap_session_class_init (HeronImapSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heron_imap_session_dispose;
  object_class->finalize = heron_imap_session_finalize;
  object_class->get_property = heron_imap_session_get_property;

  /* A HeronImapSessionState. */
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL,
                       0, HERON_IMAP_SESSION_CLOSED, HERON_IMAP_SESSION_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::mailbox-event (HeronImapResponse *response): untagged data no command asked for: EXISTS,
   * EXPUNGE, VANISHED, FETCH (flags changed by another client), FLAGS, untagged OK/NO/BAD with
   * their codes, BYE. Valid during the emission; keep it with heron_imap_response_ref(). */
  signals[SIGNAL_MAILBOX_EVENT] =
    g_signal_new ("mailbox-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  /* ::alert (const char *text): an ALERT the person must see (RFC 3501 section 7.1). */
  signals[SIGNAL_ALERT] =
    g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /* ::closed (const GError *error): the session is over (failure, close or LOGOUT). */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
heron_imap_session_init (HeronImapSession *self)
{
  self->enabled = g_ptr_array_new_with_free_func (g_free);
  self->context = g_main_context_ref_thread_default ();
}

void
_heron_imap_session_set_state (HeronImapSession      *self,
                               HeronImapSessionState  state)
{
  if (self->state == state || self->state == HERON_IMAP_SESSION_CLOSED)
    return;
  self->state = state;
  if (state != HERON_IMAP_SESSION_SELECTED)
    g_clear_pointer (&self->selected, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_heron_imap_session_set_selected (HeronImapSession *self,
                                  const char       *mailbox)
{
  char *copy = g_strdup (mailbox);

  _heron_imap_session_set_state (self, HERON_IMAP_SESSION_SELECTED);
  g_free (self->selected);
  self->selected = copy;
}

static void
on_unsolicited (HeronImapConnection *connection,
                HeronImapResponse   *response,
                gpointer             user_data)
{
  HeronImapSession *self = HERON_IMAP_SESSION (user_data);

  switch (response->kind)
    {
    case HERON_IMAP_RESPONSE_CAPABILITY:
      return; /* the connection keeps them */

    case HERON_IMAP_RESPONSE_RECENT:
      /* IMAP4rev2 has no \Recent; a server speaking both may still send it. */
      if (heron_imap_session_is_imap4rev2 (self))
        return;
      break;

    default:
      break;
    }

  g_signal_emit (self, signals[SIGNAL_MAILBOX_EVENT], 0, response);
}

static void
on_alert (HeronImapConnection *connection,
          const char          *text,
          gpointer             user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_ALERT], 0, text);
}

static void
on_closed (HeronImapConnection *connection,
           const GError        *error,
           gpointer             user_data)
{
  HeronImapSession *self = HERON_IMAP_SESSION (user_data);

  g_object_ref (self);

  if (self->error == NULL)
    self->error = g_error_copy (error);
  self->idling = FALSE;
  stop_idle_timer (self);
  g_clear_pointer (&self->selected, g_free);
  if (self->state != HERON_IMAP_SESSION_CLOSED)
    {
      self->state = HERON_IMAP_SESSION_CLOSED;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, self->error);

  g_object_unref (self);
}

HeronImapSession *
heron_imap_session_new (const HeronImapSessionSettings *settings)
{
  HeronImapSession *self;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (settings->connection.host != NULL, NULL);

  self = g_object_new (HERON_IMAP_TYPE_SESSION, NULL);
  heron_imap_session_settings_copy (settings, &self->settings);
  if (self->settings.idle_refresh_ms == 0)
    self->settings.idle_refresh_ms = HERON_IMAP_DEFAULT_IDLE_REFRESH_MS;
  self->connection = heron_imap_connection_new (&settings->connection);
  g_signal_connect (self->connection, "unsolicited", G_CALLBACK (on_unsolicited), self);
  g_signal_connect (self->connection, "alert", G_CALLBACK (on_alert), self);
  g_signal_connect (self->connection, "closed", G_CALLBACK (on_closed), self);

  return self;
}

/* Getters */

HeronImapConnection *
heron_imap_session_get_connection (HeronImapSession *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), NULL);

  return self->connection;
}

HeronImapSessionState
heron_imap_session_get_state (HeronImapSession *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), HERON_IMAP_SESSION_CLOSED);

  return self->state;
}

const GError *
heron_imap_session_get_error (HeronImapSession *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), NULL);

  return self->error;
}

gboolean
heron_imap_session_is_enabled (HeronImapSession *self,
                               const char       *extension)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (extension != NULL, FALSE);

  for (guint i = 0; i < self->enabled->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->enabled, i), extension) == 0)
      return TRUE;

  return FALSE;
}

gboolean
heron_imap_session_is_imap4rev2 (HeronImapSession *self)
{
  return heron_imap_session_is_enabled (self, "IMAP4rev2");
}

gboolean
heron_imap_session_has_capability (HeronImapSession *self,
                                   const char       *capability)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  if (heron_imap_connection_has_capability (self->connection, capability))
    return TRUE;

  if (heron_imap_session_is_imap4rev2 (self))
    for (guint i = 0; rev2_capabilities[i] != NULL; i++)
      if (g_ascii_strcasecmp (rev2_capabilities[i], capability) == 0)
        return TRUE;

  return FALSE;
}

HeronImapAuthMechanism
heron_imap_session_get_auth_mechanism (HeronImapSession *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), HERON_IMAP_AUTH_AUTO);

  return self->mechanism;
}

HeronImapResponse *
heron_imap_session_get_namespace (HeronImapSession *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), NULL);

  return self->namespace_;
}

HeronImapResponse *
heron_imap_session_get_server_id (HeronImapSession *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), NULL);

  return self->server_id;
}

const char *
heron_imap_session_get_selected (HeronImapSession *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), NULL);

  return self->selected;
}

gboolean
heron_imap_session_is_idling (HeronImapSession *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), FALSE);

  return self->idling;
}

HeronImapCommandFlags
_heron_imap_session_command_flags (HeronImapSession *self)
{
  HeronImapCommandFlags flags = 0;

  if (heron_imap_session_is_enabled (self, "UTF8=ACCEPT") || heron_imap_session_is_imap4rev2 (self))
    flags |= HERON_IMAP_COMMAND_UTF8_ACCEPT;
  if (heron_imap_connection_has_capability (self->connection, "SASL-IR") ||
      heron_imap_connection_has_capability (self->connection, "IMAP4rev2"))
    flags |= HERON_IMAP_COMMAND_SASL_IR;

  return flags;
}

/* Operations */

Op *
_heron_imap_session_op_new (HeronImapSession *self)
{
  Op *op = g_new0 (Op, 1);

  op->session = self;
  return op;
}

void
_heron_imap_session_op_free (Op *op)
{
  if (op == NULL)
    return;

  g_clear_error (&op->error);
  g_clear_pointer (&op->uids, heron_imap_uid_set_free);
  g_clear_pointer (&op->mailbox, g_free);
  g_clear_pointer (&op->sasl, heron_imap_sasl_free);
  g_clear_pointer (&op->command, heron_imap_command_unref);
  g_clear_pointer (&op->select, heron_imap_select_result_free);
  g_clear_pointer (&op->vanished, heron_imap_uid_set_free);
  g_clear_pointer (&op->modified, heron_imap_uid_set_free);
  g_clear_pointer (&op->copy, heron_imap_copy_result_free);
  g_clear_pointer (&op->responses, g_ptr_array_unref);
  g_clear_pointer (&op->response, heron_imap_response_unref);
  g_clear_pointer (&op->search, heron_imap_uid_set_free);
  g_free (op);
}

GTask *
_heron_imap_session_task_new (HeronImapSession    *self,
                              gpointer             source_tag,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, _heron_imap_session_op_new (self),
                        (GDestroyNotify) _heron_imap_session_op_free);
  return task;
}

gboolean
_heron_imap_session_check_ready (HeronImapSession *self,
                                 GTask            *task,
                                 gboolean          need_selected)
{
  if (self->state == HERON_IMAP_SESSION_CLOSED || self->state == HERON_IMAP_SESSION_LOGOUT)
    {
      g_task_return_error (task, self->error != NULL ? g_error_copy (self->error) :
                           g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                "The session is closed"));
      return FALSE;
    }
  if (self->state != HERON_IMAP_SESSION_AUTHENTICATED && self->state != HERON_IMAP_SESSION_SELECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "The session is not logged in");
      return FALSE;
    }
  if (self->idle_command != NULL)
    {
      g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                               "The session is in IDLE: stop it before sending commands");
      return FALSE;
    }
  if (need_selected && self->state != HERON_IMAP_SESSION_SELECTED)
    {
      g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                               "No mailbox is selected");
      return FALSE;
    }
  return TRUE;
}

gboolean
_heron_imap_session_require (HeronImapSession *self,
                             GTask            *task,
                             const char       *capability,
                             const char       *what)
{
  if (heron_imap_session_has_capability (self, capability))
    return TRUE;

  g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                           "The server does not offer %s, which %s needs", capability, what);
  return FALSE;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;
  HeronImapResponse *tagged;

  tagged = heron_imap_connection_send_finish (HERON_IMAP_CONNECTION (source), result, &error);

  if (tagged != NULL)
    {
      if (tagged->status.condition == HERON_IMAP_CONDITION_OK)
        {
          if (op->tagged != NULL)
            op->tagged (op, tagged);
        }
      else
        {
          if (op->failed != NULL)
            op->failed (op, tagged);
          heron_imap_check_tagged (tagged, &error);
          if (op->auth && tagged->status.condition == HERON_IMAP_CONDITION_NO)
            error->code = HERON_IMAP_ERROR_AUTH;
          if (op->tolerate_no)
            {
              g_debug ("Ignoring a refusal: %s", error->message);
              g_clear_error (&error);
            }
        }
      heron_imap_response_unref (tagged);
    }

  if (error != NULL)
    {
      if (op->error == NULL)
        op->error = error;
      else
        g_error_free (error);
    }

  g_assert (op->pending > 0);
  if (--op->pending == 0)
    {
      if (op->error != NULL)
        g_task_return_error (task, g_steal_pointer (&op->error));
      else if (op->finish != NULL)
        op->finish (task, op);
      else
        g_task_return_boolean (task, TRUE);
    }

  g_object_unref (task);
}

void
_heron_imap_session_send (HeronImapSession        *self,
                          GTask                   *task,
                          HeronImapCommand        *command,
                          HeronImapSendFlags       flags,
                          const HeronImapHandlers *handlers)
{
  Op *op = g_task_get_task_data (task);

  op->pending++;
  heron_imap_connection_send_async (self->connection, command, flags, handlers, op,
                                    g_task_get_cancellable (task), on_sent, g_object_ref (task));
}

/* The FETCH responses of the operation's UIDs, and their body sections. */

gboolean
_heron_imap_op_claim_fetch (const HeronImapResponse *response,
                            gpointer                 user_data)
{
  Op *op = user_data;

  if (response->kind != HERON_IMAP_RESPONSE_FETCH)
    return TRUE;
  if (response->fetch.uid == 0)
    return FALSE;
  if (op->uids == NULL || heron_imap_uid_set_has_star (op->uids))
    return TRUE;
  return heron_imap_uid_set_contains (op->uids, response->fetch.uid);
}

static void
op_fetch_untagged (HeronImapResponse *response,
                   gpointer           user_data)
{
  Op *op = user_data;

  if (response->kind == HERON_IMAP_RESPONSE_VANISHED)
    {
      if (op->vanished == NULL)
        op->vanished = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
      _heron_imap_ranges_add_to_set (&response->vanished.uids, op->vanished);
      return;
    }

  if (op->fetch_func != NULL)
    op->fetch_func (response, op->fetch_data);
}

static gboolean
op_body_begin (const HeronImapBodyInfo *info,
               gpointer                 user_data,
               GError                 **error)
{
  Op *op = user_data;

  return op->body->begin (info, op->body_data, error);
}

static gboolean
op_body_chunk (const guint8 *data,
               gsize         len,
               gpointer      user_data,
               GError      **error)
{
  Op *op = user_data;

  return op->body->chunk (data, len, op->body_data, error);
}

static gboolean
op_body_end (gpointer   user_data,
             GError   **error)
{
  Op *op = user_data;

  return op->body->end (op->body_data, error);
}

static const HeronImapBodyConsumer op_body_consumer = {
  op_body_begin,
  op_body_chunk,
  op_body_end,
};

static gboolean
op_claim_fetch_or_vanished (const HeronImapResponse *response,
                            gpointer                 user_data)
{
  if (response->kind == HERON_IMAP_RESPONSE_VANISHED)
    return response->vanished.earlier;
  return _heron_imap_op_claim_fetch (response, user_data);
}

const HeronImapHandlers _heron_imap_fetch_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_FETCH) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_VANISHED),
  .claim = op_claim_fetch_or_vanished,
  .untagged = op_fetch_untagged,
};

/* The same with the caller's body consumer. */
const HeronImapHandlers _heron_imap_fetch_body_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_FETCH) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_VANISHED),
  .claim = op_claim_fetch_or_vanished,
  .untagged = op_fetch_untagged,
  .body = &op_body_consumer,
};

/* Simple commands */

void
heron_imap_session_noop_async (HeronImapSession    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = _heron_imap_session_task_new (self, heron_imap_session_noop_async, cancellable, callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;

  command = heron_imap_command_new_noop ();
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, NULL);
}

gboolean
heron_imap_session_noop_finish (HeronImapSession  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
heron_imap_session_capability_async (HeronImapSession    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = _heron_imap_session_task_new (self, heron_imap_session_capability_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;

  _heron_imap_session_send_capability (self, task);
}

gboolean
heron_imap_session_capability_finish (HeronImapSession  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_session_compress_done (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (heron_imap_connection_compress_finish (HERON_IMAP_CONNECTION (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
heron_imap_session_compress_async (HeronImapSession    *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = _heron_imap_session_task_new (self, heron_imap_session_compress_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;

  heron_imap_connection_compress_async (self->connection, cancellable, on_session_compress_done,
                                        g_steal_pointer (&task));
}

gboolean
heron_imap_session_compress_finish (HeronImapSession  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* LOGOUT */

static void
logout_finish (GTask *task,
               Op    *op)
{
  heron_imap_connection_close (op->session->connection);
  g_task_return_boolean (task, TRUE);
}

static void
on_logout_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  HeronImapSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  /* A server that closes right after its BYE, before the tagged OK, still logged us out. */
  if (g_task_propagate_boolean (G_TASK (result), &error) ||
      g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CLOSED) ||
      g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE))
    {
      g_clear_error (&error);
      heron_imap_connection_close (self->connection);
      g_task_return_boolean (task, TRUE);
      return;
    }
  heron_imap_connection_close (self->connection);
  g_task_return_error (task, error);
}

void
heron_imap_session_logout_async (HeronImapSession    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_imap_session_logout_async);

  if (heron_imap_connection_get_state (self->connection) != HERON_IMAP_CONNECTION_CONNECTED)
    {
      heron_imap_connection_close (self->connection);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (self->idle_command != NULL)
    {
      /* End IDLE first, on the way out. */
      self->idle_refresh = FALSE;
      stop_idle_timer (self);
      if (self->idle_waiting_plus)
        self->idle_abandoned = TRUE;
      else if (!self->idle_done_sent)
        send_done (self, FALSE);
    }

  inner = _heron_imap_session_task_new (self, heron_imap_session_logout_async, cancellable,
                                        on_logout_done, g_steal_pointer (&task));
  op = g_task_get_task_data (inner);
  op->finish = logout_finish;
  command = heron_imap_command_new_logout ();
  _heron_imap_session_set_state (self, HERON_IMAP_SESSION_LOGOUT);
  _heron_imap_session_send (self, inner, command, HERON_IMAP_SEND_BARRIER, NULL);
}

gboolean
heron_imap_session_logout_finish (HeronImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
heron_imap_session_close (HeronImapSession *self)
{
  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  heron_imap_connection_close (self->connection);
}

/* IDLE
 *
 * While the caller is idling, the session re-issues IDLE every idle_refresh_ms (DONE, then IDLE
 * again when the server has answered), as RFC 2177 asks: a server may drop an IDLE older than
 * 30 minutes. The caller sees one IDLE from idle_start to idle_stop. DONE may only be sent after
 * the server's "+", so a stop that comes while a new IDLE waits for "+" is sent when it arrives. */

static void send_idle (HeronImapSession *self);

static void
send_done (HeronImapSession *self,
           gboolean          refresh)
{
  g_autoptr(HeronImapCommand) done = heron_imap_command_new_done ();

  self->idle_done_sent = TRUE;
  self->idle_refresh = refresh;
  heron_imap_connection_send_continuation (self->connection, self->idle_command, done);
}

static gboolean
on_idle_refresh (gpointer user_data)
{
  HeronImapSession *self = HERON_IMAP_SESSION (user_data);

  g_clear_pointer (&self->idle_timer, g_source_unref);
  if (self->idle_command != NULL && !self->idle_waiting_plus && !self->idle_done_sent)
    {
      g_debug ("Re-issuing IDLE after %u s", self->settings.idle_refresh_ms / 1000);
      send_done (self, TRUE);
    }
  return G_SOURCE_REMOVE;
}

static void
stop_idle_timer (HeronImapSession *self)
{
  if (self->idle_timer != NULL)
    {
      g_source_destroy (self->idle_timer);
      g_clear_pointer (&self->idle_timer, g_source_unref);
    }
}

static void
stop_idle_cancel (HeronImapSession *self)
{
  if (self->idle_cancel_source != NULL)
    {
      g_source_destroy (self->idle_cancel_source);
      g_clear_pointer (&self->idle_cancel_source, g_source_unref);
    }
}

static void
idle_continuation (HeronImapConnection *connection,
                   HeronImapCommand    *command,
                   const char          *text,
                   gpointer             user_data)
{
  HeronImapSession *self = HERON_IMAP_SESSION (user_data);
  GTask *task = g_steal_pointer (&self->idle_start_task);

  if (!self->idle_waiting_plus)
    return; /* a second "+": nothing to do */
  self->idle_waiting_plus = FALSE;

  if (self->idle_abandoned)
    {
      /* idle_start was cancelled while waiting for this "+": end it now. */
      send_done (self, FALSE);
      return;
    }
  self->idling = TRUE;

  if (self->idle_stop_task != NULL)
    send_done (self, FALSE);
  else
    {
      stop_idle_timer (self);
      self->idle_timer = g_timeout_source_new (self->settings.idle_refresh_ms);
      g_source_set_callback (self->idle_timer, on_idle_refresh, self, NULL);
      g_source_attach (self->idle_timer, self->context);
    }

  stop_idle_cancel (self);
  if (task != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static const HeronImapHandlers idle_handlers = {
  .continuation = idle_continuation,
};

static void
on_idle_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HeronImapSession) self = user_data;
  g_autoptr(HeronImapResponse) tagged = NULL;
  GError *error = NULL;
  GTask *start = g_steal_pointer (&self->idle_start_task);
  GTask *stop;

  tagged = heron_imap_connection_send_finish (HERON_IMAP_CONNECTION (source), result, &error);
  if (tagged != NULL)
    heron_imap_check_tagged (tagged, &error);

  stop_idle_timer (self);
  stop_idle_cancel (self);
  g_clear_pointer (&self->idle_command, heron_imap_command_unref);
  self->idle_waiting_plus = FALSE;
  self->idle_done_sent = FALSE;
  self->idle_abandoned = FALSE;

  if (start == NULL && error == NULL && self->idle_refresh && self->idle_stop_task == NULL &&
      heron_imap_connection_get_state (self->connection) == HERON_IMAP_CONNECTION_CONNECTED)
    {
      self->idle_refresh = FALSE;
      send_idle (self);
      return;
    }

  self->idle_refresh = FALSE;
  self->idling = FALSE;
  stop = g_steal_pointer (&self->idle_stop_task);

  if (start != NULL)
    {
      /* Refused, or the connection failed, before "+". */
      g_task_return_error (start, error != NULL ? g_error_copy (error) :
                           g_error_new_literal (HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                                                "IDLE ended before it started"));
      g_object_unref (start);
    }
  if (stop != NULL)
    {
      if (error != NULL)
        g_task_return_error (stop, g_error_copy (error));
      else
        g_task_return_boolean (stop, TRUE);
      g_object_unref (stop);
    }
  g_clear_error (&error);
}

static void
send_idle (HeronImapSession *self)
{
  self->idle_command = heron_imap_command_new_idle ();
  self->idle_waiting_plus = TRUE;
  heron_imap_connection_send_async (self->connection, self->idle_command, HERON_IMAP_SEND_BARRIER,
                                    &idle_handlers, self, NULL, on_idle_done, g_object_ref (self));
}

/* idle_start cancelled before "+": it fails with G_IO_ERROR_CANCELLED, and the IDLE on the wire
 * ends as soon as the server allows a DONE. */
static gboolean
on_idle_start_cancelled (GCancellable *cancellable,
                         gpointer      user_data)
{
  HeronImapSession *self = HERON_IMAP_SESSION (user_data);
  GTask *task = g_steal_pointer (&self->idle_start_task);

  stop_idle_cancel (self);
  if (task == NULL)
    return G_SOURCE_REMOVE;

  self->idle_abandoned = TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "IDLE was cancelled");
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

void
heron_imap_session_idle_start_async (HeronImapSession    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = _heron_imap_session_task_new (self, heron_imap_session_idle_start_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE) ||
      !_heron_imap_session_require (self, task, "IDLE", "IDLE"))
    return;

  self->idle_start_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      self->idle_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->idle_cancel_source, G_SOURCE_FUNC (on_idle_start_cancelled),
                             self, NULL);
      g_source_attach (self->idle_cancel_source, self->context);
    }
  send_idle (self);
}

gboolean
heron_imap_session_idle_start_finish (HeronImapSession  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
heron_imap_session_idle_stop_async (HeronImapSession    *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_imap_session_idle_stop_async);

  if (self->idle_command == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->idle_start_task != NULL || self->idle_stop_task != NULL)
    {
      g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                               self->idle_stop_task != NULL ? "IDLE is already stopping" :
                               "IDLE has not started yet");
      return;
    }

  self->idle_stop_task = g_steal_pointer (&task);
  stop_idle_timer (self);
  self->idle_refresh = FALSE;
  /* Before "+" (a refresh's new IDLE), DONE goes when it comes; after a refresh's DONE, the
   * answer to it ends the IDLE. */
  if (!self->idle_waiting_plus && !self->idle_done_sent)
    send_done (self, FALSE);
}

gboolean
heron_imap_session_idle_stop_finish (HeronImapSession  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
