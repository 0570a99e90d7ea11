/* heron-preferences-window.c: accounts, remote content and notifications
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pages that do not change with the data are in the template. An account is edited on a
 * subpage made in code (its rows depend on the account: one expander per identity), on a copy
 * of its config (heron_account_config_copy()) that is saved as a whole with "Save" or dropped
 * with "Back". One account is edited at a time.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-preferences-window.h"
#include "heron-account-setup-window.h"
#include "heron-server-editor.h"

typedef struct {
  AdwExpanderRow *row;
  AdwEntryRow    *name;
  AdwEntryRow    *address;
  AdwEntryRow    *reply_to;
  GtkTextBuffer  *signature;
} IdentityEditor;

struct _HeronPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  HeronAccountManager  *manager;
  GSettings            *settings;
  GCancellable         *cancellable;

  /* The account on the subpage, its config being edited, and the subpage's widgets. */
  HeronAccount         *edit_account;
  HeronAccountConfig   *edit_config;
  GtkWidget            *edit_page;
  AdwEntryRow          *edit_display_name;
  GtkSpinButton        *edit_prefetch;
  GtkListBox           *edit_identities;
  GArray               *identity_editors;  /* IdentityEditor */
  HeronServerEditor     edit_imap;
  HeronServerEditor     edit_smtp;
  AdwPasswordEntryRow  *edit_password;
  GtkLabel             *edit_error;
  GtkWidget            *edit_save_button;

  /* Template children */
  AdwPreferencesGroup  *accounts_group;
  GtkListBox           *accounts_list;
  GtkButton            *add_account_button;
  AdwComboRow          *remote_content_row;
  AdwPreferencesGroup  *senders_group;
  GtkListBox           *senders_list;
  AdwEntryRow          *add_sender_row;
  GtkSwitch            *notify_switch;
};

G_DEFINE_FINAL_TYPE (HeronPreferencesWindow, heron_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The choices of load-remote-content, in the order of the combo row. */
static const char * const remote_content_policies[] = { "never", "known-senders", "always" };

/* The account list. */

static void
rebuild_account_rows (HeronPreferencesWindow *self)
{
  GListModel *accounts = heron_account_manager_get_accounts (self->manager);
  GtkWidget *child;
  guint n = g_list_model_get_n_items (accounts);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->accounts_list))) != NULL)
    gtk_list_box_remove (self->accounts_list, child);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), heron_account_get_display_name (account));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), heron_account_get_email (account));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "preferences.edit-account");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", heron_account_get_id (account));
      gtk_list_box_append (self->accounts_list, row);
    }

  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No accounts yet"));
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->accounts_list, row);
    }
}

static void
accounts_changed (HeronPreferencesWindow *self)
{
  rebuild_account_rows (self);

  /* The account on the subpage went away (removed here or elsewhere). */
  if (self->edit_account != NULL
      && heron_account_manager_lookup (self->manager, heron_account_get_id (self->edit_account)) == NULL)
    adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
}

static void
preferences_add_account_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  HeronPreferencesWindow *self = HERON_PREFERENCES_WINDOW (widget);
  GtkWindow *setup;

  setup = heron_account_setup_window_new (GTK_WINDOW (self), self->manager);
  gtk_window_present (setup);
}

/* The account subpage. */

static void
show_edit_error (HeronPreferencesWindow *self,
                 const char             *message)
{
  gtk_label_set_text (self->edit_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->edit_error), message != NULL);
}

static GtkWidget *
entry_row_new (const char *title,
               const char *text,
               const char *name)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
  if (name != NULL)
    gtk_widget_set_name (row, name);
  return row;
}

static char *
dup_stripped (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

/* The rows of the identities into the edited config, in order. */
static void
identities_from_rows (HeronPreferencesWindow *self)
{
  GListModel *identities = heron_account_config_get_identities (self->edit_config);

  for (guint i = 0; i < self->identity_editors->len; i++)
    {
      IdentityEditor *editor = &g_array_index (self->identity_editors, IdentityEditor, i);
      g_autoptr(HeronAccountIdentity) identity = g_list_model_get_item (identities, i);
      g_autofree char *name = dup_stripped (editor->name);
      g_autofree char *address = dup_stripped (editor->address);
      g_autofree char *reply_to = dup_stripped (editor->reply_to);
      g_autofree char *signature = NULL;
      GtkTextIter start, end;

      if (identity == NULL)
        break;
      gtk_text_buffer_get_bounds (editor->signature, &start, &end);
      signature = gtk_text_buffer_get_text (editor->signature, &start, &end, FALSE);
      g_strchomp (signature);
      heron_account_identity_set_name (identity, *name != '\0' ? name : NULL);
      heron_account_identity_set_address (identity, address);
      heron_account_identity_set_reply_to (identity, *reply_to != '\0' ? reply_to : NULL);
      heron_account_identity_set_signature (identity, *signature != '\0' ? signature : NULL);
    }
}

static void
rebuild_identity_rows (HeronPreferencesWindow *self)
{
  GListModel *identities = heron_account_config_get_identities (self->edit_config);
  guint n = g_list_model_get_n_items (identities);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->edit_identities))) != NULL)
    gtk_list_box_remove (self->edit_identities, child);
  g_array_set_size (self->identity_editors, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccountIdentity) identity = g_list_model_get_item (identities, i);
      const char *address = heron_account_identity_get_address (identity);
      const char *signature = heron_account_identity_get_signature (identity);
      IdentityEditor editor;
      GtkWidget *view;
      GtkWidget *frame;
      GtkWidget *label;
      GtkWidget *box;
      GtkWidget *remove;

      editor.row = ADW_EXPANDER_ROW (adw_expander_row_new ());
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (editor.row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (editor.row),
                                     address != NULL && *address != '\0' ? address : _("New Identity"));
      adw_expander_row_set_subtitle (editor.row, i == 0 ? _("Default") : "");
      adw_expander_row_set_expanded (editor.row, address == NULL || *address == '\0');

      editor.name = ADW_ENTRY_ROW (entry_row_new (_("Name"), heron_account_identity_get_name (identity), "identity-name"));
      editor.address = ADW_ENTRY_ROW (entry_row_new (_("Address"), address, "identity-address"));
      editor.reply_to = ADW_ENTRY_ROW (entry_row_new (_("Reply-To (optional)"),
                                                     heron_account_identity_get_reply_to (identity), NULL));
      adw_expander_row_add_row (editor.row, GTK_WIDGET (editor.name));
      adw_expander_row_add_row (editor.row, GTK_WIDGET (editor.address));
      adw_expander_row_add_row (editor.row, GTK_WIDGET (editor.reply_to));

      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      gtk_widget_set_margin_top (box, 12);
      gtk_widget_set_margin_bottom (box, 12);
      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      label = gtk_label_new (_("Signature"));
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);
      view = gtk_text_view_new ();
      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
      gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
      gtk_widget_set_size_request (view, -1, 64);
      gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Signature"), -1);
      editor.signature = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
      gtk_text_buffer_set_text (editor.signature, signature != NULL ? signature : "", -1);
      frame = gtk_frame_new (NULL);
      gtk_frame_set_child (GTK_FRAME (frame), view);
      gtk_box_append (GTK_BOX (box), frame);

      remove = gtk_button_new_with_mnemonic (_("_Remove Identity"));
      gtk_widget_set_halign (remove, GTK_ALIGN_END);
      gtk_widget_add_css_class (remove, "destructive-action");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "preferences.remove-identity");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "u", i);
      gtk_widget_set_sensitive (remove, n > 1);
      gtk_box_append (GTK_BOX (box), remove);
      adw_expander_row_add_row (editor.row, box);

      gtk_list_box_append (self->edit_identities, GTK_WIDGET (editor.row));
      g_array_append_val (self->identity_editors, editor);
    }
}

static void
preferences_add_identity_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  HeronPreferencesWindow *self = HERON_PREFERENCES_WINDOW (widget);
  g_autoptr(HeronAccountIdentity) identity = NULL;

  if (self->edit_config == NULL)
    return;
  identities_from_rows (self);
  identity = heron_account_identity_new (NULL, "");
  heron_account_config_add_identity (self->edit_config, identity);
  rebuild_identity_rows (self);
}

static void
preferences_remove_identity_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  HeronPreferencesWindow *self = HERON_PREFERENCES_WINDOW (widget);
  GListModel *identities;
  g_autoptr(HeronAccountIdentity) identity = NULL;
  guint index = g_variant_get_uint32 (parameter);

  if (self->edit_config == NULL)
    return;
  identities = heron_account_config_get_identities (self->edit_config);
  if (g_list_model_get_n_items (identities) <= 1)
    return;
  identities_from_rows (self);
  identity = g_list_model_get_item (identities, index);
  if (identity == NULL)
    return;
  heron_account_config_remove_identity (self->edit_config, identity);
  rebuild_identity_rows (self);
}

static AdwPreferencesGroup *
server_group_new (HeronServerEditor  *editor,
                  HeronAccountServer *server,
                  const char         *title,
                  const char         *prefix)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_group_set_title (group, title);
  heron_server_editor_add_rows (editor, heron_account_server_get_protocol (server), group, prefix);
  heron_server_editor_load (editor, server);
  return group;
}

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HeronPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!heron_account_manager_update_finish (HERON_ACCOUNT_MANAGER (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (self->edit_page != NULL)
        {
          g_autofree char *message = g_strdup_printf (_("The account could not be saved: %s"), error->message);

          gtk_widget_set_sensitive (self->edit_page, TRUE);
          show_edit_error (self, message);
        }
      return;
    }

  rebuild_account_rows (self);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Account saved")));
  if (self->edit_page != NULL)
    {
      gtk_widget_set_sensitive (self->edit_page, TRUE);
      adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
    }
}

static void
preferences_save_account_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  HeronPreferencesWindow *self = HERON_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *display_name = NULL;
  const char *password;

  if (self->edit_config == NULL)
    return;

  display_name = dup_stripped (self->edit_display_name);
  heron_account_config_set_display_name (self->edit_config, *display_name != '\0' ? display_name : NULL);
  heron_account_config_set_prefetch_days (self->edit_config,
                                          gtk_spin_button_get_value_as_int (self->edit_prefetch));
  identities_from_rows (self);
  heron_server_editor_store (&self->edit_imap, heron_account_config_get_imap (self->edit_config));
  heron_server_editor_store (&self->edit_smtp, heron_account_config_get_smtp (self->edit_config));

  if (!heron_account_config_validate (self->edit_config, &error))
    {
      show_edit_error (self, error->message);
      return;
    }
  show_edit_error (self, NULL);
  password = gtk_editable_get_text (GTK_EDITABLE (self->edit_password));
  gtk_widget_set_sensitive (self->edit_page, FALSE);
  heron_account_manager_update_async (self->manager, self->edit_account, self->edit_config,
                                      *password != '\0' ? password : NULL, self->cancellable,
                                      update_cb, g_object_ref (self));
}

static void
remove_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(HeronPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!heron_account_manager_remove_finish (HERON_ACCOUNT_MANAGER (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("The account could not be removed completely: %s"), error->message);
      if (self->edit_page != NULL)
        {
          gtk_widget_set_sensitive (self->edit_page, TRUE);
          show_edit_error (self, message);
        }
      else
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
      rebuild_account_rows (self);
      return;
    }

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Account removed")));
  accounts_changed (self);
}

static void
remove_response (AdwMessageDialog       *dialog,
                 const char             *response,
                 HeronPreferencesWindow *self)
{
  HeronAccount *account = g_object_get_data (G_OBJECT (dialog), "heron-account");

  if (g_strcmp0 (response, "remove") != 0 || account == NULL)
    return;
  if (self->edit_page != NULL && self->edit_account == account)
    gtk_widget_set_sensitive (self->edit_page, FALSE);
  heron_account_manager_remove_async (self->manager, account, self->cancellable,
                                      remove_cb, g_object_ref (self));
}

static void
preferences_remove_account_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  HeronPreferencesWindow *self = HERON_PREFERENCES_WINDOW (widget);
  AdwMessageDialog *dialog;

  if (self->edit_account == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL,
                                                       _("Its settings, its password and the mail Heron "
                                                         "keeps for it on this computer are removed. The "
                                                         "mail on the server is not touched.")));
  /* Translators: %s is an account's name, usually its address */
  adw_message_dialog_format_heading (dialog, _("Remove %s?"),
                                     heron_account_get_display_name (self->edit_account));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "heron-account", g_object_ref (self->edit_account),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_page_destroyed (GtkWidget              *page,
                     HeronPreferencesWindow *self)
{
  /* A subpage closed for another one goes away after the new one is shown. */
  if (page != self->edit_page)
    return;
  self->edit_page = NULL;
  g_clear_object (&self->edit_account);
  g_clear_object (&self->edit_config);
  if (self->identity_editors != NULL)
    g_array_set_size (self->identity_editors, 0);
}

static void
close_subpage (HeronPreferencesWindow *self)
{
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
}

static GtkWidget *
edit_page_new (HeronPreferencesWindow *self)
{
  HeronAccountConfig *config = self->edit_config;
  const char *display_name = heron_account_config_get_display_name (config);
  GtkWidget *page;
  GtkWidget *header;
  GtkWidget *back;
  GtkWidget *save;
  GtkWidget *title;
  GtkWidget *scrolled;
  GtkWidget *clamp;
  GtkWidget *box;
  GtkWidget *row;
  GtkWidget *add_identity;
  GtkWidget *remove;
  AdwPreferencesGroup *group;

  page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_name (page, "account-page");

  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  title = adw_window_title_new (heron_account_get_display_name (self->edit_account),
                                heron_account_get_email (self->edit_account));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  gtk_widget_set_tooltip_text (back, _("Back"));
  g_signal_connect_object (back, "clicked", G_CALLBACK (close_subpage), self, G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);
  save = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_set_name (save, "save-account");
  gtk_widget_add_css_class (save, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (save), "preferences.save-account");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  gtk_box_append (GTK_BOX (page), header);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  clamp = adw_clamp_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_box_append (GTK_BOX (page), scrolled);

  self->edit_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->edit_error), "account-error");
  gtk_label_set_wrap (self->edit_error, TRUE);
  gtk_label_set_xalign (self->edit_error, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (self->edit_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->edit_error), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->edit_error));

  /* Account */
  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Account"));
  self->edit_display_name = ADW_ENTRY_ROW (entry_row_new (_("Account Name"), display_name, "display-name"));
  adw_preferences_group_add (group, GTK_WIDGET (self->edit_display_name));
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Days of Mail for Offline Use"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Messages younger than this are downloaded in full; 0 downloads every message"));
  self->edit_prefetch = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (0, HERON_ACCOUNT_MAX_PREFETCH_DAYS, 1));
  gtk_widget_set_name (GTK_WIDGET (self->edit_prefetch), "prefetch-days");
  gtk_widget_set_valign (GTK_WIDGET (self->edit_prefetch), GTK_ALIGN_CENTER);
  gtk_spin_button_set_value (self->edit_prefetch, heron_account_config_get_prefetch_days (config));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->edit_prefetch), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Days of Mail for Offline Use"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (self->edit_prefetch));
  adw_preferences_group_add (group, row);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (group));

  /* Identities */
  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Identities"));
  adw_preferences_group_set_description (group, _("The names and addresses you send as; the first is the default."));
  add_identity = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_set_tooltip_text (add_identity, _("Add Identity"));
  gtk_widget_add_css_class (add_identity, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (add_identity), "preferences.add-identity");
  adw_preferences_group_set_header_suffix (group, add_identity);
  self->edit_identities = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->edit_identities, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->edit_identities), "boxed-list");
  adw_preferences_group_add (group, GTK_WIDGET (self->edit_identities));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (group));

  /* Servers and password */
  gtk_box_append (GTK_BOX (box),
                  GTK_WIDGET (server_group_new (&self->edit_imap, heron_account_config_get_imap (config),
                                                _("Incoming Mail (IMAP)"), "imap")));
  gtk_box_append (GTK_BOX (box),
                  GTK_WIDGET (server_group_new (&self->edit_smtp, heron_account_config_get_smtp (config),
                                                _("Outgoing Mail (SMTP)"), "smtp")));
  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Password"));
  adw_preferences_group_set_description (group, _("Leave empty to keep the password in the keyring."));
  self->edit_password = ADW_PASSWORD_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->edit_password), _("New Password"));
  gtk_widget_set_name (GTK_WIDGET (self->edit_password), "password");
  adw_preferences_group_add (group, GTK_WIDGET (self->edit_password));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (group));

  remove = gtk_button_new_with_mnemonic (_("_Remove Account…"));
  gtk_widget_set_name (remove, "remove-account");
  gtk_widget_set_halign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "destructive-action");
  gtk_widget_add_css_class (remove, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "preferences.remove-account");
  gtk_box_append (GTK_BOX (box), remove);

  self->edit_save_button = save;
  return page;
}

static void
preferences_edit_account_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  HeronPreferencesWindow *self = HERON_PREFERENCES_WINDOW (widget);
  HeronAccount *account = heron_account_manager_lookup (self->manager, g_variant_get_string (parameter, NULL));

  if (account == NULL)
    return;
  if (self->edit_page != NULL)
    adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));

  g_set_object (&self->edit_account, account);
  g_clear_object (&self->edit_config);
  self->edit_config = heron_account_config_copy (heron_account_get_config (account));
  self->edit_page = edit_page_new (self);
  rebuild_identity_rows (self);
  g_signal_connect_object (self->edit_page, "destroy", G_CALLBACK (edit_page_destroyed), self, 0);
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), self->edit_page);
}

/* Reading: remote content and notifications. */

static gboolean
policy_to_selected (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char *policy = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (remote_content_policies); i++)
    if (g_strcmp0 (policy, remote_content_policies[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
selected_to_policy (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (remote_content_policies))
    return NULL;
  return g_variant_new_string (remote_content_policies[selected]);
}

static void
rebuild_sender_rows (HeronPreferencesWindow *self)
{
  g_auto(GStrv) senders = g_settings_get_strv (self->settings, "remote-content-senders");
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->senders_list));

  /* Everything but the entry row at the end. */
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (child != GTK_WIDGET (self->add_sender_row))
        gtk_list_box_remove (self->senders_list, child);
      child = next;
    }

  for (guint i = 0; senders[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), senders[i]);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      /* Translators: %s is an e-mail address */
      {
        g_autofree char *tooltip = g_strdup_printf (_("Remove %s"), senders[i]);

        gtk_widget_set_tooltip_text (remove, tooltip);
      }
      gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "preferences.remove-sender");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", senders[i]);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_insert (self->senders_list, row, i);
    }
}

static void
add_sender_apply (AdwEntryRow            *row,
                  HeronPreferencesWindow *self)
{
  g_autofree char *address = dup_stripped (row);
  g_auto(GStrv) senders = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) updated = NULL;

  if (!heron_account_address_is_valid (address))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");

  senders = g_settings_get_strv (self->settings, "remote-content-senders");
  for (guint i = 0; senders[i] != NULL; i++)
    if (heron_mime_address_equal_addr (senders[i], address))
      {
        gtk_editable_set_text (GTK_EDITABLE (row), "");
        return;
      }
  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) senders);
  g_strv_builder_add (builder, address);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "remote-content-senders", (const char * const *) updated);
  gtk_editable_set_text (GTK_EDITABLE (row), "");
}

static void
preferences_remove_sender_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  HeronPreferencesWindow *self = HERON_PREFERENCES_WINDOW (widget);
  const char *address = g_variant_get_string (parameter, NULL);
  g_auto(GStrv) senders = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  if (self->settings == NULL)
    return;
  senders = g_settings_get_strv (self->settings, "remote-content-senders");
  for (guint i = 0; senders[i] != NULL; i++)
    if (g_strcmp0 (senders[i], address) != 0)
      g_strv_builder_add (builder, senders[i]);
  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "remote-content-senders", (const char * const *) updated);
}

static void
bind_settings (HeronPreferencesWindow *self)
{
  g_settings_bind_with_mapping (self->settings, "load-remote-content",
                                self->remote_content_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                policy_to_selected, selected_to_policy, NULL, NULL);
  g_settings_bind (self->settings, "notify-new-mail", self->notify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::remote-content-senders",
                           G_CALLBACK (rebuild_sender_rows), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->add_sender_row, "apply", G_CALLBACK (add_sender_apply), self, 0);
  g_signal_connect_object (self->add_sender_row, "entry-activated", G_CALLBACK (add_sender_apply), self, 0);
  rebuild_sender_rows (self);
}

static void
heron_preferences_window_dispose (GObject *object)
{
  HeronPreferencesWindow *self = HERON_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->edit_account);
  g_clear_object (&self->edit_config);
  g_clear_pointer (&self->identity_editors, g_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->manager);

  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (heron_preferences_window_parent_class)->dispose (object);
}

static void
heron_preferences_window_class_init (HeronPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heron_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heronmail/Heron/widgets/heron-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronPreferencesWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, HeronPreferencesWindow, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, HeronPreferencesWindow, add_account_button);
  gtk_widget_class_bind_template_child (widget_class, HeronPreferencesWindow, remote_content_row);
  gtk_widget_class_bind_template_child (widget_class, HeronPreferencesWindow, senders_group);
  gtk_widget_class_bind_template_child (widget_class, HeronPreferencesWindow, senders_list);
  gtk_widget_class_bind_template_child (widget_class, HeronPreferencesWindow, add_sender_row);
  gtk_widget_class_bind_template_child (widget_class, HeronPreferencesWindow, notify_switch);

  gtk_widget_class_install_action (widget_class, "preferences.add-account", NULL,
                                   preferences_add_account_action);
  gtk_widget_class_install_action (widget_class, "preferences.edit-account", "s",
                                   preferences_edit_account_action);
  gtk_widget_class_install_action (widget_class, "preferences.save-account", NULL,
                                   preferences_save_account_action);
  gtk_widget_class_install_action (widget_class, "preferences.remove-account", NULL,
                                   preferences_remove_account_action);
  gtk_widget_class_install_action (widget_class, "preferences.add-identity", NULL,
                                   preferences_add_identity_action);
  gtk_widget_class_install_action (widget_class, "preferences.remove-identity", "u",
                                   preferences_remove_identity_action);
  gtk_widget_class_install_action (widget_class, "preferences.remove-sender", "s",
                                   preferences_remove_sender_action);
}

static void
heron_preferences_window_init (HeronPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->identity_editors = g_array_new (FALSE, TRUE, sizeof (IdentityEditor));

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWindow *
heron_preferences_window_new (GtkWindow           *parent,
                              HeronAccountManager *manager,
                              GSettings           *settings)
{
  HeronPreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (manager), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (HERON_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
  self->manager = g_object_ref (manager);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;

  g_signal_connect_object (heron_account_manager_get_accounts (manager), "items-changed",
                           G_CALLBACK (accounts_changed), self, G_CONNECT_SWAPPED);
  rebuild_account_rows (self);

  if (self->settings != NULL)
    bind_settings (self);
  else
    {
      GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (self->senders_group), ADW_TYPE_PREFERENCES_PAGE);

      adw_preferences_window_remove (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
    }

  return GTK_WINDOW (self);
}
