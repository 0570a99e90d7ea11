/* heron-composer-window.c: writing a message
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window keeps the original composition (kind, In-Reply-To, References, format=flowed) and
 * the attachments; everything else lives in the widgets, and a HeronMimeComposition is made from
 * them for each save and for sending.
 *
 * Drafts: a change marks the window dirty and (re)starts a timer; when it fires, the composition
 * is built as a draft and saved through the account, replacing the previous draft. Only one save
 * runs at a time; a change during a save schedules the next. Closing a dirty window hides it,
 * saves, and destroys it once the draft is safe; if that save fails the window comes back with
 * the error, so nothing typed is lost.
 *
 * Sending: the composition is built off the main thread, handed to the account's outbox (which
 * keeps it durably), and the draft is deleted then. The window waits for ::message-sent or
 * ::send-failed with the message's Message-ID.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "heron-composer-window.h"
#include "heron-address-entry.h"

#define DEFAULT_AUTOSAVE_DELAY_MS 3000

struct _HeronComposerWindow
{
  AdwApplicationWindow   parent_instance;

  HeronAccountManager   *manager;
  HeronAccount          *account;
  HeronMimeComposition  *original;
  GPtrArray             *attachments;  /* HeronMimeComposeAttachment */
  HeronMessage          *draft;
  GCancellable          *cancellable;

  guint                  autosave_id;
  guint                  autosave_delay_ms;
  gboolean               dirty;
  gboolean               saving;
  gboolean               closing;
  gboolean               sending;
  gboolean               queued;
  gboolean               send_after_save;
  char                  *sent_message_id;
  /* The identity whose signature block the body was given (or NULL) */
  HeronAccountIdentity  *signature_identity;

  /* Template children */
  AdwWindowTitle        *window_title;
  GtkButton             *send_button;
  GtkRevealer           *status_revealer;
  GtkSpinner            *status_spinner;
  GtkImage              *status_icon;
  GtkLabel              *status_label;
  GtkButton             *status_close_button;
  AdwToastOverlay       *toast_overlay;
  GtkWidget             *form_box;
  GtkWidget             *fields_grid;
  GtkWidget             *from_label;
  GtkDropDown           *identity_dropdown;
  HeronAddressEntry     *to_entry;
  HeronAddressEntry     *cc_entry;
  HeronAddressEntry     *bcc_entry;
  GtkEntry              *subject_entry;
  GtkTextView           *body_view;
  GtkRevealer           *attachments_revealer;
  GtkListBox            *attachments_list;
};

G_DEFINE_FINAL_TYPE (HeronComposerWindow, heron_composer_window, ADW_TYPE_APPLICATION_WINDOW)

static void heron_composer_window_save (HeronComposerWindow *self);

/* GTK 4.8 warns when a text widget that has the focus is disposed with its window. */
static void
destroy_window (HeronComposerWindow *self)
{
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* The window's own state shown above the form: progress (spinner) or an error (icon). */
static void
show_status (HeronComposerWindow *self,
             const char          *message,
             gboolean             progress,
             gboolean             error)
{
  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  gtk_spinner_set_spinning (self->status_spinner, progress);
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), error);
  gtk_revealer_set_reveal_child (self->status_revealer, message != NULL);
}

static void
update_sensitivity (HeronComposerWindow *self)
{
  gboolean editable = !self->sending && !self->queued;

  /* GTK 4.8 does not tell a text widget it lost the focus when an ancestor becomes insensitive
   * (its cursor blink then warns): take the focus away first. */
  if (!editable)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_sensitive (self->form_box, editable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.send", editable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.attach", editable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.save-draft", editable);
  gtk_widget_set_visible (GTK_WIDGET (self->status_close_button), self->queued);
}

static HeronAccountIdentity *
dup_selected_identity (HeronComposerWindow *self)
{
  GListModel *identities = heron_account_config_get_identities (heron_account_get_config (self->account));
  guint selected = gtk_drop_down_get_selected (self->identity_dropdown);

  if (selected == GTK_INVALID_LIST_POSITION)
    selected = 0;
  return g_list_model_get_item (identities, selected);
}

static char *
dup_body (HeronComposerWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
take_addresses (HeronAddressEntry  *entry,
                GPtrArray          *into,
                gboolean            lenient,
                GError            **error)
{
  g_autoptr(GPtrArray) addresses = NULL;

  addresses = heron_address_entry_dup_addresses (entry, lenient ? NULL : error);
  if (addresses == NULL && lenient)
    /* A draft keeps what parses of a half-typed list. */
    addresses = heron_mime_address_list_parse (heron_address_entry_get_text (entry), -1);
  if (addresses == NULL)
    return FALSE;
  for (guint i = 0; i < addresses->len; i++)
    g_ptr_array_add (into, heron_mime_address_copy (g_ptr_array_index (addresses, i)));
  return TRUE;
}

/* What the window holds now, as a composition. For sending (!for_draft) every recipient must
 * be an address and there must be one. */
static HeronMimeComposition *
make_composition (HeronComposerWindow  *self,
                  gboolean              for_draft,
                  GError              **error)
{
  g_autoptr(HeronAccountIdentity) identity = dup_selected_identity (self);
  g_autoptr(HeronMimeComposition) composition = NULL;

  composition = heron_mime_composition_copy (self->original);
  g_clear_object (&composition->identity);
  composition->identity = g_object_ref (identity);
  g_ptr_array_set_size (composition->to, 0);
  g_ptr_array_set_size (composition->cc, 0);
  g_ptr_array_set_size (composition->bcc, 0);
  if (!take_addresses (self->to_entry, composition->to, for_draft, error)
      || !take_addresses (self->cc_entry, composition->cc, for_draft, error)
      || !take_addresses (self->bcc_entry, composition->bcc, for_draft, error))
    return NULL;
  if (!for_draft && composition->to->len + composition->cc->len + composition->bcc->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("Add at least one recipient"));
      return NULL;
    }

  g_free (composition->subject);
  composition->subject = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_entry))));
  g_free (composition->body);
  composition->body = dup_body (self);
  g_ptr_array_set_size (composition->attachments, 0);
  for (guint i = 0; i < self->attachments->len; i++)
    g_ptr_array_add (composition->attachments,
                     heron_mime_compose_attachment_copy (g_ptr_array_index (self->attachments, i)));

  return g_steal_pointer (&composition);
}

/* Nothing worth keeping: no draft yet and nothing typed beyond what the window started with. */
static gboolean
is_untouched (HeronComposerWindow *self)
{
  g_autofree char *body = NULL;
  g_autofree char *original = NULL;

  if (self->draft != NULL || self->attachments->len > 0)
    return FALSE;
  if (*heron_address_entry_get_text (self->to_entry) != '\0'
      || *heron_address_entry_get_text (self->cc_entry) != '\0'
      || *heron_address_entry_get_text (self->bcc_entry) != '\0'
      || *gtk_editable_get_text (GTK_EDITABLE (self->subject_entry)) != '\0')
    return FALSE;
  body = g_strstrip (dup_body (self));
  original = g_strstrip (g_strdup (self->original->body != NULL ? self->original->body : ""));
  return *body == '\0' || g_strcmp0 (body, original) == 0;
}

static gboolean
autosave_timeout (gpointer user_data)
{
  HeronComposerWindow *self = user_data;

  self->autosave_id = 0;
  heron_composer_window_save (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_autosave (HeronComposerWindow *self)
{
  g_clear_handle_id (&self->autosave_id, g_source_remove);
  if (self->sending || self->queued)
    return;
  self->autosave_id = g_timeout_add (self->autosave_delay_ms, autosave_timeout, self);
}

static void
on_changed (HeronComposerWindow *self)
{
  const char *subject = gtk_editable_get_text (GTK_EDITABLE (self->subject_entry));

  adw_window_title_set_title (self->window_title, *subject != '\0' ? subject : _("New Message"));
  gtk_window_set_title (GTK_WINDOW (self), *subject != '\0' ? subject : _("New Message"));
  if (self->sending || self->queued)
    return;
  /* An error about what was typed is answered by typing. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->status_icon)))
    show_status (self, NULL, FALSE, FALSE);
  self->dirty = TRUE;
  schedule_autosave (self);
}

/* Saving drafts. */

static void
save_finished (HeronComposerWindow *self,
               const GError        *error)
{
  self->saving = FALSE;

  if (self->send_after_save)
    {
      self->send_after_save = FALSE;
      gtk_widget_activate_action (GTK_WIDGET (self), "composer.send", NULL);
      return;
    }

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The draft could not be saved: %s"), error->message);

      self->dirty = TRUE;
      show_status (self, message, FALSE, TRUE);
      adw_window_title_set_subtitle (self->window_title, NULL);
      if (self->closing)
        {
          /* Do not lose what was typed: bring the window back. */
          self->closing = FALSE;
          gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
          gtk_window_present (GTK_WINDOW (self));
        }
      return;
    }

  adw_window_title_set_subtitle (self->window_title, _("Draft saved"));
  if (self->closing)
    {
      if (self->dirty)
        heron_composer_window_save (self);
      else
        destroy_window (self);
    }
  else if (self->dirty)
    schedule_autosave (self);
}

static void
save_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(HeronComposerWindow) self = user_data;
  g_autoptr(HeronMessage) draft = NULL;
  g_autoptr(GError) error = NULL;

  draft = heron_account_save_draft_finish (HERON_ACCOUNT (object), result, &error);
  if (draft != NULL)
    g_set_object (&self->draft, draft);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->saving = FALSE;
      return;
    }
  save_finished (self, error);
}

static void
build_draft_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HeronComposerWindow) self = user_data;
  g_autoptr(HeronMimeOutgoing) outgoing = NULL;
  g_autoptr(GError) error = NULL;

  outgoing = heron_mime_composition_build_finish (result, &error);
  if (outgoing == NULL)
    {
      save_finished (self, error);
      return;
    }
  heron_account_save_draft_async (self->account, outgoing->message, self->draft, NULL,
                                  save_draft_cb, g_object_ref (self));
}

static void
heron_composer_window_save (HeronComposerWindow *self)
{
  g_autoptr(HeronMimeComposition) composition = NULL;

  g_clear_handle_id (&self->autosave_id, g_source_remove);
  if (self->saving || self->sending || self->queued || !self->dirty)
    return;
  if (is_untouched (self))
    {
      self->dirty = FALSE;
      if (self->closing)
        destroy_window (self);
      return;
    }

  composition = make_composition (self, TRUE, NULL);
  g_assert (composition != NULL);
  self->dirty = FALSE;
  self->saving = TRUE;
  adw_window_title_set_subtitle (self->window_title, _("Saving draft…"));
  heron_mime_composition_build_async (composition, HERON_MIME_BUILD_DRAFT, NULL,
                                      build_draft_cb, g_object_ref (self));
}

/* Sending. */

static void
send_failed (HeronComposerWindow *self,
             const char          *what,
             const GError        *error)
{
  g_autofree char *message = g_strdup_printf ("%s: %s", what, error->message);

  self->sending = FALSE;
  self->queued = FALSE;
  g_clear_pointer (&self->sent_message_id, g_free);
  g_clear_object (&self->signature_identity);
  show_status (self, message, FALSE, TRUE);
  update_sensitivity (self);
  /* The draft was deleted when the message was queued: keep the text as a draft again. */
  self->dirty = TRUE;
  schedule_autosave (self);
}

static void
account_message_sent (HeronAccount        *account,
                      const char          *message_id,
                      HeronComposerWindow *self)
{
  if (self->sent_message_id == NULL || g_strcmp0 (message_id, self->sent_message_id) != 0)
    return;

  g_clear_pointer (&self->sent_message_id, g_free);
  self->queued = FALSE;
  self->dirty = FALSE;
  destroy_window (self);
}

static void
account_send_failed (HeronAccount        *account,
                     const char          *message_id,
                     const GError        *error,
                     HeronComposerWindow *self)
{
  if (self->sent_message_id == NULL || g_strcmp0 (message_id, self->sent_message_id) != 0)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  send_failed (self, _("The message was not sent"), error);
}

static void
show_waiting (HeronComposerWindow *self)
{
  if (!self->queued)
    return;
  if (heron_account_get_state (self->account) == HERON_SYNC_STATE_ONLINE)
    show_status (self, _("Sending…"), TRUE, FALSE);
  else
    show_status (self, _("Waiting for a connection. The message is in the outbox and will be sent "
                         "as soon as Heron is online; you can close this window."), TRUE, FALSE);
}

static void
delete_draft_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GPtrArray) moved = NULL;
  g_autoptr(GError) error = NULL;

  moved = heron_account_delete_finish (HERON_ACCOUNT (object), result, &error);
  if (moved == NULL)
    g_warning ("The draft of a sent message could not be deleted: %s", error->message);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(HeronComposerWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!heron_account_send_finish (HERON_ACCOUNT (object), result, &error))
    {
      send_failed (self, _("The message could not be queued for sending"), error);
      return;
    }

  /* The outbox holds the message now: the draft is no longer needed. */
  self->sending = FALSE;
  self->queued = self->sent_message_id != NULL;
  self->dirty = FALSE;
  if (self->draft != NULL)
    {
      HeronMessage *draft = g_steal_pointer (&self->draft);

      heron_account_delete_async (self->account, &draft, 1, NULL, delete_draft_cb, NULL);
      g_object_unref (draft);
    }
  update_sensitivity (self);
  show_waiting (self);
}

static void
build_message_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HeronComposerWindow) self = user_data;
  g_autoptr(HeronMimeOutgoing) outgoing = NULL;
  g_autoptr(GError) error = NULL;

  outgoing = heron_mime_composition_build_finish (result, &error);
  if (outgoing == NULL)
    {
      send_failed (self, _("The message could not be made"), error);
      return;
    }

  /* Known before the account can report on it. */
  g_free (self->sent_message_id);
  self->sent_message_id = g_strdup (outgoing->message_id);
  show_status (self, _("Sending…"), TRUE, FALSE);
  heron_account_send_async (self->account, outgoing->message, NULL, send_cb, g_object_ref (self));
}

static void
composer_send_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  HeronComposerWindow *self = HERON_COMPOSER_WINDOW (widget);
  g_autoptr(HeronMimeComposition) composition = NULL;
  g_autoptr(GError) error = NULL;

  if (self->sending || self->queued)
    return;

  composition = make_composition (self, FALSE, &error);
  if (composition == NULL)
    {
      show_status (self, error->message, FALSE, TRUE);
      return;
    }
  if (self->saving)
    {
      /* The save in flight replaces the previous draft: send when it is done, so the draft
       * deleted after sending is the last one. */
      self->send_after_save = TRUE;
      show_status (self, _("Saving the draft first…"), TRUE, FALSE);
      return;
    }

  g_clear_handle_id (&self->autosave_id, g_source_remove);
  self->sending = TRUE;
  update_sensitivity (self);
  show_status (self, _("Preparing the message…"), TRUE, FALSE);
  heron_mime_composition_build_async (composition, HERON_MIME_BUILD_DEFAULT, NULL,
                                      build_message_cb, g_object_ref (self));
}

/* Attachments. */

static void
rebuild_attachment_rows (HeronComposerWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachments_list))) != NULL)
    gtk_list_box_remove (self->attachments_list, child);

  for (guint i = 0; i < self->attachments->len; i++)
    {
      HeronMimeComposeAttachment *attachment = g_ptr_array_index (self->attachments, i);
      g_autofree char *name = NULL;
      g_autofree char *where = NULL;
      GtkWidget *row;
      GtkWidget *remove;

      if (attachment->filename != NULL)
        name = g_strdup (attachment->filename);
      else if (attachment->file != NULL)
        name = g_file_get_basename (attachment->file);
      else
        name = g_strdup (_("Attachment"));
      if (attachment->file != NULL)
        {
          g_autoptr(GFile) parent = g_file_get_parent (attachment->file);

          where = parent != NULL ? g_file_get_parse_name (parent) : NULL;
        }
      else if (attachment->data != NULL)
        where = g_format_size (g_bytes_get_size (attachment->data));

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (where != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), where);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("mail-attachment-symbolic"));

      remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove Attachment"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "composer.remove-attachment");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "u", i);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_append (self->attachments_list, row);
    }
  gtk_revealer_set_reveal_child (self->attachments_revealer, self->attachments->len > 0);
}

void
heron_composer_window_add_attachment (HeronComposerWindow *self,
                                      GFile               *file)
{
  g_return_if_fail (HERON_IS_COMPOSER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  for (guint i = 0; i < self->attachments->len; i++)
    {
      HeronMimeComposeAttachment *attachment = g_ptr_array_index (self->attachments, i);

      if (attachment->file != NULL && g_file_equal (attachment->file, file))
        return;
    }
  g_ptr_array_add (self->attachments, heron_mime_compose_attachment_new_for_file (file));
  rebuild_attachment_rows (self);
  on_changed (self);
}

guint
heron_composer_window_get_n_attachments (HeronComposerWindow *self)
{
  g_return_val_if_fail (HERON_IS_COMPOSER_WINDOW (self), 0);

  return self->attachments->len;
}

HeronMessage *
heron_composer_window_get_draft (HeronComposerWindow *self)
{
  g_return_val_if_fail (HERON_IS_COMPOSER_WINDOW (self), NULL);

  return self->draft;
}

void
heron_composer_window_set_autosave_delay (HeronComposerWindow *self,
                                          guint                delay_ms)
{
  g_return_if_fail (HERON_IS_COMPOSER_WINDOW (self));

  self->autosave_delay_ms = delay_ms;
}

static void
composer_remove_attachment_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  HeronComposerWindow *self = HERON_COMPOSER_WINDOW (widget);
  guint index = g_variant_get_uint32 (parameter);

  if (index >= self->attachments->len)
    return;
  g_ptr_array_remove_index (self->attachments, index);
  rebuild_attachment_rows (self);
  on_changed (self);
}

static void
file_chooser_response (GtkNativeDialog     *chooser,
                       int                  response,
                       HeronComposerWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          heron_composer_window_add_attachment (self, file);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
composer_attach_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  HeronComposerWindow *self = HERON_COMPOSER_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Attach Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Attach"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (file_chooser_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
drop_files (GtkDropTarget       *target,
            const GValue        *value,
            double               x,
            double               y,
            HeronComposerWindow *self)
{
  GdkFileList *list;
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->sending || self->queued)
    return FALSE;

  list = g_value_get_boxed (value);
  files = gdk_file_list_get_files (list);
  for (GSList *l = files; l != NULL; l = l->next)
    heron_composer_window_add_attachment (self, l->data);
  g_slist_free (files);
  return TRUE;
}

static void
composer_save_draft_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  HeronComposerWindow *self = HERON_COMPOSER_WINDOW (widget);

  heron_composer_window_save (self);
}

/* Closing. */

static gboolean
heron_composer_window_close_request (GtkWindow *window)
{
  HeronComposerWindow *self = HERON_COMPOSER_WINDOW (window);

  g_clear_handle_id (&self->autosave_id, g_source_remove);

  gtk_window_set_focus (window, NULL);
  if (self->queued || self->sending)
    /* The message is (about to be) in the outbox; the account sends it without the window. */
    return GTK_WINDOW_CLASS (heron_composer_window_parent_class)->close_request (window);

  if (self->dirty || self->saving)
    {
      self->closing = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      if (!self->saving)
        heron_composer_window_save (self);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (heron_composer_window_parent_class)->close_request (window);
}

/* Setting up. */

static void
fill_identities (HeronComposerWindow *self)
{
  HeronAccountConfig *config = heron_account_get_config (self->account);
  GListModel *identities = heron_account_config_get_identities (config);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  for (guint i = 0; i < g_list_model_get_n_items (identities); i++)
    {
      g_autoptr(HeronAccountIdentity) identity = g_list_model_get_item (identities, i);
      const char *name = heron_account_identity_get_name (identity);
      const char *address = heron_account_identity_get_address (identity);
      g_autofree char *text = NULL;

      if (name != NULL && *name != '\0')
        text = g_strdup_printf ("%s <%s>", name, address);
      else
        text = g_strdup (address);
      gtk_string_list_append (names, text);
      if (self->original->identity != NULL
          && heron_mime_address_equal_addr (address, heron_account_identity_get_address (self->original->identity)))
        selected = i;
    }
  gtk_drop_down_set_model (self->identity_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->identity_dropdown, selected);
}

static void
fill_from_composition (HeronComposerWindow *self)
{
  HeronMimeComposition *composition = self->original;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start;

  heron_address_entry_set_addresses (self->to_entry, composition->to);
  heron_address_entry_set_addresses (self->cc_entry, composition->cc);
  heron_address_entry_set_addresses (self->bcc_entry, composition->bcc);
  gtk_editable_set_text (GTK_EDITABLE (self->subject_entry),
                         composition->subject != NULL ? composition->subject : "");
  gtk_text_buffer_set_text (buffer, composition->body != NULL ? composition->body : "", -1);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);

  for (guint i = 0; i < composition->attachments->len; i++)
    g_ptr_array_add (self->attachments,
                     heron_mime_compose_attachment_copy (g_ptr_array_index (composition->attachments, i)));
  rebuild_attachment_rows (self);
}

/* The body keeps the signature of the identity it is sent from: the old identity's block is
 * replaced while it is still there as it was written (heron_mime_replace_signature()). */
static void
identity_changed (HeronComposerWindow *self)
{
  g_autoptr(HeronAccountIdentity) identity = dup_selected_identity (self);
  g_autofree char *body = dup_body (self);
  g_autofree char *replaced = NULL;

  replaced = heron_mime_replace_signature (body, self->signature_identity, identity);
  if (replaced != NULL && strcmp (replaced, body) != 0)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
      GtkTextIter cursor;
      int offset;

      gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
      offset = gtk_text_iter_get_offset (&cursor);
      gtk_text_buffer_set_text (buffer, replaced, -1);
      /* the cursor stays where it was in the text above the signature */
      gtk_text_buffer_get_iter_at_offset (buffer, &cursor, MIN (offset, gtk_text_buffer_get_char_count (buffer)));
      gtk_text_buffer_place_cursor (buffer, &cursor);
    }
  g_set_object (&self->signature_identity, identity);
  on_changed (self);
}

static void
heron_composer_window_dispose (GObject *object)
{
  HeronComposerWindow *self = HERON_COMPOSER_WINDOW (object);

  g_clear_handle_id (&self->autosave_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->draft);
  g_clear_object (&self->account);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->original, heron_mime_composition_free);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->sent_message_id, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_COMPOSER_WINDOW);

  G_OBJECT_CLASS (heron_composer_window_parent_class)->dispose (object);
}

static void
heron_composer_window_class_init (HeronComposerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = heron_composer_window_dispose;
  window_class->close_request = heron_composer_window_close_request;

  g_type_ensure (HERON_TYPE_ADDRESS_ENTRY);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heronmail/Heron/widgets/heron-composer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, send_button);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, status_revealer);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, status_close_button);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, form_box);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, fields_grid);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, from_label);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, identity_dropdown);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, to_entry);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, cc_entry);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, bcc_entry);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, subject_entry);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, body_view);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, attachments_revealer);
  gtk_widget_class_bind_template_child (widget_class, HeronComposerWindow, attachments_list);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, composer_send_action);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, composer_attach_action);
  gtk_widget_class_install_action (widget_class, "composer.save-draft", NULL, composer_save_draft_action);
  gtk_widget_class_install_action (widget_class, "composer.remove-attachment", "u",
                                   composer_remove_attachment_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "composer.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "composer.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "composer.save-draft", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
heron_composer_window_init (HeronComposerWindow *self)
{
  GtkDropTarget *target;

  self->autosave_delay_ms = DEFAULT_AUTOSAVE_DELAY_MS;
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_mime_compose_attachment_free);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (drop_files), self);
  gtk_widget_add_controller (GTK_WIDGET (self->toast_overlay), GTK_EVENT_CONTROLLER (target));
}

GtkWindow *
heron_composer_window_new (GtkApplication       *application,
                           HeronAccountManager  *manager,
                           HeronAccount         *account,
                           HeronMimeComposition *composition,
                           HeronMessage         *draft)
{
  g_autoptr(HeronAccount) first = NULL;
  HeronComposerWindow *self;
  GListModel *identities;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (manager), NULL);
  g_return_val_if_fail (account == NULL || HERON_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (draft == NULL || HERON_IS_MESSAGE (draft), NULL);

  if (account == NULL)
    {
      first = g_list_model_get_item (heron_account_manager_get_accounts (manager), 0);
      account = first;
    }
  g_return_val_if_fail (account != NULL, NULL);

  self = g_object_new (HERON_TYPE_COMPOSER_WINDOW,
                       "application", application,
                       NULL);
  self->manager = g_object_ref (manager);
  self->account = g_object_ref (account);
  self->draft = draft != NULL ? g_object_ref (draft) : NULL;

  identities = heron_account_config_get_identities (heron_account_get_config (account));
  if (composition != NULL)
    self->original = heron_mime_composition_copy (composition);
  else
    {
      g_autoptr(HeronAccountIdentity) identity = g_list_model_get_item (identities, 0);

      self->original = heron_mime_composition_new_message (identity);
    }
  /* what backend/mime composed carries this identity's signature block */
  self->signature_identity = self->original->identity != NULL ? g_object_ref (self->original->identity) : NULL;

  fill_identities (self);
  gtk_widget_set_visible (self->from_label, g_list_model_get_n_items (identities) > 1);
  gtk_widget_set_visible (GTK_WIDGET (self->identity_dropdown), g_list_model_get_n_items (identities) > 1);
  heron_address_entry_set_account (self->to_entry, account);
  heron_address_entry_set_account (self->cc_entry, account);
  heron_address_entry_set_account (self->bcc_entry, account);
  fill_from_composition (self);
  on_changed (self);
  /* What the window starts with is saved already (or is nothing yet). */
  self->dirty = FALSE;
  g_clear_handle_id (&self->autosave_id, g_source_remove);

  g_signal_connect_object (account, "message-sent", G_CALLBACK (account_message_sent), self, 0);
  g_signal_connect_object (account, "send-failed", G_CALLBACK (account_send_failed), self, 0);
  g_signal_connect_object (account, "notify::state", G_CALLBACK (show_waiting), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->to_entry, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->cc_entry, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->bcc_entry, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->subject_entry, "changed", G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->body_view), "changed",
                           G_CALLBACK (on_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->identity_dropdown, "notify::selected",
                           G_CALLBACK (identity_changed), self, G_CONNECT_SWAPPED);
  update_sensitivity (self);

  if (self->original->to->len == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->to_entry));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->body_view));

  return GTK_WINDOW (self);
}
