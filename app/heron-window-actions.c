/* heron-window-actions.c: the main window's actions: on messages (with undo), compose, search
 *
 * Every action on messages goes through HeronAccount's operations, which change the cache at
 * once and reach the server when it can (docs/sync.md): they work offline the same way. The
 * selection may span folders and accounts (the unified inbox, search results); an operation is
 * started per folder. Each one shows a toast with "Undo", which runs the opposite operation on
 * exactly the messages that changed. The accelerators are in heron-application-actions.c.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-account-setup-window.h"
#include "heron-composer-window.h"
#include "heron-window-private.h"

/* One operation on the messages of one folder, and what undoes it. */
typedef enum {
  OP_FLAGS,
  OP_MOVE,
  OP_DELETE,
} OpKind;

typedef struct {
  HeronWindow       *window;      /* weak */
  OpKind             kind;
  HeronAccount      *account;
  HeronFolder       *source;
  HeronFolder       *dest;        /* OP_MOVE */
  GPtrArray         *messages;    /* HeronMessage */
  GPtrArray         *changing;    /* OP_FLAGS: those whose flags this changes (for undo) */
  HeronMessageFlags  add;         /* OP_FLAGS */
  HeronMessageFlags  remove;
  gboolean           is_undo;
} Op;

static void
op_free (Op *op)
{
  /* The undo array of a toast holds NULL once its operation ran. */
  if (op == NULL)
    return;
  g_clear_weak_pointer (&op->window);
  g_clear_object (&op->account);
  g_clear_object (&op->source);
  g_clear_object (&op->dest);
  g_clear_pointer (&op->messages, g_ptr_array_unref);
  g_clear_pointer (&op->changing, g_ptr_array_unref);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)

static Op *
op_new (HeronWindow *window,
        OpKind       kind,
        GPtrArray   *messages)
{
  Op *op = g_new0 (Op, 1);
  HeronMessage *first = g_ptr_array_index (messages, 0);

  g_set_weak_pointer (&op->window, window);
  op->kind = kind;
  op->account = g_object_ref (heron_message_get_account (first));
  op->source = g_object_ref (heron_message_get_folder (first));
  op->messages = g_ptr_array_ref (messages);
  return op;
}

/* The messages grouped by folder: a GPtrArray of GPtrArray of HeronMessage. */
static GPtrArray *
group_by_folder (GPtrArray *messages)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < messages->len; i++)
    {
      HeronMessage *message = g_ptr_array_index (messages, i);
      GPtrArray *group = NULL;

      for (guint j = 0; j < groups->len && group == NULL; j++)
        {
          GPtrArray *candidate = g_ptr_array_index (groups, j);
          HeronMessage *head = g_ptr_array_index (candidate, 0);

          if (heron_message_get_folder (head) == heron_message_get_folder (message))
            group = candidate;
        }
      if (group == NULL)
        {
          group = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (groups, group);
        }
      g_ptr_array_add (group, g_object_ref (message));
    }
  return groups;
}

static GPtrArray *
heron_window_get_selected (HeronWindow *self)
{
  return heron_message_list_view_get_selected (heron_window_get_message_list_view (self));
}

static void op_run (Op *op);

static void
on_undo_clicked (AdwToast *toast,
                 gpointer  user_data)
{
  GPtrArray *undo_ops = g_object_get_data (G_OBJECT (toast), "heron-undo");

  for (guint i = 0; undo_ops != NULL && i < undo_ops->len; i++)
    {
      Op *op = g_ptr_array_index (undo_ops, i);

      g_ptr_array_index (undo_ops, i) = NULL;
      if (op != NULL)
        op_run (op);
    }
}

/* A toast for a finished operation; with undo when @undo is not NULL (takes it). */
static void
heron_window_toast (HeronWindow *self,
                    const char  *text,
                    Op          *undo)
{
  AdwToast *toast = adw_toast_new (text);

  if (undo != NULL)
    {
      GPtrArray *undo_ops = g_ptr_array_new_with_free_func ((GDestroyNotify) op_free);

      g_ptr_array_add (undo_ops, undo);
      adw_toast_set_button_label (toast, _("_Undo"));
      g_object_set_data_full (G_OBJECT (toast), "heron-undo", undo_ops,
                              (GDestroyNotify) g_ptr_array_unref);
      g_signal_connect (toast, "button-clicked", G_CALLBACK (on_undo_clicked), NULL);
    }
  _heron_window_add_toast (self, toast);
}

static void
heron_window_error_toast (HeronWindow  *self,
                          const GError *error)
{
  g_autofree char *text = g_strdup_printf (_("The action failed: %s"), error->message);

  _heron_window_add_toast (self, adw_toast_new (text));
}

static char *
op_describe (Op *op)
{
  guint n = op->messages->len;

  if (op->is_undo)
    return g_strdup (_("Undone"));

  switch (op->kind)
    {
    case OP_FLAGS:
      if (op->add & HERON_MESSAGE_FLAG_SEEN)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Marked %u message as read",
                                             "Marked %u messages as read", n), n);
      if (op->remove & HERON_MESSAGE_FLAG_SEEN)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Marked %u message as unread",
                                             "Marked %u messages as unread", n), n);
      if (op->add & HERON_MESSAGE_FLAG_FLAGGED)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Flagged %u message",
                                             "Flagged %u messages", n), n);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Unflagged %u message",
                                           "Unflagged %u messages", n), n);
    case OP_MOVE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Moved %u message to %s",
                                           "Moved %u messages to %s", n),
                              n, heron_folder_get_display_name (op->dest));
    case OP_DELETE:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Deleted %u message",
                                           "Deleted %u messages", n), n);
    }
}

static void
on_flags_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Op) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Op *undo = NULL;

  if (!heron_account_set_flags_finish (HERON_ACCOUNT (source), result, &error))
    {
      if (op->window != NULL)
        heron_window_error_toast (op->window, error);
      return;
    }
  if (op->window == NULL)
    return;

  text = op_describe (op);
  if (!op->is_undo && op->changing != NULL && op->changing->len > 0)
    {
      undo = op_new (op->window, OP_FLAGS, op->changing);
      undo->add = op->remove;
      undo->remove = op->add;
      undo->is_undo = TRUE;
    }
  heron_window_toast (op->window, text, undo);
}

static void
on_move_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Op) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) moved = NULL;
  g_autofree char *text = NULL;
  Op *undo = NULL;

  if (op->kind == OP_DELETE)
    moved = heron_account_delete_finish (HERON_ACCOUNT (source), result, &error);
  else
    moved = heron_account_move_finish (HERON_ACCOUNT (source), result, &error);
  if (moved == NULL)
    {
      if (op->window != NULL)
        heron_window_error_toast (op->window, error);
      return;
    }
  if (op->window == NULL)
    return;

  text = op_describe (op);
  /* The moved messages go back where they came from; a message deleted for good cannot. */
  if (!op->is_undo && moved->len > 0)
    {
      undo = op_new (op->window, OP_MOVE, moved);
      g_set_object (&undo->dest, op->source);
      undo->is_undo = TRUE;
    }
  heron_window_toast (op->window, text, undo);
}

static void
op_run (Op *op)
{
  HeronMessage **messages = (HeronMessage **) op->messages->pdata;
  guint n = op->messages->len;

  switch (op->kind)
    {
    case OP_FLAGS:
      heron_account_set_flags_async (op->account, messages, n, op->add, op->remove, NULL,
                                     on_flags_done, op);
      break;
    case OP_MOVE:
      heron_account_move_async (op->account, messages, n, op->dest, NULL, on_move_done, op);
      break;
    case OP_DELETE:
    default:
      heron_account_delete_async (op->account, messages, n, NULL, on_move_done, op);
      break;
    }
}

/* Flags: the operation goes to every selected message (the server's copy may differ from what
 * the list knows yet); undo goes only to those whose flags it changed, so that it restores
 * exactly the previous state. */
static gboolean
flags_change (HeronMessage      *message,
              HeronMessageFlags  add,
              HeronMessageFlags  remove)
{
  HeronMessageFlags flags = heron_message_get_flags (message);

  return (flags & add) != add || (flags & remove) != 0;
}

static void
heron_window_change_flags (HeronWindow       *self,
                           HeronMessageFlags  add,
                           HeronMessageFlags  remove)
{
  g_autoptr(GPtrArray) selected = heron_window_get_selected (self);
  g_autoptr(GPtrArray) groups = NULL;

  if (selected->len == 0)
    return;

  groups = group_by_folder (selected);
  for (guint i = 0; i < groups->len; i++)
    {
      GPtrArray *group = g_ptr_array_index (groups, i);
      Op *op = op_new (self, OP_FLAGS, group);

      op->add = add;
      op->remove = remove;
      op->changing = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint j = 0; j < group->len; j++)
        if (flags_change (g_ptr_array_index (group, j), add, remove))
          g_ptr_array_add (op->changing, g_object_ref (g_ptr_array_index (group, j)));
      op_run (op);
    }
}

static void
mark_read_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  heron_window_change_flags (HERON_WINDOW (user_data), HERON_MESSAGE_FLAG_SEEN, 0);
}

static void
mark_unread_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  heron_window_change_flags (HERON_WINDOW (user_data), 0, HERON_MESSAGE_FLAG_SEEN);
}

static void
flag_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  heron_window_change_flags (HERON_WINDOW (user_data), HERON_MESSAGE_FLAG_FLAGGED, 0);
}

static void
unflag_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  heron_window_change_flags (HERON_WINDOW (user_data), 0, HERON_MESSAGE_FLAG_FLAGGED);
}

/* Flags the selection unless every message of it is flagged, then unflags it. */
static void
toggle_flag_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);
  g_autoptr(GPtrArray) selected = heron_window_get_selected (self);
  gboolean all_flagged = selected->len > 0;

  for (guint i = 0; i < selected->len; i++)
    if (!heron_message_get_flagged (g_ptr_array_index (selected, i)))
      all_flagged = FALSE;

  if (all_flagged)
    heron_window_change_flags (self, 0, HERON_MESSAGE_FLAG_FLAGGED);
  else
    heron_window_change_flags (self, HERON_MESSAGE_FLAG_FLAGGED, 0);
}

/* Moves */

static void
heron_window_move_groups (HeronWindow     *self,
                          GPtrArray       *messages,
                          HeronFolderRole  role,
                          HeronFolder     *dest)
{
  g_autoptr(GPtrArray) groups = group_by_folder (messages);

  for (guint i = 0; i < groups->len; i++)
    {
      GPtrArray *group = g_ptr_array_index (groups, i);
      HeronMessage *head = g_ptr_array_index (group, 0);
      HeronAccount *account = heron_message_get_account (head);
      HeronFolder *target = dest;
      Op *op;

      if (target == NULL && role != HERON_FOLDER_ROLE_NONE)
        {
          target = heron_account_get_folder_for_role (account, role);
          if (target == NULL)
            {
              g_autofree char *text = NULL;

              if (role == HERON_FOLDER_ROLE_ARCHIVE)
                text = g_strdup_printf (_("%s has no Archive folder"), heron_account_get_display_name (account));
              else
                text = g_strdup_printf (_("%s has no Junk folder"), heron_account_get_display_name (account));
              _heron_window_add_toast (self, adw_toast_new (text));
              continue;
            }
        }
      if (target == heron_message_get_folder (head))
        continue;

      op = op_new (self, OP_MOVE, group);
      g_set_object (&op->dest, target);
      op_run (op);
    }
}

void
_heron_window_move_messages (HeronWindow *self,
                             GListModel  *messages,
                             HeronFolder *dest)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (messages);

  for (guint i = 0; i < n; i++)
    {
      HeronMessage *message = g_list_model_get_item (messages, i);

      /* A move stays within one account. */
      if (heron_message_get_account (message) == heron_folder_get_account (dest))
        g_ptr_array_add (array, message);
      else
        g_object_unref (message);
    }
  if (array->len > 0)
    heron_window_move_groups (self, array, HERON_FOLDER_ROLE_NONE, dest);
}

static void
archive_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);
  g_autoptr(GPtrArray) selected = heron_window_get_selected (self);

  if (selected->len == 0)
    return;
  _heron_window_reselect_after_removal (self);
  heron_window_move_groups (self, selected, HERON_FOLDER_ROLE_ARCHIVE, NULL);
}

static void
junk_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);
  g_autoptr(GPtrArray) selected = heron_window_get_selected (self);

  if (selected->len == 0)
    return;
  _heron_window_reselect_after_removal (self);
  heron_window_move_groups (self, selected, HERON_FOLDER_ROLE_JUNK, NULL);
}

static void
delete_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);
  g_autoptr(GPtrArray) selected = heron_window_get_selected (self);
  g_autoptr(GPtrArray) groups = NULL;

  if (selected->len == 0)
    return;
  _heron_window_reselect_after_removal (self);
  groups = group_by_folder (selected);
  for (guint i = 0; i < groups->len; i++)
    op_run (op_new (self, OP_DELETE, g_ptr_array_index (groups, i)));
}

/* move-to: the parameter is the destination's server name, in the account of the selection. */
static void
move_to_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);
  g_autoptr(GPtrArray) selected = heron_window_get_selected (self);
  g_autoptr(GListStore) store = g_list_store_new (HERON_TYPE_MESSAGE);
  HeronAccount *account;
  HeronFolder *dest;

  if (selected->len == 0)
    return;
  account = heron_message_get_account (g_ptr_array_index (selected, 0));
  dest = heron_account_lookup_folder (account, g_variant_get_string (parameter, NULL));
  if (dest == NULL)
    return;
  for (guint i = 0; i < selected->len; i++)
    g_list_store_append (store, g_ptr_array_index (selected, i));
  _heron_window_reselect_after_removal (self);
  _heron_window_move_messages (self, G_LIST_MODEL (store), dest);
}

static void
add_folder_items (GMenu      *menu,
                  GListModel *folders)
{
  guint n = g_list_model_get_n_items (folders);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronFolder) folder = g_list_model_get_item (folders, i);
      g_autoptr(GMenuItem) item = NULL;
      GListModel *children = heron_folder_get_children (folder);

      if (heron_folder_get_selectable (folder))
        {
          item = g_menu_item_new (heron_folder_get_path (folder), NULL);
          g_menu_item_set_action_and_target (item, "win.move-to", "s", heron_folder_get_name (folder));
          g_menu_append_item (menu, item);
        }
      if (children != NULL)
        add_folder_items (menu, children);
    }
}

GMenuModel *
_heron_window_build_move_menu (HeronWindow *self)
{
  GMenu *menu = g_menu_new ();
  HeronAccount *account = _heron_window_get_current_account (self);

  if (account != NULL)
    add_folder_items (menu, heron_account_get_folders (account));
  return G_MENU_MODEL (menu);
}

/* Compose, reply, forward */

static GPtrArray *
account_identities (HeronAccount *account)
{
  GListModel *identities = heron_account_config_get_identities (heron_account_get_config (account));
  GPtrArray *array = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (identities);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (array, g_list_model_get_item (identities, i));
  return array;
}

static void
heron_window_open_composer (HeronWindow          *self,
                            HeronAccount         *account,
                            HeronMimeComposition *composition,
                            HeronMessage         *draft)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GtkWindow *composer;

  composer = heron_composer_window_new (app, _heron_window_get_manager (self), account, composition, draft);
  gtk_window_present (composer);
}

typedef enum {
  RESPOND_REPLY,
  RESPOND_REPLY_ALL,
  RESPOND_FORWARD,
  RESPOND_EDIT_DRAFT,
} RespondKind;

typedef struct {
  HeronWindow  *window;  /* weak */
  HeronMessage *message;
  RespondKind   kind;
} Respond;

static void
respond_free (Respond *respond)
{
  g_clear_weak_pointer (&respond->window);
  g_clear_object (&respond->message);
  g_free (respond);
}

static void
heron_window_respond_with (HeronWindow      *self,
                           HeronMessage     *message,
                           HeronMimeMessage *mime,
                           RespondKind       kind)
{
  HeronAccount *account = heron_message_get_account (message);
  g_autoptr(GPtrArray) identities = account_identities (account);
  g_autoptr(HeronMimeComposition) composition = NULL;

  switch (kind)
    {
    case RESPOND_REPLY:
      composition = heron_mime_composition_new_reply (mime, identities, FALSE);
      break;
    case RESPOND_REPLY_ALL:
      composition = heron_mime_composition_new_reply (mime, identities, TRUE);
      break;
    case RESPOND_FORWARD:
      composition = heron_mime_composition_new_forward (mime, identities, FALSE);
      break;
    case RESPOND_EDIT_DRAFT:
    default:
      composition = heron_mime_composition_new_from_draft (mime, identities);
      break;
    }
  heron_window_open_composer (self, account, composition, kind == RESPOND_EDIT_DRAFT ? message : NULL);
}

static void
on_respond_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Respond *respond = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronMimeMessage) mime = NULL;

  mime = heron_message_load_finish (HERON_MESSAGE (source), result, &error);
  if (respond->window != NULL)
    {
      if (mime == NULL)
        heron_window_error_toast (respond->window, error);
      else
        heron_window_respond_with (respond->window, respond->message, mime, respond->kind);
    }
  respond_free (respond);
}

static void
heron_window_respond (HeronWindow *self,
                      RespondKind  kind)
{
  g_autoptr(GPtrArray) selected = heron_window_get_selected (self);
  HeronMessageView *view = heron_window_get_message_view (self);
  HeronMessage *message;
  Respond *respond;

  if (selected->len != 1)
    return;
  message = g_ptr_array_index (selected, 0);

  /* The reader has usually parsed it already. */
  if (heron_message_view_get_message (view) == message && heron_message_view_get_mime_message (view) != NULL)
    {
      heron_window_respond_with (self, message, heron_message_view_get_mime_message (view), kind);
      return;
    }

  respond = g_new0 (Respond, 1);
  g_set_weak_pointer (&respond->window, self);
  respond->message = g_object_ref (message);
  respond->kind = kind;
  heron_message_load_async (message, NULL, on_respond_loaded, respond);
}

static void
reply_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  heron_window_respond (HERON_WINDOW (user_data), RESPOND_REPLY);
}

static void
reply_all_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  heron_window_respond (HERON_WINDOW (user_data), RESPOND_REPLY_ALL);
}

static void
forward_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  heron_window_respond (HERON_WINDOW (user_data), RESPOND_FORWARD);
}

static void
edit_draft_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  heron_window_respond (HERON_WINDOW (user_data), RESPOND_EDIT_DRAFT);
}

static void
compose_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);

  if (_heron_window_get_current_account (self) == NULL)
    return;
  heron_window_open_composer (self, _heron_window_get_current_account (self), NULL, NULL);
}

/* A composition from a mailto: URI (RFC 6068): the addresses of its path and of "to", "cc" and
 * "bcc", "subject" and "body"; every other field (attachments among them) is ignored. */
static HeronMimeComposition *
composition_for_mailto (HeronAccount *account,
                        const char   *uri)
{
  GListModel *identities = heron_account_config_get_identities (heron_account_get_config (account));
  g_autoptr(HeronAccountIdentity) identity = g_list_model_get_item (identities, 0);
  g_autoptr(HeronMimeComposition) composition = heron_mime_composition_new (identity);
  g_autoptr(GHashTable) fields = NULL;
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  const char *rest = uri + strlen ("mailto:");
  const char *query = strchr (rest, '?');
  g_autofree char *signature = heron_mime_signature_block (identity);
  const char *value;
  struct {
    const char *field;
    GPtrArray  *list;
  } address_fields[] = {
    { "to", composition->to },
    { "cc", composition->cc },
    { "bcc", composition->bcc },
  };

  path = g_uri_unescape_segment (rest, query, NULL);
  if (path != NULL && *path != '\0')
    {
      g_autoptr(GPtrArray) addresses = heron_mime_address_list_parse (path, -1);

      for (guint i = 0; i < addresses->len; i++)
        g_ptr_array_add (composition->to, heron_mime_address_copy (g_ptr_array_index (addresses, i)));
    }

  if (query != NULL)
    fields = g_uri_parse_params (query + 1, -1, "&", G_URI_PARAMS_CASE_INSENSITIVE, NULL);
  for (guint f = 0; fields != NULL && f < G_N_ELEMENTS (address_fields); f++)
    if ((value = g_hash_table_lookup (fields, address_fields[f].field)) != NULL)
      {
        g_autoptr(GPtrArray) addresses = heron_mime_address_list_parse (value, -1);

        for (guint i = 0; i < addresses->len; i++)
          g_ptr_array_add (address_fields[f].list,
                           heron_mime_address_copy (g_ptr_array_index (addresses, i)));
      }
  if (fields != NULL && (value = g_hash_table_lookup (fields, "subject")) != NULL)
    {
      g_free (composition->subject);
      /* One line: a subject never carries a line break into the header. */
      composition->subject = g_strdelimit (g_strdup (value), "\r\n\t", ' ');
    }
  if (fields != NULL && (value = g_hash_table_lookup (fields, "body")) != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (value, "\r\n", -1);

      body = g_strjoinv ("\n", lines);
    }
  g_free (composition->body);
  /* the text the link brings, then the identity's signature block as a new message has it */
  composition->body = g_strconcat (body != NULL ? body : "", "\n\n", signature != NULL ? signature : "", NULL);
  return g_steal_pointer (&composition);
}

/* win.compose-to(s): a new message from a mailto: URI (a link in a message). */
static void
compose_to_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);
  HeronAccount *account = _heron_window_get_current_account (self);
  const char *uri = g_variant_get_string (parameter, NULL);
  g_autoptr(HeronMimeComposition) composition = NULL;

  if (account == NULL || g_ascii_strncasecmp (uri, "mailto:", 7) != 0)
    return;
  composition = composition_for_mailto (account, uri);
  heron_window_open_composer (self, account, composition, NULL);
}

/* Window */

static void
add_account_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);
  GtkWindow *setup;

  if (_heron_window_get_manager (self) == NULL)
    return;
  setup = heron_account_setup_window_new (GTK_WINDOW (self), _heron_window_get_manager (self));
  gtk_window_present (setup);
}

static void
account_problem_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  _heron_window_account_problem (HERON_WINDOW (user_data));
}

static void
go_back_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  _heron_window_go_back (HERON_WINDOW (user_data));
}

static void
refresh_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);
  HeronFolder *folder = _heron_window_get_current_folder (self);
  HeronAccountManager *manager = _heron_window_get_manager (self);

  if (folder != NULL)
    heron_account_sync_async (heron_folder_get_account (folder), folder, NULL, NULL, NULL);
  else if (manager != NULL)
    {
      GListModel *accounts = heron_account_manager_get_accounts (manager);

      for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
        {
          g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);

          heron_account_sync_async (account, NULL, NULL, NULL, NULL);
        }
    }
}

static void
search_action (GSimpleAction *action,
               GVariant      *state,
               gpointer       user_data)
{
  HeronWindow *self = HERON_WINDOW (user_data);

  g_simple_action_set_state (action, state);
  _heron_window_set_search_mode (self, g_variant_get_boolean (state));
}

static void
conversation_view_action (GSimpleAction *action,
                          GVariant      *state,
                          gpointer       user_data)
{
  g_simple_action_set_state (action, state);
  _heron_window_set_threaded (HERON_WINDOW (user_data), g_variant_get_boolean (state));
}

static const GActionEntry window_actions[] = {
  { "compose", compose_action },
  { "compose-to", compose_to_action, "s" },
  { "reply", reply_action },
  { "reply-all", reply_all_action },
  { "forward", forward_action },
  { "edit-draft", edit_draft_action },
  { "mark-read", mark_read_action },
  { "mark-unread", mark_unread_action },
  { "flag", flag_action },
  { "unflag", unflag_action },
  { "toggle-flag", toggle_flag_action },
  { "archive", archive_action },
  { "junk", junk_action },
  { "delete", delete_action },
  { "move-to", move_to_action, "s" },
  { "add-account", add_account_action },
  { "account-problem", account_problem_action },
  { "go-back", go_back_action },
  { "refresh", refresh_action },
  { "search", NULL, NULL, "false", search_action },
  { "conversation-view", NULL, NULL, "true", conversation_view_action },
};

/* Actions that need a selection, and those that need exactly one message. */
static const char * const selection_actions[] = {
  "mark-read", "mark-unread", "flag", "unflag", "toggle-flag", "archive", "junk", "delete",
  "move-to",
};
static const char * const single_actions[] = {
  "reply", "reply-all", "forward", "edit-draft",
};

static void
set_enabled (HeronWindow *self,
             const char  *name,
             gboolean     enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (G_IS_SIMPLE_ACTION (action))
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_heron_window_update_actions (HeronWindow *self)
{
  guint n = heron_message_list_view_get_n_selected (heron_window_get_message_list_view (self));
  GMenu *section = g_object_get_data (G_OBJECT (self), "heron-move-section");
  GAction *search;

  for (guint i = 0; i < G_N_ELEMENTS (selection_actions); i++)
    set_enabled (self, selection_actions[i], n > 0);
  for (guint i = 0; i < G_N_ELEMENTS (single_actions); i++)
    set_enabled (self, single_actions[i], n == 1);
  set_enabled (self, "compose", _heron_window_get_current_account (self) != NULL);
  set_enabled (self, "compose-to", _heron_window_get_current_account (self) != NULL);

  search = g_action_map_lookup_action (G_ACTION_MAP (self), "search");
  if (search != NULL)
    g_simple_action_set_state (G_SIMPLE_ACTION (search),
                               g_variant_new_boolean (_heron_window_get_search_mode (self)));

  /* The "Move To" submenu lists the folders of the account shown. */
  if (section != NULL && n > 0)
    {
      g_autoptr(GMenuModel) move_menu = _heron_window_build_move_menu (self);

      g_menu_remove (section, 1);
      g_menu_insert_submenu (section, 1, _("_Move To"), move_menu);
    }
}

void
_heron_window_install_actions (HeronWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions, G_N_ELEMENTS (window_actions),
                                   self);
}

void
_heron_window_sync_action_state (HeronWindow *self)
{
  GSettings *settings = _heron_window_get_settings (self);
  GAction *conversation;

  conversation = g_action_map_lookup_action (G_ACTION_MAP (self), "conversation-view");
  if (settings != NULL)
    g_simple_action_set_state (G_SIMPLE_ACTION (conversation),
                               g_variant_new_boolean (g_settings_get_boolean (settings, "conversation-view")));
}
