/* heron-application-actions.c: application-wide actions and their accelerators.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-application-private.h"
#include "heron-preferences-window.h"
#include "heron-window.h"

static void
heron_application_quit_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows;

  /* Close the windows first so each can save its state, then leave. */
  windows = gtk_application_get_windows (GTK_APPLICATION (app));
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_destroy (window);
    }

  g_application_quit (app);
}

static void
heron_application_about_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Heron developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Heron"),
                        "application-icon", HERON_APP_ID,
                        "developer-name", _("The Heron developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/heronmail/heron",
                        "issue-url", "https://github.com/heronmail/heron/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: replace with your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
heron_application_preferences_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  HeronApplication *self = HERON_APPLICATION (user_data);
  GtkWindow *preferences;

  if (heron_application_get_account_manager (self) == NULL)
    return;
  preferences = heron_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                              heron_application_get_account_manager (self),
                                              heron_application_get_settings (self));
  gtk_window_present (preferences);
}

static HeronWindow *
heron_application_present_window (HeronApplication *self)
{
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (HERON_IS_WINDOW (l->data))
      {
        window = l->data;
        break;
      }
  if (window == NULL)
    window = GTK_WINDOW (heron_window_new (self));
  gtk_window_present (window);
  return HERON_WINDOW (window);
}

/* app.open-message((ssx) account id, folder name, uid): from a notification. A uid of -1 shows
 * the folder. */
static void
heron_application_open_message_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  HeronApplication *self = HERON_APPLICATION (user_data);
  HeronAccountManager *manager = heron_application_get_account_manager (self);
  g_autoptr(HeronMessage) message = NULL;
  const char *account_id;
  const char *folder_name;
  HeronWindow *window;
  HeronAccount *account;
  HeronFolder *folder;
  gint64 uid;

  g_variant_get (parameter, "(&s&sx)", &account_id, &folder_name, &uid);
  window = heron_application_present_window (self);
  if (manager == NULL || (account = heron_account_manager_lookup (manager, account_id)) == NULL ||
      (folder = heron_account_lookup_folder (account, folder_name)) == NULL)
    return;

  if (uid >= 0)
    message = _heron_application_find_message (self, account_id, folder_name, uid);
  if (message == NULL || !heron_window_show_message (window, message))
    heron_window_show_folder (window, folder);
}

static void
on_notification_mark_read_done (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!heron_account_set_flags_finish (HERON_ACCOUNT (source), result, &error))
    g_warning ("Cannot mark the message as read: %s", error->message);
}

/* app.mark-message-read((ssx) account id, folder name, uid): from a notification. */
static void
heron_application_mark_message_read_action (GSimpleAction *action,
                                            GVariant      *parameter,
                                            gpointer       user_data)
{
  HeronApplication *self = HERON_APPLICATION (user_data);
  g_autoptr(HeronMessage) message = NULL;
  g_autofree char *id = NULL;
  const char *account_id;
  const char *folder_name;
  gint64 uid;

  g_variant_get (parameter, "(&s&sx)", &account_id, &folder_name, &uid);
  id = g_strdup_printf ("new-mail-%s-%s-%" G_GINT64_FORMAT, account_id, folder_name, uid);
  g_application_withdraw_notification (G_APPLICATION (self), id);

  message = _heron_application_find_message (self, account_id, folder_name, uid);
  if (message == NULL)
    {
      g_warning ("The message %" G_GINT64_FORMAT " of %s is no longer there", uid, folder_name);
      return;
    }
  heron_account_set_flags_async (heron_message_get_account (message), &message, 1,
                                 HERON_MESSAGE_FLAG_SEEN, 0, NULL, on_notification_mark_read_done, NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", heron_application_quit_action },
  { "about", heron_application_about_action },
  { "preferences", heron_application_preferences_action },
  { "open-message", heron_application_open_message_action, "(ssx)" },
  { "mark-message-read", heron_application_mark_message_read_action, "(ssx)" },
};

/* Every accelerator of the application, in one table. */
static const struct {
  const char *action;
  const char *accels[3];
} app_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.compose", { "<Control>n", NULL } },
  { "win.reply", { "<Control>r", NULL } },
  { "win.reply-all", { "<Control><Shift>r", NULL } },
  { "win.forward", { "<Control>l", NULL } },
  { "win.mark-read", { "<Control>i", NULL } },
  { "win.mark-unread", { "<Control>u", NULL } },
  { "win.toggle-flag", { "<Control>s", NULL } },
  { "win.archive", { "<Control>e", NULL } },
  { "win.junk", { "<Control>j", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "win.refresh", { "F5", "<Control>F5", NULL } },
};

void
_heron_application_install_actions (HeronApplication *self)
{
  g_assert (HERON_IS_APPLICATION (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  for (guint i = 0; i < G_N_ELEMENTS (app_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), app_accels[i].action,
                                           app_accels[i].accels);
}
