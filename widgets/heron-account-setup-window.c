/* heron-account-setup-window.c: adding a mail account from its address and password
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three pages in a GtkStack: "address" (name, address, password), "searching" (autoconfiguration
 * runs) and "details" (what was found, and how, in editable rows). "Add Account" on the details
 * page checks the servers with the password (heron_account_check_async()) and adds the account
 * through the manager only when the check passed. A failed check is shown in words above the
 * rows; an untrusted certificate is shown with its fingerprint and can be pinned for the server
 * that presented it, after which the check runs again.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heron-account-setup-window.h"
#include "heron-account-dialogs-private.h"
#include "heron-server-editor.h"

struct _HeronAccountSetupWindow
{
  AdwWindow              parent_instance;

  HeronAccountManager   *manager;
  HeronAutoconfig       *autoconfig;
  GCancellable          *cancellable;
  /* The account being made: from autoconfiguration, edited by the rows before each check. */
  HeronAccountConfig    *config;
  /* The certificate the last failed check was refused with, and by which server. */
  GTlsCertificate       *untrusted_certificate;
  HeronAccountProtocol   untrusted_protocol;
  gboolean               busy;

  /* Template children */
  GtkButton             *back_button;
  GtkButton             *next_button;
  GtkSpinner            *spinner;
  GtkStack              *stack;
  AdwEntryRow           *name_row;
  AdwEntryRow           *address_row;
  AdwPasswordEntryRow   *password_row;
  GtkLabel              *address_error_label;
  AdwStatusPage         *searching_page;
  GtkSpinner            *searching_spinner;
  GtkWidget             *details_box;
  GtkWidget             *check_error_box;
  GtkLabel              *check_error_label;
  GtkWidget             *certificate_box;
  AdwBin                *certificate_details_bin;
  GtkLabel              *found_label;
  GtkExpander           *log_expander;
  GtkLabel              *log_label;
  AdwEntryRow           *display_name_row;
  GtkWidget             *account_group;
  GtkWidget             *imap_group;
  GtkWidget             *smtp_group;
  AdwEntryRow           *imap_host_row;
  AdwComboRow           *imap_security_row;
  GtkSpinButton         *imap_port_spin;
  AdwEntryRow           *imap_user_row;
  AdwEntryRow           *smtp_host_row;
  AdwComboRow           *smtp_security_row;
  GtkSpinButton         *smtp_port_spin;
  AdwEntryRow           *smtp_user_row;

  HeronServerEditor      imap_editor;
  HeronServerEditor      smtp_editor;
};

G_DEFINE_FINAL_TYPE (HeronAccountSetupWindow, heron_account_setup_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ACCOUNT_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void heron_account_setup_window_update (HeronAccountSetupWindow *self);
static char *dup_stripped_text (AdwEntryRow *row);

GtkWindow *
heron_account_setup_window_new (GtkWindow           *parent,
                                HeronAccountManager *manager)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HERON_IS_ACCOUNT_MANAGER (manager), NULL);

  return g_object_new (HERON_TYPE_ACCOUNT_SETUP_WINDOW,
                       "transient-for", parent,
                       "manager", manager,
                       NULL);
}

void
heron_account_setup_window_set_autoconfig (HeronAccountSetupWindow *self,
                                           HeronAutoconfig         *autoconfig)
{
  g_return_if_fail (HERON_IS_ACCOUNT_SETUP_WINDOW (self));
  g_return_if_fail (autoconfig == NULL || HERON_IS_AUTOCONFIG (autoconfig));

  g_set_object (&self->autoconfig, autoconfig);
}

gboolean
heron_account_setup_window_get_busy (HeronAccountSetupWindow *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SETUP_WINDOW (self), FALSE);

  return self->busy;
}

static void
set_busy (HeronAccountSetupWindow *self,
          gboolean                 busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy && g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "searching") != 0);
  gtk_spinner_set_spinning (self->searching_spinner, busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  heron_account_setup_window_update (self);
}

static const char *
protocol_title (HeronAccountProtocol protocol)
{
  return protocol == HERON_ACCOUNT_PROTOCOL_IMAP ? _("Incoming mail server (IMAP)")
                                                 : _("Outgoing mail server (SMTP)");
}

/* Which page shows and what the header bar's buttons say there. */
static void
heron_account_setup_window_update (HeronAccountSetupWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean can_next = FALSE;

  if (g_strcmp0 (page, "address") == 0)
    {
      g_autofree char *address = dup_stripped_text (self->address_row);
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

      gtk_button_set_label (self->back_button, _("_Cancel"));
      gtk_button_set_label (self->next_button, _("_Continue"));
      gtk_widget_set_visible (GTK_WIDGET (self->next_button), TRUE);
      can_next = heron_account_address_is_valid (address) && *password != '\0';
    }
  else if (g_strcmp0 (page, "searching") == 0)
    {
      gtk_button_set_label (self->back_button, _("_Back"));
      gtk_widget_set_visible (GTK_WIDGET (self->next_button), FALSE);
    }
  else
    {
      gtk_button_set_label (self->back_button, _("_Back"));
      gtk_button_set_label (self->next_button, _("_Add Account"));
      gtk_widget_set_visible (GTK_WIDGET (self->next_button), TRUE);
      can_next = !self->busy
                 && *gtk_editable_get_text (GTK_EDITABLE (self->imap_host_row)) != '\0'
                 && *gtk_editable_get_text (GTK_EDITABLE (self->smtp_host_row)) != '\0';
      gtk_widget_set_sensitive (self->account_group, !self->busy);
      gtk_widget_set_sensitive (self->imap_group, !self->busy);
      gtk_widget_set_sensitive (self->smtp_group, !self->busy);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.next", can_next);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.trust-certificate",
                                 !self->busy && self->untrusted_certificate != NULL);
}

static void
clear_check_error (HeronAccountSetupWindow *self)
{
  g_clear_object (&self->untrusted_certificate);
  gtk_widget_set_visible (self->check_error_box, FALSE);
  gtk_widget_set_visible (self->certificate_box, FALSE);
  adw_bin_set_child (self->certificate_details_bin, NULL);
}

static void
show_check_error (HeronAccountSetupWindow *self,
                  const char              *message)
{
  gtk_label_set_text (self->check_error_label, message);
  gtk_widget_set_visible (self->check_error_box, TRUE);
}

static char *
dup_stripped_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
rows_to_config (HeronAccountSetupWindow *self)
{
  g_autofree char *display_name = dup_stripped_text (self->display_name_row);

  heron_account_config_set_display_name (self->config, *display_name != '\0' ? display_name : NULL);
  heron_server_editor_store (&self->imap_editor, heron_account_config_get_imap (self->config));
  heron_server_editor_store (&self->smtp_editor, heron_account_config_get_smtp (self->config));
}

static const char *
source_description (HeronAutoconfigSource source)
{
  switch (source)
    {
    case HERON_AUTOCONFIG_SOURCE_ISP:
      return _("found in your provider’s configuration document");
    case HERON_AUTOCONFIG_SOURCE_SRV:
      return _("found in DNS service records, which are not authenticated; please confirm it");
    case HERON_AUTOCONFIG_SOURCE_PROBE:
      return _("found by trying common server names; please confirm it");
    case HERON_AUTOCONFIG_SOURCE_GOA:
      return _("taken from GNOME Online Accounts");
    case HERON_AUTOCONFIG_SOURCE_NONE:
    default:
      return _("not found; please enter it");
    }
}

static void
show_details (HeronAccountSetupWindow *self,
              HeronAutoconfigResult   *result,
              const GError            *error)
{
  g_autoptr(GString) found = g_string_new (NULL);
  const char *display_name;

  clear_check_error (self);

  if (result != NULL)
    {
      const char * const *log = heron_autoconfig_result_get_log (result);
      const char *provider = heron_autoconfig_result_get_provider_name (result);
      const char *url = heron_autoconfig_result_get_source_url (result);
      g_autofree char *log_text = NULL;

      if (provider != NULL)
        /* Translators: %s is the name of a mail provider */
        g_string_append_printf (found, _("Provider: %s."), provider);
      for (HeronAccountProtocol p = HERON_ACCOUNT_PROTOCOL_IMAP; p <= HERON_ACCOUNT_PROTOCOL_SMTP; p++)
        {
          HeronAutoconfigSource source = heron_autoconfig_result_get_source (result, p);

          if (found->len > 0)
            g_string_append_c (found, '\n');
          /* Translators: "Incoming mail server (IMAP): found from …" */
          g_string_append_printf (found, _("%s: %s."), protocol_title (p), source_description (source));
          if (source == HERON_AUTOCONFIG_SOURCE_ISP && url != NULL)
            {
              g_string_append_c (found, ' ');
              /* Translators: %s is the address of an autoconfiguration document */
              g_string_append_printf (found, _("(%s)"), url);
            }
          if (heron_autoconfig_result_get_certificate_status (result, p) == HERON_AUTOCONFIG_CERTIFICATE_NOT_VERIFIED)
            {
              g_string_append_c (found, ' ');
              g_string_append (found, _("Its certificate does not verify; the check will show it."));
            }
        }
      log_text = log != NULL ? g_strjoinv ("\n", (char **) log) : NULL;
      gtk_label_set_text (self->log_label, log_text != NULL ? log_text : "");
      gtk_widget_set_visible (GTK_WIDGET (self->log_expander), log_text != NULL && *log_text != '\0');
    }
  else
    {
      g_string_append_printf (found, _("The servers could not be found: %s Please enter them below."),
                              error != NULL ? error->message : "");
      gtk_widget_set_visible (GTK_WIDGET (self->log_expander), FALSE);
    }
  gtk_label_set_text (self->found_label, found->str);

  display_name = heron_account_config_get_display_name (self->config);
  gtk_editable_set_text (GTK_EDITABLE (self->display_name_row), display_name != NULL ? display_name : "");
  heron_server_editor_load (&self->imap_editor, heron_account_config_get_imap (self->config));
  heron_server_editor_load (&self->smtp_editor, heron_account_config_get_smtp (self->config));

  gtk_stack_set_visible_child_name (self->stack, "details");
}

/* A config for an address nothing was found for: the identity, and the address as user name. */
static HeronAccountConfig *
config_for_address (const char *name,
                    const char *address)
{
  g_autoptr(HeronAccountConfig) config = heron_account_config_new ();
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new (name, address);

  heron_account_config_add_identity (config, identity);
  heron_account_server_set_user (heron_account_config_get_imap (config), address);
  heron_account_server_set_user (heron_account_config_get_smtp (config), address);
  return g_steal_pointer (&config);
}

static void
discover_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HeronAccountSetupWindow) self = user_data;
  g_autoptr(HeronAutoconfigResult) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;

  found = heron_autoconfig_discover_finish (HERON_AUTOCONFIG (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);

  if (g_error_matches (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_BAD_ADDRESS))
    {
      gtk_label_set_text (self->address_error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->address_error_label), TRUE);
      gtk_stack_set_visible_child_name (self->stack, "address");
      return;
    }

  name = dup_stripped_text (self->name_row);
  address = dup_stripped_text (self->address_row);
  g_clear_object (&self->config);
  if (found != NULL)
    self->config = heron_account_config_copy (heron_autoconfig_result_get_config (found));
  else
    self->config = config_for_address (*name != '\0' ? name : NULL, address);

  show_details (self, found, error);
}

static void
start_discovery (HeronAccountSetupWindow *self)
{
  g_autofree char *name = dup_stripped_text (self->name_row);
  g_autofree char *address = dup_stripped_text (self->address_row);
  const char *at = strrchr (address, '@');
  g_autofree char *description = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->address_error_label), FALSE);
  if (self->autoconfig == NULL)
    self->autoconfig = heron_autoconfig_new ();

  /* Translators: %s is a mail domain such as example.org */
  description = g_strdup_printf (_("Asking %s and trying common server names. This takes a few seconds."),
                                 at != NULL ? at + 1 : address);
  adw_status_page_set_description (self->searching_page, description);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_stack_set_visible_child_name (self->stack, "searching");
  set_busy (self, TRUE);
  heron_autoconfig_discover_async (self->autoconfig, address, *name != '\0' ? name : NULL,
                                   self->cancellable, discover_cb, g_object_ref (self));
}

static void
add_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(HeronAccountSetupWindow) self = user_data;
  g_autoptr(HeronAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = heron_account_manager_add_finish (HERON_ACCOUNT_MANAGER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);
  if (account == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The account could not be added: %s"), error->message);

      show_check_error (self, message);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_ACCOUNT_ADDED], 0, account);
  /* GTK 4.8 warns when a text widget that has the focus is disposed with its window. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HeronAccountSetupWindow) self = user_data;
  g_autoptr(HeronAccountCheckResult) checked = NULL;
  g_autoptr(GError) error = NULL;
  HeronAccountProtocol protocol;
  g_autofree char *message = NULL;

  checked = heron_account_check_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (checked != NULL)
    {
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

      g_debug ("Account check passed: %u folders", checked->n_folders);
      heron_account_manager_add_async (self->manager, self->config, password, self->cancellable,
                                       add_cb, g_object_ref (self));
      return;
    }

  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);
  protocol = heron_account_check_get_failed_protocol (result);
  /* Translators: "Incoming mail server (IMAP): <what went wrong>" */
  message = g_strdup_printf (_("%s: %s"), protocol_title (protocol), error->message);
  show_check_error (self, message);

  if (g_error_matches (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_CERTIFICATE_UNTRUSTED))
    {
      GTlsCertificate *certificate = heron_account_check_get_peer_certificate (result);

      if (certificate != NULL)
        {
          g_set_object (&self->untrusted_certificate, certificate);
          self->untrusted_protocol = protocol;
          adw_bin_set_child (self->certificate_details_bin,
                             _heron_certificate_details_new (certificate, NULL));
          gtk_widget_set_visible (self->certificate_box, TRUE);
        }
    }
  else if (g_error_matches (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTH_FAILED)
           || g_error_matches (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_APP_PASSWORD_REQUIRED))
    {
      /* The password is on the first page. */
      gtk_stack_set_visible_child_name (self->stack, "address");
      gtk_label_set_text (self->address_error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->address_error_label), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
    }
  heron_account_setup_window_update (self);
}

static void
start_check (HeronAccountSetupWindow *self)
{
  g_autoptr(GError) error = NULL;
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  g_assert (self->config != NULL);

  clear_check_error (self);
  rows_to_config (self);
  if (!heron_account_config_validate (self->config, &error))
    {
      show_check_error (self, error->message);
      heron_account_setup_window_update (self);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  heron_account_check_async (self->config, password, HERON_ACCOUNT_CHECK_NONE, self->cancellable,
                             check_cb, g_object_ref (self));
}

static void
setup_next_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HeronAccountSetupWindow *self = HERON_ACCOUNT_SETUP_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (page, "address") == 0)
    {
      g_autofree char *address = dup_stripped_text (self->address_row);

      /* Back from the details after a refused password: keep what was found and edited. */
      if (self->config != NULL
          && g_strcmp0 (heron_account_identity_get_address (heron_account_config_get_primary_identity (self->config)), address) == 0)
        {
          gtk_stack_set_visible_child_name (self->stack, "details");
          start_check (self);
        }
      else
        start_discovery (self);
    }
  else if (g_strcmp0 (page, "details") == 0)
    start_check (self);
}

static void
setup_back_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  HeronAccountSetupWindow *self = HERON_ACCOUNT_SETUP_WINDOW (widget);
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (g_strcmp0 (page, "address") == 0)
    gtk_window_close (GTK_WINDOW (self));
  else
    gtk_stack_set_visible_child_name (self->stack, "address");
}

static void
setup_trust_certificate_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  HeronAccountSetupWindow *self = HERON_ACCOUNT_SETUP_WINDOW (widget);
  g_autofree char *pem = NULL;
  HeronAccountServer *server;

  if (self->untrusted_certificate == NULL || self->config == NULL)
    return;

  /* Take the rows first: they would otherwise drop a pin for a server that seems edited. */
  rows_to_config (self);
  g_object_get (self->untrusted_certificate, "certificate-pem", &pem, NULL);
  server = self->untrusted_protocol == HERON_ACCOUNT_PROTOCOL_IMAP
           ? heron_account_config_get_imap (self->config)
           : heron_account_config_get_smtp (self->config);
  heron_account_server_set_pinned_certificate_pem (server, pem);
  start_check (self);
}

static void
on_row_changed (HeronAccountSetupWindow *self)
{
  heron_account_setup_window_update (self);
}

static void
on_entry_activated (HeronAccountSetupWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "setup.next", NULL);
}

static gboolean
heron_account_setup_window_close_request (GtkWindow *window)
{
  HeronAccountSetupWindow *self = HERON_ACCOUNT_SETUP_WINDOW (window);

  g_cancellable_cancel (self->cancellable);
  gtk_window_set_focus (window, NULL);

  return GTK_WINDOW_CLASS (heron_account_setup_window_parent_class)->close_request (window);
}

static void
heron_account_setup_window_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  HeronAccountSetupWindow *self = HERON_ACCOUNT_SETUP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_setup_window_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  HeronAccountSetupWindow *self = HERON_ACCOUNT_SETUP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_set_object (&self->manager, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_setup_window_dispose (GObject *object)
{
  HeronAccountSetupWindow *self = HERON_ACCOUNT_SETUP_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->untrusted_certificate);
  g_clear_object (&self->config);
  g_clear_object (&self->autoconfig);
  g_clear_object (&self->manager);

  gtk_widget_dispose_template (GTK_WIDGET (object), HERON_TYPE_ACCOUNT_SETUP_WINDOW);

  G_OBJECT_CLASS (heron_account_setup_window_parent_class)->dispose (object);
}

static void
heron_account_setup_window_class_init (HeronAccountSetupWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = heron_account_setup_window_get_property;
  object_class->set_property = heron_account_setup_window_set_property;
  object_class->dispose = heron_account_setup_window_dispose;
  window_class->close_request = heron_account_setup_window_close_request;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, HERON_TYPE_ACCOUNT_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::account-added (HeronAccount *account): just before the window closes itself. */
  signals[SIGNAL_ACCOUNT_ADDED] =
    g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, HERON_TYPE_ACCOUNT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heronmail/Heron/widgets/heron-account-setup-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, address_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, address_error_label);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, searching_page);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, searching_spinner);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, details_box);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, check_error_box);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, check_error_label);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, certificate_box);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, certificate_details_bin);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, found_label);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, log_expander);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, log_label);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, account_group);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, imap_group);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, smtp_group);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, imap_host_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, imap_security_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, imap_port_spin);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, imap_user_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, smtp_host_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, smtp_security_row);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, smtp_port_spin);
  gtk_widget_class_bind_template_child (widget_class, HeronAccountSetupWindow, smtp_user_row);

  gtk_widget_class_install_action (widget_class, "setup.next", NULL, setup_next_action);
  gtk_widget_class_install_action (widget_class, "setup.back", NULL, setup_back_action);
  gtk_widget_class_install_action (widget_class, "setup.trust-certificate", NULL,
                                   setup_trust_certificate_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "setup.back", NULL);
}

static void
heron_account_setup_window_init (HeronAccountSetupWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->address_row, "changed", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->password_row, "changed", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->imap_host_row, "changed", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->smtp_host_row, "changed", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->stack, "notify::visible-child-name", G_CALLBACK (on_row_changed), self);
  heron_server_editor_init (&self->imap_editor, HERON_ACCOUNT_PROTOCOL_IMAP, self->imap_host_row,
                            self->imap_security_row, self->imap_port_spin, self->imap_user_row);
  heron_server_editor_init (&self->smtp_editor, HERON_ACCOUNT_PROTOCOL_SMTP, self->smtp_host_row,
                            self->smtp_security_row, self->smtp_port_spin, self->smtp_user_row);
  g_signal_connect_swapped (self->address_row, "entry-activated", G_CALLBACK (on_entry_activated), self);
  g_signal_connect_swapped (self->password_row, "entry-activated", G_CALLBACK (on_entry_activated), self);
  heron_account_setup_window_update (self);
}
