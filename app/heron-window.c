/* heron-window.c: the main window: sidebar, message list and reader in an AdwLeaflet
 *
 * The window shows what the application's HeronAccountManager holds: the welcome page while
 * there is no account, else the three panes. The sidebar chooses the list (a folder's messages,
 * the unified inbox, or search results); the list's selection chooses what the reader shows.
 * Actions on messages are in heron-window-actions.c.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-account-dialogs.h"
#include "heron-application.h"
#include "heron-window-private.h"

struct _HeronWindow
{
  AdwApplicationWindow  parent_instance;

  HeronAccountManager  *manager;
  GListModel           *folder_list;       /* the list of the chosen folder or unified inbox */
  GListModel           *search_list;       /* search results while searching */
  HeronFolder          *current_folder;
  gboolean              threaded;
  gboolean              attached;
  guint                 reselect_position;  /* after the selection left the list */

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *window_stack;
  AdwStatusPage        *empty_page;
  GtkMenuButton        *primary_menu_button;
  AdwLeaflet           *leaflet;
  GtkWidget            *sidebar_pane;
  GtkWidget            *list_pane;
  GtkWidget            *reader_pane;
  GtkStack             *status_stack;
  GtkSpinner           *status_spinner;
  GtkButton            *status_button;
  GtkProgressBar       *progress_bar;
  GtkButton            *archive_button;
  HeronSidebar         *sidebar;
  AdwWindowTitle       *list_title;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *search_scope;
  HeronMessageListView *message_list;
  HeronMessageView     *message_view;
  GMenu                *message_menu;
};

G_DEFINE_FINAL_TYPE (HeronWindow, heron_window, ADW_TYPE_APPLICATION_WINDOW)

HeronWindow *
heron_window_new (HeronApplication *application)
{
  g_return_val_if_fail (HERON_IS_APPLICATION (application), NULL);

  return g_object_new (HERON_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

GSettings *
_heron_window_get_settings (HeronWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app == NULL)
    return NULL;
  return heron_application_get_settings (HERON_APPLICATION (app));
}

HeronAccountManager *
_heron_window_get_manager (HeronWindow *self)
{
  return self->manager;
}

HeronFolder *
_heron_window_get_current_folder (HeronWindow *self)
{
  return self->current_folder;
}

HeronAccount *
_heron_window_get_current_account (HeronWindow *self)
{
  GListModel *accounts;
  g_autoptr(HeronAccount) first = NULL;

  if (self->current_folder != NULL)
    return heron_folder_get_account (self->current_folder);
  if (self->manager == NULL)
    return NULL;
  accounts = heron_account_manager_get_accounts (self->manager);
  first = g_list_model_get_item (accounts, 0);
  return first;  /* the manager keeps it */
}

void
_heron_window_add_toast (HeronWindow *self,
                         AdwToast    *toast)
{
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

HeronSidebar *
heron_window_get_sidebar (HeronWindow *self)
{
  g_return_val_if_fail (HERON_IS_WINDOW (self), NULL);

  return self->sidebar;
}

HeronMessageListView *
heron_window_get_message_list_view (HeronWindow *self)
{
  g_return_val_if_fail (HERON_IS_WINDOW (self), NULL);

  return self->message_list;
}

HeronMessageView *
heron_window_get_message_view (HeronWindow *self)
{
  g_return_val_if_fail (HERON_IS_WINDOW (self), NULL);

  return self->message_view;
}

AdwLeaflet *
heron_window_get_leaflet (HeronWindow *self)
{
  g_return_val_if_fail (HERON_IS_WINDOW (self), NULL);

  return self->leaflet;
}

void
_heron_window_go_back (HeronWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* The sync status indicator: a spinner while an account works, a button when one needs the
 * person (password, certificate) or is offline. */

static HeronAccount *
heron_window_find_problem_account (HeronWindow  *self,
                                   const char  **out_icon,
                                   char        **out_tooltip)
{
  HeronAccount *offline = NULL;
  GListModel *accounts = self->manager != NULL ? heron_account_manager_get_accounts (self->manager) : NULL;
  guint n = accounts != NULL ? g_list_model_get_n_items (accounts) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);
      const GError *error = heron_account_get_error (account);

      if (heron_account_get_state (account) == HERON_SYNC_STATE_AUTH_FAILED)
        {
          g_free (*out_tooltip);
          *out_icon = "dialog-password-symbolic";
          *out_tooltip = g_strdup_printf (_("%s: the server did not accept the password"),
                                          heron_account_get_display_name (account));
          return account;  /* the manager keeps it */
        }
      if (heron_account_get_untrusted_certificate (account, NULL) != NULL)
        {
          g_free (*out_tooltip);
          *out_icon = "channel-insecure-symbolic";
          *out_tooltip = g_strdup_printf (_("%s: the server’s certificate is not trusted"),
                                          heron_account_get_display_name (account));
          return account;  /* the manager keeps it */
        }
      if (heron_account_get_state (account) == HERON_SYNC_STATE_OFFLINE && offline == NULL)
        {
          offline = account;
          *out_icon = "network-offline-symbolic";
          if (error != NULL)
            *out_tooltip = g_strdup_printf (_("%s is offline: %s"),
                                            heron_account_get_display_name (account), error->message);
          else
            *out_tooltip = g_strdup_printf (_("%s is offline"), heron_account_get_display_name (account));
        }
    }
  return offline;
}

static void
heron_window_update_status (HeronWindow *self)
{
  g_autofree char *tooltip = NULL;
  const char *icon = NULL;
  HeronAccount *problem;
  double progress = -1;
  gboolean busy = FALSE;
  GListModel *accounts = self->manager != NULL ? heron_account_manager_get_accounts (self->manager) : NULL;
  guint n = accounts != NULL ? g_list_model_get_n_items (accounts) : 0;

  problem = heron_window_find_problem_account (self, &icon, &tooltip);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);

      if (heron_account_get_busy (account) ||
          heron_account_get_state (account) == HERON_SYNC_STATE_CONNECTING)
        {
          busy = TRUE;
          if (heron_account_get_progress (account) >= 0)
            progress = MAX (progress, heron_account_get_progress (account));
        }
    }

  if (problem != NULL)
    {
      gtk_button_set_icon_name (self->status_button, icon);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_button), tooltip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
      gtk_spinner_stop (self->status_spinner);
      gtk_stack_set_visible_child_name (self->status_stack, "problem");
    }
  else if (busy)
    {
      g_autofree char *text = NULL;

      if (progress >= 0)
        /* Translators: the tooltip of the sync indicator; %d is a percentage */
        text = g_strdup_printf (_("Synchronizing… %d %%"), (int) (progress * 100));
      else
        text = g_strdup (_("Synchronizing…"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_spinner), text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_spinner),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
      gtk_spinner_start (self->status_spinner);
      gtk_stack_set_visible_child_name (self->status_stack, "busy");
    }
  else
    {
      gtk_spinner_stop (self->status_spinner);
      gtk_stack_set_visible_child_name (self->status_stack, "idle");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), busy && progress >= 0 && progress < 1);
  if (progress >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, progress);
}

void
_heron_window_account_problem (HeronWindow *self)
{
  g_autofree char *tooltip = NULL;
  const char *icon = NULL;
  HeronAccount *account = heron_window_find_problem_account (self, &icon, &tooltip);

  if (account == NULL)
    return;
  if (heron_account_get_state (account) == HERON_SYNC_STATE_AUTH_FAILED)
    heron_password_dialog_present (GTK_WINDOW (self), account);
  else if (heron_account_get_untrusted_certificate (account, NULL) != NULL)
    heron_certificate_dialog_present (GTK_WINDOW (self), account);
  else
    heron_account_sync_async (account, NULL, NULL, NULL, NULL);
}

/* Follows the state of the accounts added to the manager's list (the handlers go with the
 * account or the window; the status is computed from the manager's list, so an account that
 * left it no longer counts). */
static void
heron_window_update_accounts (HeronWindow *self,
                              guint        position,
                              guint        removed,
                              guint        added)
{
  GListModel *accounts;
  guint n;

  if (self->manager == NULL)
    {
      gtk_stack_set_visible_child_name (self->window_stack, "welcome");
      return;
    }

  accounts = heron_account_manager_get_accounts (self->manager);
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);

      g_signal_connect_object (account, "notify::state", G_CALLBACK (heron_window_update_status),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::busy", G_CALLBACK (heron_window_update_status),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::progress", G_CALLBACK (heron_window_update_status),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::error", G_CALLBACK (heron_window_update_status),
                               self, G_CONNECT_SWAPPED);
    }

  n = g_list_model_get_n_items (accounts);
  gtk_stack_set_visible_child_name (self->window_stack, n > 0 ? "main" : "welcome");
  heron_window_update_status (self);
}

static void
on_accounts_changed (GListModel  *accounts,
                     guint        position,
                     guint        removed,
                     guint        added,
                     HeronWindow *self)
{
  heron_window_update_accounts (self, position, removed, added);
}

/* The list and the reader */

static void
heron_window_apply_threaded (HeronWindow *self,
                             GListModel  *list)
{
  if (HERON_IS_MESSAGE_LIST (list) &&
      heron_message_list_get_threaded (HERON_MESSAGE_LIST (list)) != self->threaded)
    heron_message_list_set_threaded (HERON_MESSAGE_LIST (list), self->threaded);
}

static void
heron_window_show_list (HeronWindow *self)
{
  GListModel *list = self->search_list != NULL ? self->search_list : self->folder_list;

  if (self->search_list != NULL)
    heron_message_list_view_set_placeholder (self->message_list, "edit-find-symbolic",
                                             _("No Results"), _("No message matches the search"));
  else
    heron_message_list_view_set_placeholder (self->message_list, "mail-inbox-symbolic",
                                             _("No Messages"), NULL);
  heron_message_list_view_set_model (self->message_list, list);
}

static void
on_sidebar_selection_changed (HeronWindow *self)
{
  HeronFolder *folder = heron_sidebar_get_selected_folder (self->sidebar);
  GListModel *list = NULL;

  g_set_object (&self->current_folder, folder);
  if (folder != NULL)
    {
      list = heron_folder_get_messages (folder);
      adw_window_title_set_title (self->list_title, heron_folder_get_display_name (folder));
      adw_window_title_set_subtitle (self->list_title,
                                     heron_account_get_display_name (heron_folder_get_account (folder)));
      /* Bring the chosen folder up to date now (offline this simply fails). */
      heron_account_sync_async (heron_folder_get_account (folder), folder, NULL, NULL, NULL);
    }
  else if (heron_sidebar_get_unified_selected (self->sidebar) && self->manager != NULL)
    {
      list = heron_account_manager_get_unified_inbox (self->manager);
      adw_window_title_set_title (self->list_title, _("All Inboxes"));
      adw_window_title_set_subtitle (self->list_title, NULL);
    }
  else
    {
      adw_window_title_set_title (self->list_title, NULL);
      adw_window_title_set_subtitle (self->list_title, NULL);
    }

  if (list != NULL)
    g_object_ref (list);
  g_clear_object (&self->folder_list);
  self->folder_list = list;
  if (list != NULL)
    heron_window_apply_threaded (self, list);

  /* A search over "this folder" follows the folder. */
  if (self->search_list != NULL)
    {
      g_clear_object (&self->search_list);
      g_signal_emit_by_name (self->search_entry, "search-changed");
    }
  heron_window_show_list (self);
}

/* The manager makes the unified inbox again when an INBOX comes or goes (an account added,
 * the first folder list of a new account): a window showing it shows the new one. */
static void
on_unified_inbox_changed (HeronWindow *self)
{
  if (heron_sidebar_get_unified_selected (self->sidebar))
    on_sidebar_selection_changed (self);
}

static void
on_sidebar_folder_activated (HeronWindow *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
}

static void
on_mark_seen_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!heron_account_set_flags_finish (HERON_ACCOUNT (source), result, &error))
    g_warning ("Cannot mark the message as read: %s", error->message);
}

void
_heron_window_reselect_after_removal (HeronWindow *self)
{
  self->reselect_position = heron_message_list_view_get_first_selected_position (self->message_list);
}

static void
on_list_selection_changed (HeronWindow *self)
{
  g_autoptr(GPtrArray) selected = heron_message_list_view_get_selected (self->message_list);
  HeronMessage *message = selected->len == 1 ? g_ptr_array_index (selected, 0) : NULL;
  GListModel *model = heron_message_list_view_get_model (self->message_list);
  guint reselect = self->reselect_position;

  /* The messages moved away: the next one (now at their place) is shown, as in other mail
   * clients. */
  self->reselect_position = GTK_INVALID_LIST_POSITION;
  if (selected->len == 0 && reselect != GTK_INVALID_LIST_POSITION && model != NULL &&
      g_list_model_get_n_items (model) > 0)
    {
      heron_message_list_view_select_position (self->message_list,
                                               MIN (reselect, g_list_model_get_n_items (model) - 1));
      return;
    }

  heron_message_view_set_message (self->message_view, message);

  /* Opening a message reads it. */
  if (message != NULL && !heron_message_get_seen (message))
    heron_account_set_flags_async (heron_message_get_account (message), &message, 1,
                                   HERON_MESSAGE_FLAG_SEEN, 0, NULL, on_mark_seen_done, NULL);

  _heron_window_update_actions (self);
}

static void
on_message_activated (HeronWindow  *self,
                      HeronMessage *message)
{
  if (self->current_folder != NULL &&
      heron_folder_get_role (self->current_folder) == HERON_FOLDER_ROLE_DRAFTS)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.edit-draft", NULL);
      return;
    }
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->reader_pane);
}

static void
on_messages_dropped (HeronWindow *self,
                     HeronFolder *folder,
                     GListModel  *messages)
{
  _heron_window_move_messages (self, messages, folder);
}

gboolean
heron_window_show_folder (HeronWindow *self,
                          HeronFolder *folder)
{
  g_return_val_if_fail (HERON_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (HERON_IS_FOLDER (folder), FALSE);

  if (self->search_list != NULL)
    _heron_window_set_search_mode (self, FALSE);
  if (!heron_sidebar_select_folder (self->sidebar, folder))
    return FALSE;
  if (self->current_folder != folder)
    on_sidebar_selection_changed (self);
  return TRUE;
}

gboolean
heron_window_show_message (HeronWindow  *self,
                           HeronMessage *message)
{
  gint position;

  g_return_val_if_fail (HERON_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (HERON_IS_MESSAGE (message), FALSE);

  if (!heron_window_show_folder (self, heron_message_get_folder (message)))
    return FALSE;
  if (!HERON_IS_MESSAGE_LIST (self->folder_list))
    return FALSE;
  position = heron_message_list_find (HERON_MESSAGE_LIST (self->folder_list), message);
  if (position < 0)
    return FALSE;
  heron_message_list_view_select_position (self->message_list, (guint) position);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->reader_pane);
  return TRUE;
}

void
_heron_window_set_threaded (HeronWindow *self,
                            gboolean     threaded)
{
  GSettings *settings = _heron_window_get_settings (self);

  self->threaded = threaded;
  if (self->folder_list != NULL)
    heron_window_apply_threaded (self, self->folder_list);
  if (settings != NULL && g_settings_get_boolean (settings, "conversation-view") != threaded)
    g_settings_set_boolean (settings, "conversation-view", threaded);
}

/* Search */

static void
on_search_changed (HeronWindow *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (query));
  gboolean all_folders = gtk_drop_down_get_selected (self->search_scope) == 1;

  /* GtkSearchEntry already waits for a pause in typing. */
  g_clear_object (&self->search_list);
  if (*stripped != '\0' && self->manager != NULL)
    self->search_list = G_LIST_MODEL (heron_message_list_new_search (self->manager,
                                                                     all_folders ? NULL : self->current_folder,
                                                                     stripped));
  heron_window_show_list (self);
}

static void
on_search_mode_changed (HeronWindow *self)
{
  gboolean enabled = gtk_search_bar_get_search_mode (self->search_bar);

  if (!enabled && self->search_list != NULL)
    {
      g_clear_object (&self->search_list);
      heron_window_show_list (self);
    }
  _heron_window_update_actions (self);
}

void
_heron_window_set_search_mode (HeronWindow *self,
                               gboolean     enabled)
{
  gtk_search_bar_set_search_mode (self->search_bar, enabled);
  if (enabled)
    {
      if (adw_leaflet_get_folded (self->leaflet))
        adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
}

gboolean
_heron_window_get_search_mode (HeronWindow *self)
{
  return gtk_search_bar_get_search_mode (self->search_bar);
}

/* State */

/* The window's size is taken from the settings when it is created and written back when it closes,
 * as GNOME applications do (not on every resize). */
static void
heron_window_restore_state (HeronWindow *self)
{
  GSettings *settings = _heron_window_get_settings (self);

  if (settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  self->threaded = g_settings_get_boolean (settings, "conversation-view");
}

static gboolean
heron_window_close_request (GtkWindow *window)
{
  HeronWindow *self = HERON_WINDOW (window);
  GSettings *settings = _heron_window_get_settings (self);

  if (settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (settings);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
      g_settings_apply (settings);
    }

  return GTK_WINDOW_CLASS (heron_window_parent_class)->close_request (window);
}

/* The application is set after construction (GtkWindow:application is not a construct
 * property): the window takes its settings and accounts from it then. */
static void
heron_window_attach (HeronWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (app == NULL || self->attached)
    return;
  self->attached = TRUE;

  heron_window_restore_state (self);
  heron_message_view_set_settings (self->message_view, _heron_window_get_settings (self));
  _heron_window_sync_action_state (self);

  self->manager = heron_application_get_account_manager (HERON_APPLICATION (app));
  if (self->manager != NULL)
    {
      g_object_ref (self->manager);
      g_signal_connect_object (heron_account_manager_get_accounts (self->manager), "items-changed",
                               G_CALLBACK (on_accounts_changed), self, 0);
      g_signal_connect_object (self->manager, "notify::unified-inbox",
                               G_CALLBACK (on_unified_inbox_changed), self, G_CONNECT_SWAPPED);
      heron_sidebar_set_manager (self->sidebar, self->manager);
    }
  heron_window_update_accounts (self, 0, 0,
                                self->manager != NULL
                                ? g_list_model_get_n_items (heron_account_manager_get_accounts (self->manager))
                                : 0);
  _heron_window_update_actions (self);
}

static void
heron_window_constructed (GObject *object)
{
  HeronWindow *self = HERON_WINDOW (object);
  g_autoptr(GMenuModel) move_menu = NULL;
  GMenuModel *section;

  G_OBJECT_CLASS (heron_window_parent_class)->constructed (object);

  _heron_window_install_actions (self);

  /* "Move To" goes into the third section of the context menu; it is rebuilt when shown. */
  section = g_menu_model_get_item_link (G_MENU_MODEL (self->message_menu), 2, G_MENU_LINK_SECTION);
  move_menu = _heron_window_build_move_menu (self);
  g_menu_insert_submenu (G_MENU (section), 1, _("_Move To"), move_menu);
  g_object_set_data_full (G_OBJECT (self), "heron-move-section", section, g_object_unref);
  heron_message_list_view_set_context_menu (self->message_list, G_MENU_MODEL (self->message_menu));

  g_signal_connect (self, "notify::application", G_CALLBACK (heron_window_attach), NULL);
  heron_window_attach (self);
  _heron_window_update_actions (self);
}

static void
heron_window_dispose (GObject *object)
{
  HeronWindow *self = HERON_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_WINDOW);
  g_clear_object (&self->search_list);
  g_clear_object (&self->folder_list);
  g_clear_object (&self->current_folder);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (heron_window_parent_class)->dispose (object);
}

static void
heron_window_class_init (HeronWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = heron_window_constructed;
  object_class->dispose = heron_window_dispose;
  window_class->close_request = heron_window_close_request;

  g_type_ensure (HERON_TYPE_SIDEBAR);
  g_type_ensure (HERON_TYPE_MESSAGE_LIST_VIEW);
  g_type_ensure (HERON_TYPE_MESSAGE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               HERON_RESOURCE_PREFIX "/app/heron-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, window_stack);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, reader_pane);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, status_stack);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, status_button);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, archive_button);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, search_scope);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, message_list);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, message_view);
  gtk_widget_class_bind_template_child (widget_class, HeronWindow, message_menu);
}

static void
heron_window_init (HeronWindow *self)
{
  const char *archive_icons[] = { "mail-archive-symbolic", "package-x-generic-symbolic", NULL };
  g_autoptr(GIcon) archive_icon = g_themed_icon_new_from_names ((char **) archive_icons, -1);
  GtkEventController *list_shortcuts;

  self->reselect_position = GTK_INVALID_LIST_POSITION;
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Older Adwaita themes have no mail-archive-symbolic. */
  gtk_button_set_child (self->archive_button, gtk_image_new_from_gicon (archive_icon));
  gtk_widget_add_css_class (GTK_WIDGET (self->archive_button), "image-button");

  /* Delete acts on the list only when the list has the focus: as an application accelerator it
   * would take the key from the search entry. */
  list_shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (list_shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("Delete|KP_Delete"),
                                                          gtk_named_action_new ("win.delete")));
  gtk_widget_add_controller (GTK_WIDGET (self->message_list), list_shortcuts);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, self->list_pane);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->search_scope, "notify::selected", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled",
                            G_CALLBACK (on_search_mode_changed), self);
  g_signal_connect_swapped (self->sidebar, "selection-changed",
                            G_CALLBACK (on_sidebar_selection_changed), self);
  g_signal_connect_swapped (self->sidebar, "folder-activated",
                            G_CALLBACK (on_sidebar_folder_activated), self);
  g_signal_connect_swapped (self->sidebar, "messages-dropped", G_CALLBACK (on_messages_dropped), self);
  g_signal_connect_swapped (self->message_list, "selection-changed",
                            G_CALLBACK (on_list_selection_changed), self);
  g_signal_connect_swapped (self->message_list, "message-activated",
                            G_CALLBACK (on_message_activated), self);
}
