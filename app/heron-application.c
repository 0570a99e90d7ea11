/* heron-application.c: the process, its settings and its windows.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-application-private.h"
#include "heron-window.h"

/* New messages notified one by one; past this, one notification counts them. */
#define NOTIFY_MAX_SINGLE 3

struct _HeronApplication
{
  AdwApplication       parent_instance;

  GSettings           *settings;
  HeronAccountManager *manager;
};

G_DEFINE_FINAL_TYPE (HeronApplication, heron_application, ADW_TYPE_APPLICATION)

/* TRUE when @dri_dir holds a GPU render node (renderD128 ...). */
static gboolean
has_render_node (const char *dri_dir)
{
  g_autoptr(GDir) dir = g_dir_open (dri_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return TRUE;
  return FALSE;
}

/* Without a GPU render node (a virtual machine without one, a remote or headless X server),
 * GL is Mesa's software rasteriser: GTK 4.8's GL renderer on it spends a few hundred
 * milliseconds compiling shaders with LLVM before the first frame and keeps 60 MB of driver
 * code and more of buffers, where its cairo renderer paints the same sooner in less memory.
 * So there GL is left off: GDK reads GDK_DEBUG=gl-disable (GTK up to 4.14) or GDK_DISABLE=gl
 * (GTK 4.16 on) when the display opens, GSK_RENDERER for each window. The person's own choice
 * wins: any of the three set leaves them all alone. (Programs Heron opens, a browser for a
 * link, inherit them; on such a machine their GL would be software too.) */
void
_heron_application_choose_renderer (const char *dri_dir)
{
  if (g_getenv ("GSK_RENDERER") != NULL || g_getenv ("GDK_DEBUG") != NULL ||
      g_getenv ("GDK_DISABLE") != NULL)
    return;
  if (has_render_node (dri_dir))
    return;
  if (gtk_get_major_version () == 4 && gtk_get_minor_version () < 16)
    g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  else
    g_setenv ("GDK_DISABLE", "gl", FALSE);
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
}

/* Made before the display opens, so it also chooses the renderer (see above). */
HeronApplication *
heron_application_new (void)
{
  _heron_application_choose_renderer ("/dev/dri");
  return g_object_new (HERON_TYPE_APPLICATION,
                       "application-id", HERON_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", HERON_RESOURCE_PREFIX,
                       NULL);
}

/* Returns the application's settings, or NULL when the schema is not installed (an uninstalled
 * build run without GSETTINGS_SCHEMA_DIR): the window then simply does not remember its size. */
GSettings *
heron_application_get_settings (HeronApplication *self)
{
  g_return_val_if_fail (HERON_IS_APPLICATION (self), NULL);

  return self->settings;
}

HeronAccountManager *
heron_application_get_account_manager (HeronApplication *self)
{
  g_return_val_if_fail (HERON_IS_APPLICATION (self), NULL);

  return self->manager;
}

HeronMessage *
_heron_application_find_message (HeronApplication *self,
                                 const char       *account_id,
                                 const char       *folder_name,
                                 gint64            uid)
{
  HeronAccount *account;
  HeronFolder *folder;

  if (self->manager == NULL)
    return NULL;
  account = heron_account_manager_lookup (self->manager, account_id);
  if (account == NULL)
    return NULL;
  folder = heron_account_lookup_folder (account, folder_name);
  if (folder == NULL)
    return NULL;
  /* Straight from the cache: the folder's list may not hold it (threads, a long folder). */
  return heron_folder_lookup_message (folder, uid);
}

/* Notifications for new mail */

static char *
notification_id (HeronAccount *account,
                 HeronFolder  *folder,
                 gint64        uid)
{
  return g_strdup_printf ("new-mail-%s-%s-%" G_GINT64_FORMAT, heron_account_get_id (account),
                          heron_folder_get_name (folder), uid);
}

static void
send_single_notification (HeronApplication *self,
                          HeronAccount     *account,
                          HeronFolder      *folder,
                          gint64            uid)
{
  g_autoptr(HeronMessage) message = NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = notification_id (account, folder, uid);
  const char *subject;

  message = _heron_application_find_message (self, heron_account_get_id (account),
                                             heron_folder_get_name (folder), uid);
  if (message != NULL)
    {
      subject = heron_message_get_subject (message);
      notification = g_notification_new (heron_message_get_sender_display (message));
      g_notification_set_body (notification, subject != NULL && *subject != '\0' ? subject : _("(No Subject)"));
    }
  else
    {
      /* Not in the list (yet): still say that something came. */
      notification = g_notification_new (_("New message"));
      g_notification_set_body (notification, heron_account_get_display_name (account));
    }
  g_notification_set_category (notification, "email.arrived");
  g_notification_set_default_action_and_target (notification, "app.open-message", "(ssx)",
                                                heron_account_get_id (account),
                                                heron_folder_get_name (folder), uid);
  g_notification_add_button_with_target (notification, _("Open"), "app.open-message", "(ssx)",
                                         heron_account_get_id (account),
                                         heron_folder_get_name (folder), uid);
  g_notification_add_button_with_target (notification, _("Mark as Read"), "app.mark-message-read",
                                         "(ssx)", heron_account_get_id (account),
                                         heron_folder_get_name (folder), uid);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

typedef struct {
  HeronApplication *self;
  HeronAccount     *account;
  HeronFolder      *folder;
  GArray           *uids;
} NewMail;

static void
new_mail_free (NewMail *new_mail)
{
  g_clear_object (&new_mail->self);
  g_clear_object (&new_mail->account);
  g_clear_object (&new_mail->folder);
  g_clear_pointer (&new_mail->uids, g_array_unref);
  g_free (new_mail);
}

/* Runs once the folder's message list took the new messages in (it follows the same event). */
static gboolean
notify_new_mail (gpointer user_data)
{
  NewMail *new_mail = user_data;
  HeronApplication *self = new_mail->self;
  guint n = new_mail->uids->len;

  if (n > NOTIFY_MAX_SINGLE)
    {
      g_autoptr(GNotification) notification = NULL;
      g_autofree char *title = NULL;
      g_autofree char *id = notification_id (new_mail->account, new_mail->folder, -1);

      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message", "%u new messages", n), n);
      notification = g_notification_new (title);
      g_notification_set_body (notification, heron_account_get_display_name (new_mail->account));
      g_notification_set_category (notification, "email.arrived");
      g_notification_set_default_action_and_target (notification, "app.open-message", "(ssx)",
                                                    heron_account_get_id (new_mail->account),
                                                    heron_folder_get_name (new_mail->folder),
                                                    (gint64) -1);
      g_application_send_notification (G_APPLICATION (self), id, notification);
    }
  else
    for (guint i = 0; i < n; i++)
      send_single_notification (self, new_mail->account, new_mail->folder,
                                g_array_index (new_mail->uids, gint64, i));
  return G_SOURCE_REMOVE;
}

static void
on_new_mail (HeronAccount     *account,
             HeronFolder      *folder,
             GArray           *uids,
             HeronApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  NewMail *new_mail;
  guint n = uids != NULL ? uids->len : 0;

  g_debug ("%u new messages in %s of %s", n, heron_folder_get_name (folder),
           heron_account_get_display_name (account));
  if (n == 0)
    return;
  /* An account removed from the manager may still be finishing its work. */
  if (self->manager == NULL ||
      heron_account_manager_lookup (self->manager, heron_account_get_id (account)) != account)
    return;
  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "notify-new-mail"))
    return;
  /* The person is looking at the window: the list shows the new mail. */
  if (window != NULL && gtk_window_is_active (window))
    return;

  new_mail = g_new0 (NewMail, 1);
  new_mail->self = g_object_ref (self);
  new_mail->account = g_object_ref (account);
  new_mail->folder = g_object_ref (folder);
  new_mail->uids = g_array_ref (uids);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, notify_new_mail, new_mail, (GDestroyNotify) new_mail_free);
}

/* Follows ::new-mail of the accounts added to the manager's list; a handler goes with its
 * account (or with the application), and one that is no longer the manager's is ignored in
 * on_new_mail(). */
static void
on_accounts_changed (GListModel       *accounts,
                     guint             position,
                     guint             removed,
                     guint             added,
                     HeronApplication *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(HeronAccount) account = g_list_model_get_item (accounts, i);

      g_signal_connect_object (account, "new-mail", G_CALLBACK (on_new_mail), self, 0);
    }
}

static void
heron_application_load_accounts (HeronApplication *self)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *accounts;

  self->manager = heron_account_manager_new (NULL, NULL);
  if (!heron_account_manager_load (self->manager, &errors, &error))
    g_warning ("Cannot read the accounts: %s", error->message);
  for (guint i = 0; errors != NULL && i < errors->len; i++)
    g_warning ("An account could not be read: %s", ((GError *) g_ptr_array_index (errors, i))->message);

  accounts = heron_account_manager_get_accounts (self->manager);
  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (on_accounts_changed), self, 0);
  on_accounts_changed (accounts, 0, 0, g_list_model_get_n_items (accounts), self);
}

static void
heron_application_startup (GApplication *app)
{
  HeronApplication *self = HERON_APPLICATION (app);
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (heron_application_parent_class)->startup (app);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, HERON_APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  else
    g_warning ("The settings schema %s is not installed; settings will not be kept", HERON_APP_ID);

  /* Dark style follows the system (AdwStyleManager's default color scheme). */
  heron_application_load_accounts (self);
  _heron_application_install_actions (self);
}

static void
heron_application_shutdown (GApplication *app)
{
  HeronApplication *self = HERON_APPLICATION (app);

  /* The workers stop; what is pending stays in the journal for the next start. (Message lists
   * let their snapshots of the caches go first: HeronAccount::closing.) */
  if (self->manager != NULL)
    heron_account_manager_shutdown (self->manager);

  G_APPLICATION_CLASS (heron_application_parent_class)->shutdown (app);
}

static void
heron_application_activate (GApplication *app)
{
  HeronApplication *self = HERON_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (heron_window_new (self));

  gtk_window_present (window);
}

static void
heron_application_dispose (GObject *object)
{
  HeronApplication *self = HERON_APPLICATION (object);

  /* The handlers on the accounts and their list were connected with g_signal_connect_object. */
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (heron_application_parent_class)->dispose (object);
}

static void
heron_application_class_init (HeronApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = heron_application_dispose;
  app_class->startup = heron_application_startup;
  app_class->activate = heron_application_activate;
  app_class->shutdown = heron_application_shutdown;
}

static void
heron_application_init (HeronApplication *self)
{
}
