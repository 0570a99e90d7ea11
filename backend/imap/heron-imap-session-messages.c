/* heron-imap-session-messages.c: UID FETCH, UID STORE, UID COPY, UID MOVE, EXPUNGE, UID EXPUNGE,
 * APPEND, UID SEARCH
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A UID set whose text would pass HERON_IMAP_UID_SET_MAX_CHARS is cut into several commands that
 * are pipelined; the operation completes when all have, with the first error if any. FETCH
 * responses are claimed by UID, so two fetches in flight never mix; they go to the caller one by
 * one as they arrive and are never collected.
 */

#include "config.h"

#include <string.h>

#include "heron-imap-session-private.h"

/* The pieces of uids, each short enough for one command line. */
static GPtrArray *
split (const HeronImapUidSet *uids)
{
  return heron_imap_uid_set_split_sets (uids, HERON_IMAP_UID_SET_MAX_CHARS);
}

/* UID FETCH */

static void
fetch_finish (GTask *task,
              Op    *op)
{
  g_task_return_pointer (task, op->vanished != NULL ? g_steal_pointer (&op->vanished) :
                         heron_imap_uid_set_new (HERON_IMAP_SET_UID),
                         (GDestroyNotify) heron_imap_uid_set_free);
}

void
heron_imap_session_uid_fetch_async (HeronImapSession            *self,
                                    const HeronImapUidSet       *uids,
                                    const char * const          *items,
                                    guint64                      changed_since,
                                    gboolean                     vanished,
                                    HeronImapFetchFunc           func,
                                    gpointer                     func_data,
                                    const HeronImapBodyConsumer *body,
                                    gpointer                     body_data,
                                    GCancellable                *cancellable,
                                    GAsyncReadyCallback          callback,
                                    gpointer                     user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (uids != NULL && heron_imap_uid_set_get_kind (uids) == HERON_IMAP_SET_UID);
  g_return_if_fail (items != NULL);

  task = _heron_imap_session_task_new (self, heron_imap_session_uid_fetch_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, TRUE))
    return;
  if (changed_since != HERON_IMAP_MODSEQ_NONE &&
      !_heron_imap_session_require (self, task, "CONDSTORE", "FETCH CHANGEDSINCE"))
    return;
  if (vanished && !heron_imap_session_is_enabled (self, "QRESYNC"))
    {
      g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                               "FETCH VANISHED needs QRESYNC enabled");
      return;
    }
  if (heron_imap_uid_set_is_empty (uids))
    {
      g_task_return_pointer (task, heron_imap_uid_set_new (HERON_IMAP_SET_UID),
                             (GDestroyNotify) heron_imap_uid_set_free);
      return;
    }

  /* Build every command first: nothing is sent when one cannot be written. */
  pieces = split (uids);
  commands = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_command_unref);
  for (guint i = 0; i < pieces->len; i++)
    {
      g_autoptr(GError) error = NULL;
      HeronImapCommand *command = heron_imap_command_new_fetch (pieces->pdata[i], items, changed_since,
                                                                vanished, &error);

      if (command == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (commands, command);
    }

  op = g_task_get_task_data (task);
  op->uids = heron_imap_uid_set_copy (uids);
  op->fetch_func = func;
  op->fetch_data = func_data;
  op->body = body;
  op->body_data = body_data;
  op->finish = fetch_finish;

  for (guint i = 0; i < commands->len; i++)
    _heron_imap_session_send (self, task, commands->pdata[i], HERON_IMAP_SEND_NONE,
                              body != NULL ? &_heron_imap_fetch_body_handlers : &_heron_imap_fetch_handlers);
}

gboolean
heron_imap_session_uid_fetch_finish (HeronImapSession  *self,
                                     GAsyncResult      *result,
                                     HeronImapUidSet  **out_vanished,
                                     GError           **error)
{
  HeronImapUidSet *vanished;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  vanished = g_task_propagate_pointer (G_TASK (result), error);
  if (vanished == NULL)
    return FALSE;
  if (out_vanished != NULL)
    *out_vanished = vanished;
  else
    heron_imap_uid_set_free (vanished);
  return TRUE;
}

/* UID STORE */

static void
store_tagged (Op                *op,
              HeronImapResponse *tagged)
{
  if (tagged->status.code.kind == HERON_IMAP_CODE_MODIFIED)
    _heron_imap_ranges_add_to_set (&tagged->status.code.set1, op->modified);
}

static void
store_finish (GTask *task,
              Op    *op)
{
  g_task_return_pointer (task, g_steal_pointer (&op->modified),
                         (GDestroyNotify) heron_imap_uid_set_free);
}

void
heron_imap_session_uid_store_async (HeronImapSession      *self,
                                    const HeronImapUidSet *uids,
                                    HeronImapStoreAction   action,
                                    const char * const    *flags,
                                    gboolean               silent,
                                    guint64                unchanged_since,
                                    HeronImapFetchFunc     func,
                                    gpointer               func_data,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (uids != NULL && heron_imap_uid_set_get_kind (uids) == HERON_IMAP_SET_UID);
  g_return_if_fail (flags != NULL);

  task = _heron_imap_session_task_new (self, heron_imap_session_uid_store_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, TRUE))
    return;
  if (unchanged_since != HERON_IMAP_MODSEQ_NONE &&
      !_heron_imap_session_require (self, task, "CONDSTORE", "STORE UNCHANGEDSINCE"))
    return;

  op = g_task_get_task_data (task);
  op->modified = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  if (heron_imap_uid_set_is_empty (uids))
    {
      store_finish (task, op);
      return;
    }

  pieces = split (uids);
  commands = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_command_unref);
  for (guint i = 0; i < pieces->len; i++)
    {
      g_autoptr(GError) error = NULL;
      HeronImapCommand *command = heron_imap_command_new_store (pieces->pdata[i], action, silent, flags,
                                                                unchanged_since, &error);

      if (command == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (commands, command);
    }

  op->uids = heron_imap_uid_set_copy (uids);
  op->fetch_func = func;
  op->fetch_data = func_data;
  op->tagged = store_tagged;
  op->finish = store_finish;

  for (guint i = 0; i < commands->len; i++)
    _heron_imap_session_send (self, task, commands->pdata[i], HERON_IMAP_SEND_NONE,
                              func != NULL ? &_heron_imap_fetch_handlers : NULL);
}

gboolean
heron_imap_session_uid_store_finish (HeronImapSession  *self,
                                     GAsyncResult      *result,
                                     HeronImapUidSet  **out_modified,
                                     GError           **error)
{
  HeronImapUidSet *modified;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  modified = g_task_propagate_pointer (G_TASK (result), error);
  if (modified == NULL)
    return FALSE;
  if (out_modified != NULL)
    *out_modified = modified;
  else
    heron_imap_uid_set_free (modified);
  return TRUE;
}

/* UID COPY, UID MOVE */

static void
add_copyuid (Op                  *op,
             const HeronImapCode *code)
{
  HeronImapCopyResult *copy = op->copy;

  copy->uidvalidity = code->number;
  for (guint i = 0; i < code->set1.n_ranges; i++)
    g_array_append_val (copy->source, code->set1.ranges[i]);
  for (guint i = 0; i < code->set2.n_ranges; i++)
    g_array_append_val (copy->destination, code->set2.ranges[i]);
}

/* MOVE reports COPYUID in an untagged OK before the expunges (RFC 6851 section 4.3). */
static gboolean
move_claim (const HeronImapResponse *response,
            gpointer                 user_data)
{
  return response->kind == HERON_IMAP_RESPONSE_STATUS &&
         response->status.condition == HERON_IMAP_CONDITION_OK &&
         response->status.code.kind == HERON_IMAP_CODE_COPYUID;
}

static void
move_untagged (HeronImapResponse *response,
               gpointer           user_data)
{
  add_copyuid (user_data, &response->status.code);
}

static const HeronImapHandlers move_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_STATUS),
  .claim = move_claim,
  .untagged = move_untagged,
};

static void
copy_tagged (Op                *op,
             HeronImapResponse *tagged)
{
  if (tagged->status.code.kind == HERON_IMAP_CODE_COPYUID)
    add_copyuid (op, &tagged->status.code);
}

static void
copy_finish (GTask *task,
             Op    *op)
{
  g_task_return_pointer (task, g_steal_pointer (&op->copy),
                         (GDestroyNotify) heron_imap_copy_result_free);
}

void
heron_imap_session_uid_copy_async (HeronImapSession      *self,
                                   const HeronImapUidSet *uids,
                                   const char            *mailbox,
                                   gboolean               move,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  HeronImapCommandFlags flags;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (uids != NULL && heron_imap_uid_set_get_kind (uids) == HERON_IMAP_SET_UID);
  g_return_if_fail (mailbox != NULL);

  task = _heron_imap_session_task_new (self, heron_imap_session_uid_copy_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, TRUE))
    return;
  if (move && !_heron_imap_session_require (self, task, "MOVE", "UID MOVE"))
    return;

  op = g_task_get_task_data (task);
  op->copy = g_new0 (HeronImapCopyResult, 1);
  op->copy->source = g_array_new (FALSE, FALSE, sizeof (HeronImapRange));
  op->copy->destination = g_array_new (FALSE, FALSE, sizeof (HeronImapRange));
  op->tagged = copy_tagged;
  op->finish = copy_finish;
  if (heron_imap_uid_set_is_empty (uids))
    {
      copy_finish (task, op);
      return;
    }

  flags = _heron_imap_session_command_flags (self);
  pieces = split (uids);
  commands = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_command_unref);
  for (guint i = 0; i < pieces->len; i++)
    {
      g_autoptr(GError) error = NULL;
      HeronImapCommand *command = move ?
        heron_imap_command_new_move (flags, pieces->pdata[i], mailbox, &error) :
        heron_imap_command_new_copy (flags, pieces->pdata[i], mailbox, &error);

      if (command == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (commands, command);
    }

  for (guint i = 0; i < commands->len; i++)
    _heron_imap_session_send (self, task, commands->pdata[i], HERON_IMAP_SEND_NONE,
                              move ? &move_handlers : NULL);
}

HeronImapCopyResult *
heron_imap_session_uid_copy_finish (HeronImapSession  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* EXPUNGE, UID EXPUNGE */

void
heron_imap_session_expunge_async (HeronImapSession      *self,
                                  const HeronImapUidSet *uids,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GPtrArray) commands = NULL;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = _heron_imap_session_task_new (self, heron_imap_session_expunge_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, TRUE))
    return;

  if (uids == NULL)
    {
      g_autoptr(HeronImapCommand) command = heron_imap_command_new_expunge ();

      _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, NULL);
      return;
    }

  if (!_heron_imap_session_require (self, task, "UIDPLUS", "UID EXPUNGE"))
    return;
  if (heron_imap_uid_set_is_empty (uids))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  pieces = split (uids);
  commands = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_command_unref);
  for (guint i = 0; i < pieces->len; i++)
    {
      g_autoptr(GError) error = NULL;
      HeronImapCommand *command = heron_imap_command_new_uid_expunge (pieces->pdata[i], &error);

      if (command == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (commands, command);
    }

  for (guint i = 0; i < commands->len; i++)
    _heron_imap_session_send (self, task, commands->pdata[i], HERON_IMAP_SEND_NONE, NULL);
}

gboolean
heron_imap_session_expunge_finish (HeronImapSession  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* APPEND */

static void
append_tagged (Op                *op,
               HeronImapResponse *tagged)
{
  const HeronImapCode *code = &tagged->status.code;

  if (code->kind == HERON_IMAP_CODE_APPENDUID && code->set1.n_ranges > 0)
    {
      op->uidvalidity = code->number;
      op->uid = code->set1.ranges[0].first;
    }
}

void
heron_imap_session_append_async (HeronImapSession    *self,
                                 const char          *mailbox,
                                 const char * const  *flags,
                                 GDateTime           *date,
                                 GBytes              *message,
                                 GInputStream        *stream,
                                 guint64              size,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  heron_imap_session_append_full_async (self, mailbox, flags, date, message, stream, size,
                                        HERON_IMAP_APPEND_FLAGS_NONE, cancellable, callback,
                                        user_data);
}

/* The UTF8 form is chosen from what is enabled: UTF8=ACCEPT or IMAP4rev2 (both make the session
 * build commands with HERON_IMAP_COMMAND_UTF8_ACCEPT). Without either, HERON_IMAP_APPEND_UTF8 is
 * dropped and the message goes as a plain literal, as a server without them expects. */
void
heron_imap_session_append_full_async (HeronImapSession     *self,
                                      const char           *mailbox,
                                      const char * const   *flags,
                                      GDateTime            *date,
                                      GBytes               *message,
                                      GInputStream         *stream,
                                      guint64               size,
                                      HeronImapAppendFlags  append_flags,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapCommandFlags command_flags;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (mailbox != NULL);
  g_return_if_fail ((message != NULL) != (stream != NULL));

  task = _heron_imap_session_task_new (self, heron_imap_session_append_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, FALSE))
    return;

  command_flags = _heron_imap_session_command_flags (self);
  if ((command_flags & HERON_IMAP_COMMAND_UTF8_ACCEPT) == 0)
    append_flags &= ~HERON_IMAP_APPEND_UTF8;

  if (message != NULL)
    command = heron_imap_command_new_append (command_flags, mailbox, flags, date, message,
                                             append_flags, &error);
  else
    command = heron_imap_command_new_append_stream (command_flags, mailbox, flags, date, stream, size,
                                                    append_flags, &error);
  if (command == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  op = g_task_get_task_data (task);
  op->tagged = append_tagged;
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, NULL);
}

gboolean
heron_imap_session_append_finish (HeronImapSession  *self,
                                  GAsyncResult      *result,
                                  guint32           *out_uidvalidity,
                                  guint32           *out_uid,
                                  GError           **error)
{
  Op *op;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  op = g_task_get_task_data (G_TASK (result));
  if (out_uidvalidity != NULL)
    *out_uidvalidity = op->uidvalidity;
  if (out_uid != NULL)
    *out_uid = op->uid;
  return TRUE;
}

/* UID SEARCH */

static gboolean
search_claim (const HeronImapResponse *response,
              gpointer                 user_data)
{
  Op *op = user_data;

  /* ESEARCH with a correlator was matched to its command by the connection; SEARCH has none,
   * and each command gets exactly one, in order. */
  if (response->kind == HERON_IMAP_RESPONSE_SEARCH)
    return !op->got_search;
  return TRUE;
}

static void
search_untagged (HeronImapResponse *response,
                 gpointer           user_data)
{
  Op *op = user_data;

  op->got_search = TRUE;
  if (response->kind == HERON_IMAP_RESPONSE_SEARCH)
    {
      for (guint i = 0; i < response->search.n_numbers; i++)
        heron_imap_uid_set_add (op->search, response->search.numbers[i]);
      if (response->search.has_modseq)
        op->modseq = response->search.modseq;
    }
  else
    {
      if (response->esearch.items & HERON_IMAP_ESEARCH_ALL)
        _heron_imap_ranges_add_to_set (&response->esearch.all, op->search);
      if (response->esearch.items & HERON_IMAP_ESEARCH_MODSEQ)
        op->modseq = response->esearch.modseq;
    }
}

static const HeronImapHandlers search_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_SEARCH) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_ESEARCH),
  .claim = search_claim,
  .untagged = search_untagged,
};

static void
search_finish (GTask *task,
               Op    *op)
{
  g_task_return_pointer (task, g_steal_pointer (&op->search), (GDestroyNotify) heron_imap_uid_set_free);
}

void
heron_imap_session_uid_search_async (HeronImapSession    *self,
                                     HeronImapCommand    *criteria,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  static const char * const return_all[] = { "ALL", NULL };
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *returns;
  HeronImapCommandFlags flags;
  Op *op;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));
  g_return_if_fail (criteria != NULL);

  task = _heron_imap_session_task_new (self, heron_imap_session_uid_search_async, cancellable,
                                       callback, user_data);
  if (!_heron_imap_session_check_ready (self, task, TRUE))
    return;

  flags = _heron_imap_session_command_flags (self);
  returns = heron_imap_session_has_capability (self, "ESEARCH") ? return_all : NULL;
  command = heron_imap_command_new_search (flags, TRUE, returns, NULL, criteria, &error);
  if (command == NULL && g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED))
    {
      /* 8-bit strings without UTF8=ACCEPT: say what they are in. */
      g_clear_error (&error);
      command = heron_imap_command_new_search (flags, TRUE, returns, "UTF-8", criteria, &error);
    }
  if (command == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  op = g_task_get_task_data (task);
  op->search = heron_imap_uid_set_new (HERON_IMAP_SET_UID);
  op->finish = search_finish;
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, &search_handlers);
}

HeronImapUidSet *
heron_imap_session_uid_search_finish (HeronImapSession  *self,
                                      GAsyncResult      *result,
                                      guint64           *out_modseq,
                                      GError           **error)
{
  HeronImapUidSet *set;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  set = g_task_propagate_pointer (G_TASK (result), error);
  if (set != NULL && out_modseq != NULL)
    *out_modseq = ((Op *) g_task_get_task_data (G_TASK (result)))->modseq;
  return set;
}
