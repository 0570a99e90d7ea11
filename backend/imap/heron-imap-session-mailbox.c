/* heron-imap-session-mailbox.c: SELECT, EXAMINE, CLOSE, UNSELECT, LIST, STATUS, NOTIFY, CREATE,
 * DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SELECT and EXAMINE collect what the server says during them (RFC 3501 section 6.3.1, RFC 9051
 * section 6.3.2, RFC 7162 section 3.2.5): FLAGS, EXISTS, RECENT (rev1), the untagged OK codes
 * (UIDVALIDITY, UIDNEXT, UNSEEN, PERMANENTFLAGS, HIGHESTMODSEQ, NOMODSEQ, CLOSED), the tagged OK's
 * READ-ONLY/READ-WRITE, and with QRESYNC the VANISHED (EARLIER) and FETCH responses of what changed
 * since the cached state. They are barriers: nothing else is in flight while the selected mailbox
 * changes.
 */

#include "config.h"

#include <string.h>

#include "heron-imap-session-private.h"

static GStrv
flags_to_strv (const HeronImapFlags *flags)
{
  GStrv out = g_new0 (char *, flags->n_names + 1);

  for (guint i = 0; i < flags->n_names; i++)
    out[i] = g_strdup (flags->names[i]);
  return out;
}

/* SELECT, EXAMINE */

static gboolean
select_claim (const HeronImapResponse *response,
              gpointer                 user_data)
{
  switch (response->kind)
    {
    case HERON_IMAP_RESPONSE_STATUS:
      /* untagged OK with its codes; NO/BAD are warnings for ::mailbox-event */
      return response->status.condition == HERON_IMAP_CONDITION_OK;
    case HERON_IMAP_RESPONSE_VANISHED:
      return response->vanished.earlier;
    default:
      return TRUE;
    }
}

static void
select_untagged (HeronImapResponse *response,
                 gpointer           user_data)
{
  Op *op = user_data;
  HeronImapSelectResult *result = op->select;

  switch (response->kind)
    {
    case HERON_IMAP_RESPONSE_STATUS:
      {
        const HeronImapCode *code = &response->status.code;

        switch (code->kind)
          {
          case HERON_IMAP_CODE_UIDVALIDITY:
            result->uidvalidity = code->number;
            break;
          case HERON_IMAP_CODE_UIDNEXT:
            result->uidnext = code->number;
            break;
          case HERON_IMAP_CODE_UNSEEN:
            result->unseen = code->number;
            break;
          case HERON_IMAP_CODE_HIGHESTMODSEQ:
            result->highestmodseq = code->modseq;
            break;
          case HERON_IMAP_CODE_NOMODSEQ:
            result->nomodseq = TRUE;
            break;
          case HERON_IMAP_CODE_PERMANENTFLAGS:
            g_strfreev (result->permanent_flags);
            result->permanent_flags = flags_to_strv (&code->flags);
            break;
          default:
            /* CLOSED: the previous mailbox is gone; the rest is informational */
            break;
          }
      }
      break;

    case HERON_IMAP_RESPONSE_FLAGS:
      g_strfreev (result->flags);
      result->flags = flags_to_strv (&response->flags);
      break;

    case HERON_IMAP_RESPONSE_EXISTS:
      result->exists = response->number;
      break;

    case HERON_IMAP_RESPONSE_RECENT:
      result->recent = response->number;
      break;

    case HERON_IMAP_RESPONSE_VANISHED:
      _heron_imap_ranges_add_to_set (&response->vanished.uids, result->vanished);
      break;

    case HERON_IMAP_RESPONSE_FETCH:
      if (op->fetch_func != NULL)
        op->fetch_func (response, op->fetch_data);
      else
        {
          if (result->changed == NULL)
            result->changed = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
          g_ptr_array_add (result->changed, heron_imap_response_ref (response));
        }
      break;

    default:
      /* LIST (IMAP4rev2 names the mailbox), ... */
      break;
    }
}

static const HeronImapHandlers select_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_STATUS) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_FLAGS) |
           HERON_IMAP_KIND (HERON_IMAP_RESPONSE_EXISTS) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_RECENT) |
           HERON_IMAP_KIND (HERON_IMAP_RESPONSE_VANISHED) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_FETCH) |
           HERON_IMAP_KIND (HERON_IMAP_RESPONSE_LIST),
  .claim = select_claim,
  .untagged = select_untagged,
};

static void
select_tagged (Op                *op,
               HeronImapResponse *tagged)
{
  if (tagged->status.code.kind == HERON_IMAP_CODE_READ_ONLY)
    op->select->read_only = TRUE;
  else if (tagged->status.code.kind == HERON_IMAP_CODE_READ_WRITE)
    op->select->read_only = FALSE;

  _heron_imap_session_set_selected (op->session, op->mailbox);
}

static void
select_failed (Op                *op,
               HeronImapResponse *tagged)
{
  /* RFC 3501 section 6.3.1: a failed SELECT leaves no mailbox selected. */
  if (tagged->status.condition == HERON_IMAP_CONDITION_NO)
    _heron_imap_session_set_state (op->session, HERON_IMAP_SESSION_AUTHENTICATED);
}

static void
select_finish (GTask *task,
               Op    *op)
{
  g_task_return_pointer (task, g_steal_pointer (&op->select),
                         (GDestroyNotify) heron_imap_select_result_free);
}

void
heron_imap_session_select_async (HeronImapSession            *self,
                                 const char                  *mailbox,
                                 gboolean                     read_only,
                                 const HeronImapSelectParams *params,
                                 HeronImapFetchFunc           changed,
                                 gpointer                     changed_data,
                                 GCancellable                *cancellable,
                                 GAsyncReadyCallback          callback,
                                 gpointer                     user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapSelectParams effective = { 0 };
  HeronImapCommandFlags flags;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  task = _heron_imap_session_task_new (self, heron_imap_session_select_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;

  if (params != NULL)
    {
      effective = *params;
      if (effective.qresync_uidvalidity != 0 && !heron_imap_session_is_enabled (self, "QRESYNC"))
        {
          g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                                   "QRESYNC is not enabled on this session");
          return;
        }
      if (effective.condstore && !heron_imap_session_has_capability (self, "CONDSTORE"))
        {
          g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                                   "The server does not offer CONDSTORE");
          return;
        }
      /* Once CONDSTORE is enabled (ENABLE or QRESYNC), the SELECT parameter is redundant. */
      if (effective.condstore && (heron_imap_session_is_enabled (self, "CONDSTORE") ||
                                  heron_imap_session_is_enabled (self, "QRESYNC")))
        effective.condstore = FALSE;
    }

  flags = _heron_imap_session_command_flags (self);
  if (read_only)
    command = heron_imap_command_new_examine (flags, mailbox, &effective, &error);
  else
    command = heron_imap_command_new_select (flags, mailbox, &effective, &error);
  if (command == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  op = g_task_get_task_data (task);
  op->mailbox = g_ascii_strcasecmp (mailbox, "INBOX") == 0 ? g_strdup ("INBOX") : g_strdup (mailbox);
  op->select = g_new0 (HeronImapSelectResult, 1);
  op->select->mailbox = g_strdup (op->mailbox);
  op->select->read_only = read_only;
  op->select->vanished = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  op->fetch_func = changed;
  op->fetch_data = changed_data;
  op->tagged = select_tagged;
  op->failed = select_failed;
  op->finish = select_finish;

  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_BARRIER, &select_handlers);
}

HeronImapSelectResult *
heron_imap_session_select_finish (HeronImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* CLOSE, UNSELECT */

static void
close_tagged (Op                *op,
              HeronImapResponse *tagged)
{
  _heron_imap_session_set_state (op->session, HERON_IMAP_SESSION_AUTHENTICATED);
}

void
heron_imap_session_close_mailbox_async (HeronImapSession    *self,
                                        gboolean             expunge,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = _heron_imap_session_task_new (self, heron_imap_session_close_mailbox_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, TRUE))
    return;
  if (!expunge && !_heron_imap_session_require (self, task, "UNSELECT", "closing without expunging"))
    return;

  op = g_task_get_task_data (task);
  op->tagged = close_tagged;
  command = expunge ? heron_imap_command_new_close () : heron_imap_command_new_unselect ();
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_BARRIER, NULL);
}

gboolean
heron_imap_session_close_mailbox_finish (HeronImapSession  *self,
                                         GAsyncResult      *result,
                                         GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* LIST, STATUS */

static void
collect_untagged (HeronImapResponse *response,
                  gpointer           user_data)
{
  Op *op = user_data;

  if (op->responses == NULL)
    op->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_ptr_array_add (op->responses, heron_imap_response_ref (response));
}

static const HeronImapHandlers list_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_LIST) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_MAILBOX_STATUS),
  .untagged = collect_untagged,
};

static void
list_finish (GTask *task,
             Op    *op)
{
  if (op->responses == NULL)
    op->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_response_unref);
  g_task_return_pointer (task, g_steal_pointer (&op->responses), (GDestroyNotify) g_ptr_array_unref);
}

void
heron_imap_session_list_async (HeronImapSession    *self,
                               const char          *reference,
                               const char          *pattern,
                               gboolean             subscribed_only,
                               const char * const  *status_items,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapCommandFlags flags;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (pattern != NULL);

  task = _heron_imap_session_task_new (self, heron_imap_session_list_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;

  flags = _heron_imap_session_command_flags (self);
  if (reference == NULL)
    reference = "";

  if (heron_imap_session_has_capability (self, "LIST-EXTENDED"))
    {
      const char *patterns[] = { pattern, NULL };
      HeronImapListSelect select = HERON_IMAP_LIST_SELECT_NONE;
      HeronImapListReturn returns = HERON_IMAP_LIST_RETURN_SUBSCRIBED;

      if (subscribed_only)
        select |= HERON_IMAP_LIST_SELECT_SUBSCRIBED;
      if (heron_imap_session_has_capability (self, "CHILDREN") ||
          heron_imap_session_has_capability (self, "LIST-EXTENDED"))
        returns |= HERON_IMAP_LIST_RETURN_CHILDREN;
      if (heron_imap_session_has_capability (self, "SPECIAL-USE"))
        returns |= HERON_IMAP_LIST_RETURN_SPECIAL_USE;
      if (!heron_imap_session_has_capability (self, "LIST-STATUS"))
        status_items = NULL;

      command = heron_imap_command_new_list (flags, reference, patterns, select, returns,
                                             status_items, &error);
    }
  else if (subscribed_only)
    command = heron_imap_command_new_lsub (flags, reference, pattern, &error);
  else
    {
      const char *patterns[] = { pattern, NULL };

      command = heron_imap_command_new_list (flags, reference, patterns, HERON_IMAP_LIST_SELECT_NONE,
                                             HERON_IMAP_LIST_RETURN_NONE, NULL, &error);
    }

  if (command == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  op = g_task_get_task_data (task);
  op->finish = list_finish;
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, &list_handlers);
}

GPtrArray *
heron_imap_session_list_finish (HeronImapSession  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
status_claim (const HeronImapResponse *response,
              gpointer                 user_data)
{
  Op *op = user_data;
  const HeronImapMailboxName *name = &response->mailbox_status.mailbox;

  if (op->response != NULL)
    return FALSE;
  return g_strcmp0 (name->name, op->mailbox) == 0 || g_strcmp0 (name->raw, op->mailbox) == 0;
}

static void
status_untagged (HeronImapResponse *response,
                 gpointer           user_data)
{
  Op *op = user_data;

  op->response = heron_imap_response_ref (response);
}

static const HeronImapHandlers status_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_MAILBOX_STATUS),
  .claim = status_claim,
  .untagged = status_untagged,
};

static void
status_finish (GTask *task,
               Op    *op)
{
  if (op->response == NULL)
    {
      g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                               "The server answered STATUS %s without a STATUS response",
                               op->mailbox);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&op->response),
                         (GDestroyNotify) heron_imap_response_unref);
}

void
heron_imap_session_status_async (HeronImapSession    *self,
                                 const char          *mailbox,
                                 const char * const  *items,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (mailbox != NULL);
  g_return_if_fail (items != NULL);

  task = _heron_imap_session_task_new (self, heron_imap_session_status_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;

  command = heron_imap_command_new_status (_heron_imap_session_command_flags (self), mailbox, items, &error);
  if (command == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  op = g_task_get_task_data (task);
  op->mailbox = g_ascii_strcasecmp (mailbox, "INBOX") == 0 ? g_strdup ("INBOX") : g_strdup (mailbox);
  op->finish = status_finish;
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, &status_handlers);
}

HeronImapResponse *
heron_imap_session_status_finish (HeronImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* NOTIFY */

void
heron_imap_session_notify_async (HeronImapSession           *self,
                                 gboolean                    status,
                                 const HeronImapNotifyGroup *groups,
                                 guint                       n_groups,
                                 GCancellable               *cancellable,
                                 GAsyncReadyCallback         callback,
                                 gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (groups != NULL || n_groups == 0);

  task = _heron_imap_session_task_new (self, heron_imap_session_notify_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;
  if (!_heron_imap_session_require (self, task, "NOTIFY", "notifications of other mailboxes"))
    return;

  command = heron_imap_command_new_notify (_heron_imap_session_command_flags (self), status,
                                           groups, n_groups, &error);
  if (command == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* What the server reports unasked changes with it: nothing else is in flight meanwhile. The
   * STATUS responses it sends at once are not claimed: they are ::mailbox-events like later ones. */
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_BARRIER, NULL);
}

gboolean
heron_imap_session_notify_finish (HeronImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE */

static void
mailbox_tagged (Op                *op,
                HeronImapResponse *tagged)
{
  HeronImapSession *self = op->session;

  /* Deleting or renaming the selected mailbox: the server deselects it (Dovecot does; RFC 9051
   * section 6.3.5 lets it). The sync engine selects again. */
  if (op->mailbox != NULL && g_strcmp0 (heron_imap_session_get_selected (self), op->mailbox) == 0)
    _heron_imap_session_set_state (self, HERON_IMAP_SESSION_AUTHENTICATED);
}

void
heron_imap_session_mailbox_async (HeronImapSession          *self,
                                  HeronImapMailboxOperation  operation,
                                  const char                *mailbox,
                                  const char                *new_name,
                                  GCancellable              *cancellable,
                                  GAsyncReadyCallback        callback,
                                  gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapCommandFlags flags;
  HeronImapSendFlags send_flags = HERON_IMAP_SEND_NONE;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (mailbox != NULL);
  g_return_if_fail (operation != HERON_IMAP_MAILBOX_RENAME || new_name != NULL);

  task = _heron_imap_session_task_new (self, heron_imap_session_mailbox_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;

  flags = _heron_imap_session_command_flags (self);
  op = g_task_get_task_data (task);

  switch (operation)
    {
    case HERON_IMAP_MAILBOX_CREATE:
      command = heron_imap_command_new_create (flags, mailbox, NULL, &error);
      break;
    case HERON_IMAP_MAILBOX_DELETE:
      command = heron_imap_command_new_delete (flags, mailbox, &error);
      op->mailbox = g_strdup (mailbox);
      op->tagged = mailbox_tagged;
      /* May deselect the mailbox: nothing else may be in flight meanwhile. */
      if (g_strcmp0 (self->selected, mailbox) == 0)
        send_flags = HERON_IMAP_SEND_BARRIER;
      break;
    case HERON_IMAP_MAILBOX_RENAME:
      command = heron_imap_command_new_rename (flags, mailbox, new_name, &error);
      op->mailbox = g_strdup (mailbox);
      op->tagged = mailbox_tagged;
      if (g_strcmp0 (self->selected, mailbox) == 0)
        send_flags = HERON_IMAP_SEND_BARRIER;
      break;
    case HERON_IMAP_MAILBOX_SUBSCRIBE:
      command = heron_imap_command_new_subscribe (flags, mailbox, &error);
      break;
    case HERON_IMAP_MAILBOX_UNSUBSCRIBE:
      command = heron_imap_command_new_unsubscribe (flags, mailbox, &error);
      break;
    default:
      g_return_if_reached ();
    }

  if (command == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  _heron_imap_session_send (self, task, command, send_flags, NULL);
}

gboolean
heron_imap_session_mailbox_finish (HeronImapSession  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
