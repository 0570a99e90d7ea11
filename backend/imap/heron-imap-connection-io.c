/* heron-imap-connection-io.c: reading, routing, commands, timers and failure of a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading. A pollable source on the input stream; each dispatch reads up to
 * HERON_IMAP_READ_BUDGET in HERON_IMAP_READ_CHUNK pieces with non-blocking reads and feeds them to
 * the parser (through the inflater once COMPRESS is on), then gives the main loop a turn. The
 * parser calls back for each response (routing, below) and for each body section (the body
 * dispatcher, below) synchronously, so a FETCH costs no main-loop round trip. While STARTTLS or
 * COMPRESS is in flight the parser is fed one line at a time, so the reader knows exactly which
 * bytes came after the tagged OK: dropped for STARTTLS, inflated for COMPRESS.
 *
 * Routing. A tagged reply completes its command (an unknown tag fails the connection). A
 * continuation request resumes the command whose synchronizing literal waits for it, or goes to
 * the continuation handler of a command in flight. An untagged response goes to the first
 * command in flight that claims it (HeronImapHandlers), else out as ::unsolicited. BYE fails the
 * connection at once with the server's text, unless a LOGOUT is in flight.
 *
 * Body sections. The parser always has the connection's consumer installed. At each section's
 * begin() the dispatcher finds the command that claims the FETCH (by UID; a section before the
 * UID item goes to the oldest FETCH in flight) and streams the section to its consumer, or, when it has none (or nobody claims it), collects the section and attaches
 * it to the FETCH response before routing, where HeronImapBodySection.data would be without a
 * consumer.
 *
 * Writing is in heron-imap-connection-write.c.
 *
 * Re-entrancy. Handlers and task callbacks run inside the parser's callbacks. They may send
 * commands (the write is deferred to the end of the read) or close the connection (the parser
 * is stopped and freed only in finalize); the read dispatch holds a reference meanwhile.
 */

#include "config.h"

#include <string.h>

#include "heron-imap-connection-private.h"
#include "heron-imap-parser-private.h"


/* Commands */

Cmd *
_heron_imap_cmd_new (HeronImapCommand   *command,
                     CmdKind             kind,
                     HeronImapSendFlags  flags)
{
  Cmd *cmd = g_new0 (Cmd, 1);

  cmd->command = heron_imap_command_ref (command);
  cmd->kind = kind;
  cmd->flags = flags;
  cmd->state = CMD_QUEUED;
  cmd->link.data = cmd;

  return cmd;
}

void
_heron_imap_cmd_free (Cmd *cmd)
{
  if (cmd == NULL)
    return;

  if (cmd->cancel_source != NULL)
    {
      g_source_destroy (cmd->cancel_source);
      g_source_unref (cmd->cancel_source);
    }
  g_clear_object (&cmd->task);
  g_clear_object (&cmd->cancellable);
  g_clear_object (&cmd->literal_stream);
  g_clear_pointer (&cmd->segments, g_ptr_array_unref);
  g_clear_pointer (&cmd->early, heron_imap_response_unref);
  g_clear_error (&cmd->failure);
  heron_imap_command_unref (cmd->command);
  g_free (cmd);
}

const char *
_heron_imap_cmd_name (Cmd *cmd)
{
  const char *name = heron_imap_command_get_name (cmd->command);

  return name != NULL ? name : "a command";
}

/* Takes cmd out of the connection and completes it: with tagged (may be NO or BAD) or error. */
void
_heron_imap_connection_complete (HeronImapConnection *self,
                                 Cmd                 *cmd,
                                 HeronImapResponse   *tagged,
                                 GError              *error)
{
  GTask *task;

  /* Returning the task may drop the last reference to the connection. */
  g_object_ref (self);

  if (cmd->state == CMD_QUEUED)
    g_queue_unlink (&self->queue, &cmd->link);
  else
    {
      g_queue_unlink (&self->inflight, &cmd->link);
      g_hash_table_remove (self->by_tag, heron_imap_command_get_tag (cmd->command));
      if (cmd->flags & HERON_IMAP_SEND_BARRIER)
        self->n_barriers--;
    }
  if (self->writer == cmd)
    self->writer = NULL;
  if (self->body_owner == cmd)
    self->body_owner = NULL;

  task = g_steal_pointer (&cmd->task);

  if (cmd->kind != CMD_KIND_USER && tagged != NULL)
    _heron_imap_connection_internal_done (self, cmd, tagged);

  if (task != NULL)
    {
      if (cmd->failure != NULL)
        g_task_return_error (task, g_steal_pointer (&cmd->failure));
      else if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, heron_imap_response_ref (tagged),
                               (GDestroyNotify) heron_imap_response_unref);
      g_object_unref (task);
    }

  g_clear_error (&error);
  _heron_imap_cmd_free (cmd);

  if (self->state != HERON_IMAP_CONNECTION_CLOSED)
    {
      _heron_imap_connection_schedule_write (self);
      _heron_imap_connection_arm_timer (self);
    }

  g_object_unref (self);
}

gboolean
_heron_imap_connection_has_outstanding (HeronImapConnection *self)
{
  if (self->state == HERON_IMAP_CONNECTION_CONNECTING)
    return TRUE;
  if (self->state != HERON_IMAP_CONNECTION_CONNECTED)
    return FALSE;
  if (self->write_busy)
    return TRUE;

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      Cmd *cmd = l->data;

      if (!cmd->client_turn)
        return TRUE;
    }

  return FALSE;
}

void
_heron_imap_connection_enqueue (HeronImapConnection *self,
                                Cmd                 *cmd)
{
  cmd->connection = self;

  if (!_heron_imap_connection_has_outstanding (self))
    self->last_activity = g_get_monotonic_time ();

  g_queue_push_tail_link (&self->queue, &cmd->link);
  _heron_imap_connection_schedule_write (self);
  _heron_imap_connection_arm_timer (self);
}

static void
write_line (HeronImapConnection *self,
            HeronImapCommand    *line)
{
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  segments = heron_imap_command_get_segments (line, HERON_IMAP_LITERAL_SYNC, &error);
  if (segments == NULL)
    {
      _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_INVALID,
                                                      "Could not write a continuation line: %s",
                                                      error->message));
      return;
    }

  for (guint i = 0; i < segments->len; i++)
    {
      const HeronImapSegment *segment = g_ptr_array_index (segments, i);
      gsize size;
      const guint8 *data;

      if (segment->bytes == NULL)
        continue;
      data = g_bytes_get_data (segment->bytes, &size);
      g_byte_array_append (bytes, data, (guint) size);
    }

  {
    g_autofree char *log = heron_imap_command_to_log_string (line);

    g_debug ("C: %s", log);
  }

  g_queue_push_tail (&self->lines, g_byte_array_free_to_bytes (g_steal_pointer (&bytes)));
  _heron_imap_connection_schedule_write (self);
}

static gboolean
on_cmd_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  Cmd *cmd = user_data;
  HeronImapConnection *self = cmd->connection;
  GTask *task;

  g_source_destroy (cmd->cancel_source);
  g_clear_pointer (&cmd->cancel_source, g_source_unref);

  if (cmd->state == CMD_QUEUED)
    {
      _heron_imap_connection_complete (self, cmd, NULL,
                                       g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                            "The command was cancelled"));
      return G_SOURCE_REMOVE;
    }

  g_object_ref (self);

  /* Written: the server runs it anyway. The caller hears now; what the server says about it is
   * dropped when it comes. */
  cmd->handlers = NULL;
  cmd->handler_data = NULL;
  task = g_steal_pointer (&cmd->task);
  if (cmd->client_turn)
    {
      /* The server waits for us: end the exchange (IDLE's DONE, or a SASL cancel). */
      g_autoptr(HeronImapCommand) line = NULL;

      if (g_ascii_strcasecmp (_heron_imap_cmd_name (cmd), "IDLE") == 0)
        line = heron_imap_command_new_done ();
      else
        line = heron_imap_command_new_sasl_cancel ();
      cmd->client_turn = FALSE;
      write_line (self, line);
    }

  if (task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The command was cancelled");
      g_object_unref (task);
    }

  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

void
heron_imap_connection_send_async (HeronImapConnection     *self,
                                  HeronImapCommand        *command,
                                  HeronImapSendFlags       flags,
                                  const HeronImapHandlers *handlers,
                                  gpointer                 handler_data,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  Cmd *cmd;

  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));
  g_return_if_fail (command != NULL);
  g_return_if_fail (heron_imap_command_is_tagged (command));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_imap_connection_send_async);

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    {
      g_task_return_error (task, g_error_copy (self->error));
      return;
    }
  if (self->state == HERON_IMAP_CONNECTION_DISCONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "The connection is not established");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  cmd = _heron_imap_cmd_new (command, CMD_KIND_USER, flags);
  cmd->handlers = handlers;
  cmd->handler_data = handler_data;
  cmd->wants_continuation = handlers != NULL && handlers->continuation != NULL;
  cmd->task = g_steal_pointer (&task);

  if (cancellable != NULL)
    {
      cmd->cancellable = g_object_ref (cancellable);
      cmd->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (cmd->cancel_source, G_SOURCE_FUNC (on_cmd_cancelled), cmd, NULL);
      g_source_attach (cmd->cancel_source, self->context);
    }

  _heron_imap_connection_enqueue (self, cmd);
}

HeronImapResponse *
heron_imap_connection_send_finish (HeronImapConnection  *self,
                                   GAsyncResult         *result,
                                   GError              **error)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
heron_imap_connection_send_continuation (HeronImapConnection *self,
                                         HeronImapCommand    *command,
                                         HeronImapCommand    *line)
{
  Cmd *cmd = NULL;

  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));
  g_return_if_fail (command != NULL);
  g_return_if_fail (line != NULL && !heron_imap_command_is_tagged (line));

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    return;

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    if (((Cmd *) l->data)->command == command)
      {
        cmd = l->data;
        break;
      }

  g_return_if_fail (cmd != NULL);

  cmd->client_turn = FALSE;
  if (!_heron_imap_connection_has_outstanding (self))
    self->last_activity = g_get_monotonic_time ();
  write_line (self, line);
  _heron_imap_connection_arm_timer (self);
}

/* Failure */

void
_heron_imap_connection_fail (HeronImapConnection *self,
                             GError              *error)
{
  GQueue cmds = G_QUEUE_INIT;
  GTask *compress_task;

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    {
      g_error_free (error);
      return;
    }

  g_object_ref (self);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_debug ("Connection to %s failed: %s", self->settings.host, error->message);

  self->state = HERON_IMAP_CONNECTION_CLOSED;
  self->error = error;
  g_cancellable_cancel (self->cancellable);

  _heron_imap_connection_stop_reading (self);
  if (self->timer != NULL)
    g_source_set_ready_time (self->timer, -1);

  /* Shut down rather than close: a TLS handshake thread may still hold the descriptor, which
   * must not be reused under it. The descriptor is closed when the objects go. */
  if (self->socket_connection != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (self->socket_connection), TRUE, TRUE, NULL);

  self->switch_kind = CMD_KIND_USER;
  self->switch_now = FALSE;
  self->writer = NULL;
  self->body_owner = NULL;
  g_clear_pointer (&self->body_buffer, g_byte_array_unref);
  g_ptr_array_set_size (self->collected, 0);
  g_queue_clear_full (&self->lines, (GDestroyNotify) g_bytes_unref);
  g_hash_table_remove_all (self->by_tag);
  self->n_barriers = 0;

  /* Take every command out before completing any: callbacks may call back in. */
  while (!g_queue_is_empty (&self->inflight))
    {
      GList *link = g_queue_pop_head_link (&self->inflight);
      g_queue_push_tail_link (&cmds, link);
    }
  while (!g_queue_is_empty (&self->queue))
    {
      GList *link = g_queue_pop_head_link (&self->queue);
      g_queue_push_tail_link (&cmds, link);
    }

  compress_task = g_steal_pointer (&self->compress_task);
  if (compress_task != NULL)
    {
      g_task_return_error (compress_task, g_error_copy (self->error));
      g_object_unref (compress_task);
    }

  while (!g_queue_is_empty (&cmds))
    {
      Cmd *cmd = g_queue_pop_head_link (&cmds)->data;
      GTask *task = g_steal_pointer (&cmd->task);

      if (task != NULL)
        {
          g_task_return_error (task, g_error_copy (self->error));
          g_object_unref (task);
        }
      _heron_imap_cmd_free (cmd);
    }

  _heron_imap_connection_closed (self);

  g_object_unref (self);
}

static GError *
closed_error (HeronImapConnection *self)
{
  return g_error_new_literal (HERON_IMAP_ERROR, HERON_IMAP_ERROR_CLOSED,
                              "The connection is closed");
}

/* Capabilities */

void
_heron_imap_connection_update_capabilities (HeronImapConnection    *self,
                                            const HeronImapStrings *capabilities)
{
  GPtrArray *caps = g_ptr_array_new_full (capabilities->n_items + 1, g_free);

  for (guint i = 0; i < capabilities->n_items; i++)
    g_ptr_array_add (caps, g_ascii_strup (capabilities->items[i], -1));
  g_ptr_array_add (caps, NULL);

  g_clear_pointer (&self->capabilities, g_ptr_array_unref);
  self->capabilities = caps;
}

/* Routing */

static gboolean
logout_in_flight (HeronImapConnection *self)
{
  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (_heron_imap_cmd_name (l->data), "LOGOUT") == 0)
      return TRUE;
  return FALSE;
}

static void
attach_collected (HeronImapConnection *self,
                  HeronImapResponse   *response)
{
  guint next = 0;

  for (guint i = 0; i < response->fetch.n_sections && next < self->collected->len; i++)
    {
      /* The response is still the parser's, before anyone sees it: filling in the data the
       * parser's own collect mode would have put there. */
      HeronImapBodySection *section = (HeronImapBodySection *) &response->fetch.sections[i];
      GBytes *bytes;

      if (section->is_nil)
        continue;
      bytes = g_ptr_array_index (self->collected, next++);
      if (bytes == NULL)
        continue;
      section->data = g_bytes_ref (bytes);
      _heron_imap_response_own_bytes (response, section->data);
    }

  g_ptr_array_set_size (self->collected, 0);
}

static gboolean
route_tagged (HeronImapConnection *self,
              HeronImapResponse   *response,
              GError             **error)
{
  Cmd *cmd = g_hash_table_lookup (self->by_tag, response->tag);

  if (cmd == NULL)
    {
      g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                   "The server answered a command that was never sent (tag “%s”: %s %s)",
                   response->tag, heron_imap_condition_to_string (response->status.condition),
                   response->status.text);
      return FALSE;
    }

  if (cmd->state == CMD_WRITING)
    {
      if (!cmd->waiting)
        {
          /* Answered before all of it went out (a LITERAL+ refused early): what is left is
           * part of the same command line and must still be written; it completes after. */
          g_clear_pointer (&cmd->early, heron_imap_response_unref);
          cmd->early = heron_imap_response_ref (response);
          return TRUE;
        }
      /* Refused instead of "+": the rest of it is never sent. */
      cmd->waiting = FALSE;
      cmd->state = CMD_SENT;
      self->writer = NULL;
    }

  if (self->switch_kind != CMD_KIND_USER && cmd->kind == self->switch_kind &&
      response->status.condition == HERON_IMAP_CONDITION_OK)
    self->switch_now = TRUE;

  _heron_imap_connection_complete (self, cmd, response, NULL);
  return TRUE;
}

static gboolean
route_continuation (HeronImapConnection *self,
                    HeronImapResponse   *response,
                    GError             **error)
{
  if (self->writer != NULL && self->writer->waiting)
    {
      self->writer->waiting = FALSE;
      self->writer->segment++;
      _heron_imap_connection_schedule_write (self);
      return TRUE;
    }

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      Cmd *cmd = l->data;

      if (cmd->state != CMD_SENT || !cmd->wants_continuation)
        continue;

      if (cmd->handlers != NULL && cmd->handlers->continuation != NULL)
        {
          cmd->client_turn = TRUE;
          cmd->handlers->continuation (self, cmd->command, response->continuation.text,
                                       cmd->handler_data);
        }
      else
        {
          /* Its caller is gone: end the exchange. */
          g_autoptr(HeronImapCommand) line = NULL;

          if (g_ascii_strcasecmp (_heron_imap_cmd_name (cmd), "IDLE") == 0)
            line = heron_imap_command_new_done ();
          else
            line = heron_imap_command_new_sasl_cancel ();
          write_line (self, line);
        }
      _heron_imap_connection_arm_timer (self);
      return TRUE;
    }

  g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
               "The server asked to continue a command, but none waits for that (“+ %s”)",
               response->continuation.text);
  return FALSE;
}

static void
route_untagged (HeronImapConnection *self,
                HeronImapResponse   *response)
{
  guint bit = HERON_IMAP_KIND (response->kind);

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      Cmd *cmd = l->data;
      const HeronImapHandlers *handlers = cmd->handlers;

      if (handlers == NULL || !(handlers->kinds & bit))
        continue;
      if (response->kind == HERON_IMAP_RESPONSE_ESEARCH && response->esearch.tag != NULL &&
          strcmp (response->esearch.tag, heron_imap_command_get_tag (cmd->command)) != 0)
        continue;
      if (handlers->claim != NULL && !handlers->claim (response, cmd->handler_data))
        continue;

      if (cmd->failure == NULL && handlers->untagged != NULL)
        handlers->untagged (response, cmd->handler_data);
      return;
    }

  /* The search results of a cancelled command. */
  if (response->kind == HERON_IMAP_RESPONSE_ESEARCH && response->esearch.tag != NULL &&
      g_hash_table_contains (self->by_tag, response->esearch.tag))
    return;

  _heron_imap_connection_emit_unsolicited (self, response);
}

gboolean
_heron_imap_connection_route (HeronImapConnection *self,
                              HeronImapResponse   *response,
                              GError             **error)
{
  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    {
      g_propagate_error (error, closed_error (self));
      return FALSE;
    }

  if (response->kind == HERON_IMAP_RESPONSE_FETCH && self->collected->len > 0)
    attach_collected (self, response);
  else if (self->collected->len > 0)
    g_ptr_array_set_size (self->collected, 0);

  if (self->debug)
    {
      if (response->kind == HERON_IMAP_RESPONSE_FETCH)
        g_debug ("S: * %u FETCH (uid %u)", response->fetch.seq, response->fetch.uid);
      else
        {
          g_autofree char *text = heron_imap_response_to_string (response);

          g_debug ("S: %s", text);
        }
    }

  if (!self->greeting_seen)
    {
      if (!_heron_imap_connection_on_greeting (self, response, error))
        {
          self->route_failed = TRUE;
          return FALSE;
        }
      return TRUE;
    }

  switch (response->kind)
    {
    case HERON_IMAP_RESPONSE_STATUS:
      {
        const HeronImapStatus *status = &response->status;

        if (status->code.kind == HERON_IMAP_CODE_ALERT)
          _heron_imap_connection_emit_alert (self, status->text);
        if (status->code.kind == HERON_IMAP_CODE_CAPABILITY)
          _heron_imap_connection_update_capabilities (self, &status->code.strings);

        if (response->tag != NULL)
          {
            if (!route_tagged (self, response, error))
              {
                self->route_failed = TRUE;
                return FALSE;
              }
            return TRUE;
          }

        if (status->condition == HERON_IMAP_CONDITION_BYE)
          {
            g_clear_pointer (&self->bye, heron_imap_response_unref);
            self->bye = heron_imap_response_ref (response);
            _heron_imap_connection_emit_unsolicited (self, response);
            if (logout_in_flight (self) || self->state == HERON_IMAP_CONNECTION_CLOSED)
              return TRUE;
            g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE,
                         "The server closed the connection: %s", status->text);
            self->route_failed = TRUE;
            return FALSE;
          }

        if (status->condition == HERON_IMAP_CONDITION_PREAUTH)
          {
            g_set_error_literal (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                                 "The server sent PREAUTH after its greeting");
            self->route_failed = TRUE;
            return FALSE;
          }

        route_untagged (self, response);
        return TRUE;
      }

    case HERON_IMAP_RESPONSE_CONTINUATION:
      if (!route_continuation (self, response, error))
        {
          self->route_failed = TRUE;
          return FALSE;
        }
      return TRUE;

    case HERON_IMAP_RESPONSE_CAPABILITY:
      _heron_imap_connection_update_capabilities (self, &response->capability);
      route_untagged (self, response);
      return TRUE;

    default:
      route_untagged (self, response);
      return TRUE;
    }
}

/* Body sections */

static gboolean
is_fetch_command (Cmd *cmd)
{
  const char *name = heron_imap_command_get_name (cmd->command);

  return name != NULL &&
         (g_ascii_strcasecmp (name, "FETCH") == 0 || g_ascii_strcasecmp (name, "UID FETCH") == 0);
}

/* A section sent before the UID item ("* 1 FETCH (BODY[] {n} ... UID 7)") cannot be matched by
 * UID: it goes to the oldest FETCH in flight (only a FETCH command makes the server send body
 * sections, and a server answers pipelined commands in order), with uid 0 in its info; the
 * consumer matches it by sequence number with the FETCH response that follows. */
static Cmd *
find_body_owner_without_uid (HeronImapConnection *self)
{
  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      Cmd *cmd = l->data;

      if (!is_fetch_command (cmd))
        continue;
      if (cmd->handlers == NULL || !(cmd->handlers->kinds & HERON_IMAP_KIND (HERON_IMAP_RESPONSE_FETCH)))
        return NULL;
      return cmd;
    }

  return NULL;
}

static Cmd *
find_body_owner (HeronImapConnection     *self,
                 const HeronImapBodyInfo *info)
{
  HeronImapResponse probe;

  if (info->uid == 0)
    return find_body_owner_without_uid (self);

  memset (&probe, 0, sizeof probe);
  probe.kind = HERON_IMAP_RESPONSE_FETCH;
  probe.fetch.seq = info->seq;
  probe.fetch.uid = info->uid;
  probe.fetch.fields = info->uid != 0 ? HERON_IMAP_FETCH_UID : 0;

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      Cmd *cmd = l->data;
      const HeronImapHandlers *handlers = cmd->handlers;

      if (handlers == NULL || !(handlers->kinds & HERON_IMAP_KIND (HERON_IMAP_RESPONSE_FETCH)))
        continue;
      if (handlers->claim != NULL && !handlers->claim (&probe, cmd->handler_data))
        continue;
      return cmd;
    }

  return NULL;
}

static void
owner_failed (Cmd    *cmd,
              GError *error)
{
  if (error == NULL)
    error = g_error_new_literal (HERON_IMAP_ERROR, HERON_IMAP_ERROR_FAILED,
                                 "The body consumer failed");
  g_debug ("The body consumer of %s failed: %s", _heron_imap_cmd_name (cmd), error->message);
  if (cmd->failure == NULL)
    cmd->failure = error;
  else
    g_error_free (error);
}

static gboolean
still_open (HeronImapConnection  *self,
            GError              **error)
{
  if (self->state != HERON_IMAP_CONNECTION_CLOSED)
    return TRUE;
  g_propagate_error (error, closed_error (self));
  return FALSE;
}

static gboolean
body_begin (const HeronImapBodyInfo *info,
            gpointer                 user_data,
            GError                 **error)
{
  HeronImapConnection *self = user_data;
  Cmd *owner;

  if (!still_open (self, error))
    return FALSE;

  owner = find_body_owner (self, info);
  self->body_owner = owner;

  if (owner != NULL && owner->handlers->body != NULL)
    {
      GError *local = NULL;

      self->body_to_owner = TRUE;
      g_ptr_array_add (self->collected, NULL);
      if (owner->failure == NULL &&
          !owner->handlers->body->begin (info, owner->handler_data, &local))
        owner_failed (owner, local);
      return still_open (self, error);
    }

  self->body_to_owner = FALSE;
  g_clear_pointer (&self->body_buffer, g_byte_array_unref);
  self->body_buffer = g_byte_array_sized_new ((guint) MIN (info->size, 1024 * 1024));
  return TRUE;
}

static gboolean
body_chunk (const guint8 *data,
            gsize         len,
            gpointer      user_data,
            GError      **error)
{
  HeronImapConnection *self = user_data;

  if (!still_open (self, error))
    return FALSE;

  if (self->body_to_owner)
    {
      Cmd *owner = self->body_owner;
      GError *local = NULL;

      if (owner == NULL || owner->handlers == NULL || owner->failure != NULL)
        return TRUE;
      if (!owner->handlers->body->chunk (data, len, owner->handler_data, &local))
        owner_failed (owner, local);
      return still_open (self, error);
    }

  g_byte_array_append (self->body_buffer, data, (guint) len);
  return TRUE;
}

static gboolean
body_end (gpointer   user_data,
          GError   **error)
{
  HeronImapConnection *self = user_data;

  if (!still_open (self, error))
    return FALSE;

  if (self->body_to_owner)
    {
      Cmd *owner = self->body_owner;
      GError *local = NULL;

      self->body_owner = NULL;
      if (owner == NULL || owner->handlers == NULL || owner->failure != NULL)
        return TRUE;
      if (!owner->handlers->body->end (owner->handler_data, &local))
        owner_failed (owner, local);
      return still_open (self, error);
    }

  g_ptr_array_add (self->collected,
                   g_byte_array_free_to_bytes (g_steal_pointer (&self->body_buffer)));
  self->body_owner = NULL;
  return TRUE;
}

static const HeronImapBodyConsumer body_dispatcher = {
  body_begin,
  body_chunk,
  body_end,
};

/* Reading */

void
_heron_imap_connection_set_streams (HeronImapConnection *self,
                                    GIOStream           *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);

  g_set_object (&self->stream, stream);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_assert (G_IS_POLLABLE_INPUT_STREAM (input) &&
            g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)));
  self->input = G_POLLABLE_INPUT_STREAM (g_object_ref (input));
  self->output = g_object_ref (g_io_stream_get_output_stream (stream));

  heron_imap_parser_set_body_consumer (self->parser, &body_dispatcher, self);
  self->debug = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
}

static gboolean
feed (HeronImapConnection *self,
      const guint8        *data,
      gsize                len)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  self->route_failed = FALSE;
  self->in_feed++;
  ok = heron_imap_parser_feed (self->parser, data, len, &error);
  self->in_feed--;

  if (ok)
    return TRUE;

  if (self->state != HERON_IMAP_CONNECTION_CLOSED)
    {
      if (!self->route_failed)
        g_prefix_error (&error, "The server %s sent an invalid reply: ", self->settings.host);
      _heron_imap_connection_fail (self, g_steal_pointer (&error));
    }
  return FALSE;
}

/* Plain protocol bytes (after TLS and inflating). */
static void
feed_plain (HeronImapConnection *self,
            const guint8        *data,
            gsize                len)
{
  if (self->switch_kind == CMD_KIND_USER)
    {
      feed (self, data, len);
      return;
    }

  /* STARTTLS or COMPRESS in flight: a line at a time, to stop right after its OK. */
  while (len > 0)
    {
      const guint8 *lf = memchr (data, '\n', len);
      gsize take = lf != NULL ? (gsize) (lf - data) + 1 : len;

      if (!feed (self, data, take))
        return;
      data += take;
      len -= take;

      if (self->switch_now)
        {
          self->switch_now = FALSE;
          _heron_imap_connection_switch (self, data, len);
          return;
        }
    }
}

void
_heron_imap_connection_process (HeronImapConnection *self,
                                const guint8        *data,
                                gsize                len)
{
  gsize pos = 0;
  gsize written;

  if (self->inflater == NULL)
    {
      feed_plain (self, data, len);
      return;
    }

  do
    {
      g_autoptr(GError) error = NULL;
      gsize read = 0;
      GConverterResult result;

      written = 0;
      result = g_converter_convert (self->inflater, data + pos, len - pos,
                                    self->inflate_buffer, HERON_IMAP_READ_CHUNK,
                                    G_CONVERTER_NO_FLAGS, &read, &written, &error);
      if (result == G_CONVERTER_ERROR)
        {
          if (pos == len && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
            break;
          _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE,
                                                          "The server %s sent invalid compressed "
                                                          "data: %s", self->settings.host,
                                                          error->message));
          return;
        }

      pos += read;
      if (written > 0)
        {
          feed_plain (self, self->inflate_buffer, written);
          if (self->state == HERON_IMAP_CONNECTION_CLOSED)
            return;
        }

      if (result == G_CONVERTER_FINISHED)
        {
          _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                                                          "The server %s ended its compressed "
                                                          "stream", self->settings.host));
          return;
        }
    }
  while (pos < len || written == HERON_IMAP_READ_CHUNK);
}

static void
on_eof (HeronImapConnection *self)
{
  g_autoptr(GError) error = NULL;

  if (!heron_imap_parser_finish (self->parser, &error))
    {
      _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_CLOSED,
                                                      "The server %s closed the connection in "
                                                      "the middle of a reply (%s)",
                                                      self->settings.host, error->message));
      return;
    }

  if (self->bye != NULL)
    {
      _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE,
                                                      "The server closed the connection: %s",
                                                      self->bye->status.text));
      return;
    }

  _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_CLOSED,
                                                  "The server %s closed the connection",
                                                  self->settings.host));
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  HeronImapConnection *self = HERON_IMAP_CONNECTION (user_data);
  GSource *source = g_main_current_source ();
  gsize budget = 0;
  gboolean keep = TRUE;

  g_object_ref (self);
  g_source_set_ready_time (source, -1);

  while (budget < HERON_IMAP_READ_BUDGET)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      n = g_pollable_input_stream_read_nonblocking (self->input, self->read_buffer,
                                                    HERON_IMAP_READ_CHUNK, NULL, &error);
      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
            on_eof (self);
          else if (self->state != HERON_IMAP_CONNECTION_CLOSED)
            _heron_imap_connection_fail (self, g_error_new (error->domain, error->code,
                                                            "Lost the connection to %s: %s",
                                                            self->settings.host, error->message));
          keep = FALSE;
          break;
        }

      if (n == 0)
        {
          on_eof (self);
          keep = FALSE;
          break;
        }

      budget += (gsize) n;
      self->last_activity = g_get_monotonic_time ();
      _heron_imap_connection_process (self, self->read_buffer, (gsize) n);

      /* Closed, or switched streams (STARTTLS): this source is done. */
      if (self->read_source != source)
        {
          keep = FALSE;
          break;
        }
    }

  if (keep && budget >= HERON_IMAP_READ_BUDGET)
    g_source_set_ready_time (source, 0);

  if (self->write_scheduled)
    _heron_imap_connection_pump (self);
  _heron_imap_connection_arm_timer (self);

  g_object_unref (self);
  return keep && self->read_source == source ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void
_heron_imap_connection_start_reading (HeronImapConnection *self)
{
  g_assert (self->read_source == NULL);
  g_assert (self->input != NULL);

  if (self->read_buffer == NULL)
    self->read_buffer = g_malloc (HERON_IMAP_READ_CHUNK);

  self->read_source = g_pollable_input_stream_create_source (self->input, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (self->read_source, self->context);
}

void
_heron_imap_connection_stop_reading (HeronImapConnection *self)
{
  if (self->read_source == NULL)
    return;

  g_source_destroy (self->read_source);
  g_clear_pointer (&self->read_source, g_source_unref);
}

/* Timers */

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  NULL, NULL, timer_dispatch, NULL, NULL, NULL,
};

static char *
format_ms (guint ms)
{
  if (ms % 1000 == 0)
    return g_strdup_printf ("%u second%s", ms / 1000, ms == 1000 ? "" : "s");
  return g_strdup_printf ("%.1f seconds", ms / 1000.0);
}

static const char *
awaited (HeronImapConnection *self)
{
  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      Cmd *cmd = l->data;

      if (!cmd->client_turn)
        return _heron_imap_cmd_name (cmd);
    }
  return self->state == HERON_IMAP_CONNECTION_CONNECTING ? "the greeting" : "a command";
}

static gboolean
on_timer (gpointer user_data)
{
  HeronImapConnection *self = HERON_IMAP_CONNECTION (user_data);
  gint64 now = g_get_monotonic_time ();

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    return G_SOURCE_CONTINUE;

  g_object_ref (self);

  if (self->phase_deadline != 0)
    {
      if (now >= self->phase_deadline)
        {
          g_autofree char *limit = format_ms (self->settings.connect_timeout_ms);

          if (g_strcmp0 (self->phase, "handshake") == 0)
            _heron_imap_connection_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                            "The TLS handshake with %s did not "
                                                            "finish within %s",
                                                            self->settings.host, limit));
          else
            _heron_imap_connection_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                            "Could not connect to %s port %u "
                                                            "within %s", self->settings.host,
                                                            self->settings.port, limit));
        }
    }
  else if (_heron_imap_connection_has_outstanding (self))
    {
      if (now - self->last_activity >= (gint64) self->settings.read_timeout_ms * 1000)
        {
          g_autofree char *limit = format_ms (self->settings.read_timeout_ms);

          _heron_imap_connection_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                          "The server %s sent nothing for %s "
                                                          "while a reply to %s was expected",
                                                          self->settings.host, limit,
                                                          awaited (self)));
        }
    }
  else if (self->state == HERON_IMAP_CONNECTION_CONNECTED &&
           self->settings.keepalive_ms != G_MAXUINT &&
           g_queue_is_empty (&self->queue) && g_queue_is_empty (&self->inflight) &&
           now - self->last_activity >= (gint64) self->settings.keepalive_ms * 1000)
    {
      g_autoptr(HeronImapCommand) noop = heron_imap_command_new_noop ();
      Cmd *cmd = _heron_imap_cmd_new (noop, CMD_KIND_NOOP, HERON_IMAP_SEND_NONE);

      self->last_activity = now;
      _heron_imap_connection_enqueue (self, cmd);
    }

  _heron_imap_connection_arm_timer (self);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

void
_heron_imap_connection_arm_timer (HeronImapConnection *self)
{
  gint64 deadline = -1;

  if (self->timer == NULL)
    {
      self->timer = g_source_new (&timer_funcs, sizeof (GSource));
      g_source_set_callback (self->timer, on_timer, self, NULL);
      g_source_set_ready_time (self->timer, -1);
      g_source_attach (self->timer, self->context);
    }

  if (self->state == HERON_IMAP_CONNECTION_CLOSED ||
      self->state == HERON_IMAP_CONNECTION_DISCONNECTED)
    deadline = -1;
  else if (self->phase_deadline != 0)
    deadline = self->phase_deadline;
  else if (_heron_imap_connection_has_outstanding (self))
    deadline = self->last_activity + (gint64) self->settings.read_timeout_ms * 1000;
  else if (self->state == HERON_IMAP_CONNECTION_CONNECTED &&
           self->settings.keepalive_ms != G_MAXUINT)
    deadline = self->last_activity + (gint64) self->settings.keepalive_ms * 1000;

  if (g_source_get_ready_time (self->timer) != deadline)
    g_source_set_ready_time (self->timer, deadline);
}
