/* test-account-windows.c: the account setup window, the password and certificate dialogs and the
 * preferences window, driven through their actions and widgets under Xvfb, against the real
 * Dovecot and Postfix of tests/servers and the keyring of tests/harness/heron-test-session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One server for the program, a user of its own for each test. DNS for example.test is answered
 * by the test resolver of tests/backend/account (no DNS here), which points imap.example.test
 * and smtp.example.test at the loopback servers; autoconfiguration finds them by probing.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "widgets-test-util.h"
#include "test-account-resolver.h"
#include "heron-account-dialogs.h"
#include "heron-account-setup-window.h"
#include "heron-preferences-window.h"
#include "account/heron-secrets.h"

static HeronTestServer *server;

/* Every user is made before the first login: Dovecot may miss a passwd-file change made in the
 * same second as the previous one (the harness adds users by rewriting the file). */
static const char * const test_users[] = { "setup", "wrongpw", "pwdialog", "certdialog", "prefs", NULL };

static void
add_users (void)
{
  for (guint i = 0; test_users[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *user = g_strconcat (test_users[i], "@" HERON_TEST_SERVER_DOMAIN, NULL);

      g_assert_true (heron_test_server_add_user (server, user, NULL, &error));
      g_assert_no_error (error);
    }
}

/* The address of a user made by add_users(). */
static char *
new_user (const char *prefix)
{
  g_assert_true (g_strv_contains (test_users, prefix));
  return g_strconcat (prefix, "@" HERON_TEST_SERVER_DOMAIN, NULL);
}

static HeronAutoconfig *
new_autoconfig (void)
{
  HeronAutoconfig *autoconfig = heron_autoconfig_new ();

  heron_autoconfig_set_methods (autoconfig, HERON_AUTOCONFIG_METHOD_PROBE);
  heron_autoconfig_set_probe_timeout (autoconfig, 5000);
  heron_autoconfig_set_probe_ports (autoconfig,
                                    heron_test_server_get_imaps_port (server),
                                    heron_test_server_get_imap_port (server),
                                    heron_test_server_get_smtps_port (server),
                                    heron_test_server_get_smtp_port (server));
  return autoconfig;
}

static void
set_text (GtkWidget  *root,
          const char *name,
          const char *text)
{
  GtkWidget *widget = widgets_test_find_named (root, name);

  g_assert_nonnull (widget);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static const char *
get_text (GtkWidget  *root,
          const char *name)
{
  GtkWidget *widget = widgets_test_find_named (root, name);

  g_assert_nonnull (widget);
  return gtk_editable_get_text (GTK_EDITABLE (widget));
}

static gboolean
check_not_busy (gpointer data)
{
  return !heron_account_setup_window_get_busy (data);
}

/* @data: a weak pointer to the window; a window that closed is done. */
static gboolean
check_done (gpointer data)
{
  gpointer window = *(gpointer *) data;

  return window == NULL || !heron_account_setup_window_get_busy (window);
}

static const char *
visible_page (GtkWidget *window)
{
  GtkWidget *stack = widgets_test_find_named (window, "pages");

  g_assert_true (GTK_IS_STACK (stack));
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static gboolean
widget_visible (GtkWidget  *root,
                const char *name)
{
  GtkWidget *widget = widgets_test_find_named (root, name);

  g_assert_nonnull (widget);
  return gtk_widget_get_visible (widget);
}

static const char *
label_text (GtkWidget  *root,
            const char *name)
{
  GtkWidget *widget = widgets_test_find_named (root, name);

  g_assert_true (GTK_IS_LABEL (widget));
  return gtk_label_get_text (GTK_LABEL (widget));
}

/* Fills the first page and runs autoconfiguration: the details page shows what probing found. */
static GtkWidget *
setup_until_details (HeronAccountManager *manager,
                     const char          *user,
                     const char          *password,
                     gboolean             screenshots)
{
  g_autoptr(HeronAutoconfig) autoconfig = new_autoconfig ();
  GtkWidget *window;

  window = GTK_WIDGET (heron_account_setup_window_new (NULL, manager));
  heron_account_setup_window_set_autoconfig (HERON_ACCOUNT_SETUP_WINDOW (window), autoconfig);
  gtk_window_present (GTK_WINDOW (window));

  g_assert_cmpstr (visible_page (window), ==, "address");
  /* Nothing typed yet: "Continue" does nothing. */
  gtk_widget_activate_action (window, "setup.next", NULL);
  g_assert_cmpstr (visible_page (window), ==, "address");
  set_text (window, "name", "Test Person");
  set_text (window, "address", user);
  set_text (window, "password", password);
  if (screenshots)
    g_assert_cmpuint (widgets_test_screenshot (window, "account-setup-address.png"), >, 16);

  g_assert_true (gtk_widget_activate_action (window, "setup.next", NULL));
  g_assert_true (heron_account_setup_window_get_busy (HERON_ACCOUNT_SETUP_WINDOW (window)));
  widgets_test_wait_until (check_not_busy, window, "autoconfiguration");
  g_assert_cmpstr (visible_page (window), ==, "details");

  /* What was found, and how. */
  g_assert_cmpstr (get_text (window, "imap-host"), ==, "imap.example.test");
  g_assert_cmpstr (get_text (window, "smtp-host"), ==, "smtp.example.test");
  g_assert_cmpstr (get_text (window, "imap-user"), ==, user);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (widgets_test_find_named (window, "imap-port"))),
                   ==, heron_test_server_get_imaps_port (server));
  g_assert_nonnull (strstr (label_text (window, "found"), "trying common server names"));
  if (screenshots)
    g_assert_cmpuint (widgets_test_screenshot (window, "account-setup-details.png"), >, 16);
  return window;
}

/* Presses "Add Account" and accepts each untrusted certificate (IMAP, then SMTP) until the check
 * stops at something else or the window closed. Returns the number of certificates trusted. */
static guint
check_trusting_certificates (GtkWidget **window_ptr,
                             gboolean    screenshots)
{
  GtkWidget *window = *window_ptr;
  gpointer alive = window;
  guint trusted = 0;

  g_object_add_weak_pointer (G_OBJECT (window), &alive);
  g_assert_true (gtk_widget_activate_action (window, "setup.next", NULL));
  for (;;)
    {
      widgets_test_wait_until (check_done, &alive, "the account check");
      if (alive == NULL)
        break;
      if (!widget_visible (window, "certificate") || !widget_visible (window, "check-error"))
        break;
      g_test_message ("check: %s", label_text (window, "check-error-message"));
      g_assert_nonnull (strstr (label_text (window, "check-error-message"), "SHA-256"));
      if (screenshots && trusted == 0)
        g_assert_cmpuint (widgets_test_screenshot (window, "account-setup-certificate.png"), >, 16);
      trusted++;
      g_assert_true (gtk_widget_activate_action (window, "setup.trust-certificate", NULL));
      g_assert_true (alive == NULL || heron_account_setup_window_get_busy (HERON_ACCOUNT_SETUP_WINDOW (window))
                     || !gtk_widget_get_visible (window));
    }
  if (alive != NULL)
    g_object_remove_weak_pointer (G_OBJECT (window), &alive);
  *window_ptr = alive;
  return trusted;
}

static void
test_setup_adds_account (void)
{
  g_autofree char *config_dir = NULL;
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, FALSE, &config_dir);
  g_autofree char *user = new_user ("setup");
  const char *password = heron_test_server_get_user_password (server, user);
  g_autofree char *secret = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(HeronAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window;

  window = setup_until_details (manager, user, password, TRUE);
  set_text (window, "display-name", "Work");
  /* The harness's certificate is not trusted by the system: the check shows it and the person
   * trusts it, once for IMAP and once for SMTP; then the account is added and the window closes. */
  g_assert_cmpuint (check_trusting_certificates (&window, TRUE), ==, 2);
  g_assert_null (window);

  g_assert_cmpuint (g_list_model_get_n_items (heron_account_manager_get_accounts (manager)), ==, 1);
  account = g_list_model_get_item (heron_account_manager_get_accounts (manager), 0);
  g_assert_cmpstr (heron_account_get_email (account), ==, user);
  g_assert_cmpstr (heron_account_get_display_name (account), ==, "Work");
  g_assert_nonnull (heron_account_server_get_pinned_certificate_pem (heron_account_config_get_imap (heron_account_get_config (account))));

  /* The password is in the keyring, not in the account's file. */
  secret = widgets_test_lookup_password (account);
  g_assert_cmpstr (secret, ==, password);
  path = g_strdup_printf ("%s/accounts/%s.conf", config_dir, heron_account_get_id (account));
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, user));
  g_assert_null (strstr (contents, password));

  /* The account comes online with the pinned certificate. */
  widgets_test_wait_state (account, HERON_SYNC_STATE_ONLINE);
  heron_account_manager_shutdown (manager);
}

static void
test_setup_wrong_password (void)
{
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, FALSE, NULL);
  g_autofree char *user = new_user ("wrongpw");
  GtkWidget *window;

  window = setup_until_details (manager, user, "not the password", FALSE);
  check_trusting_certificates (&window, FALSE);
  g_assert_nonnull (window);

  /* Back on the first page, with the server's refusal in words, and nothing added. */
  g_assert_cmpstr (visible_page (window), ==, "address");
  g_assert_true (widget_visible (window, "address-error"));
  g_test_message ("wrong password: %s", label_text (window, "address-error"));
  g_assert_nonnull (strstr (label_text (window, "address-error"), "IMAP"));
  g_assert_cmpuint (widgets_test_screenshot (window, "account-setup-wrong-password.png"), >, 16);
  g_assert_cmpuint (g_list_model_get_n_items (heron_account_manager_get_accounts (manager)), ==, 0);

  /* The right password then adds it, with the settings found and the certificates trusted. */
  set_text (window, "password", heron_test_server_get_user_password (server, user));
  check_trusting_certificates (&window, FALSE);
  g_assert_null (window);
  g_assert_cmpuint (g_list_model_get_n_items (heron_account_manager_get_accounts (manager)), ==, 1);
  heron_account_manager_shutdown (manager);
}

static void
test_password_dialog (void)
{
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, TRUE, NULL);
  g_autofree char *user = new_user ("pwdialog");
  g_autoptr(HeronAccountConfig) config = widgets_test_config_new (server, user);
  g_autoptr(HeronAccount) account = NULL;
  g_autofree char *secret = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  account = widgets_test_add_account (manager, config, "an old password");
  widgets_test_wait_state (account, HERON_SYNC_STATE_AUTH_FAILED);

  heron_password_dialog_present (NULL, account);
  dialog = ADW_MESSAGE_DIALOG (widgets_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "login"));
  entry = widgets_test_find_named (GTK_WIDGET (dialog), "password");
  g_assert_true (GTK_IS_PASSWORD_ENTRY (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), heron_test_server_get_user_password (server, user));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "login"));
  g_assert_cmpuint (widgets_test_screenshot (GTK_WIDGET (dialog), "password-dialog.png"), >, 16);

  adw_message_dialog_response (dialog, "login");
  gtk_window_close (GTK_WINDOW (dialog));

  /* The account logs in, and the remembered password replaced the old one. */
  widgets_test_wait_state (account, HERON_SYNC_STATE_ONLINE);
  secret = widgets_test_lookup_password (account);
  g_assert_cmpstr (secret, ==, heron_test_server_get_user_password (server, user));
  heron_account_manager_shutdown (manager);
}

static gboolean
check_untrusted (gpointer data)
{
  return heron_account_get_untrusted_certificate (data, NULL) != NULL;
}

static void
test_certificate_dialog (void)
{
  /* The manager does not trust the harness's certificate: the account stops at it. */
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, FALSE, NULL);
  g_autofree char *user = new_user ("certdialog");
  g_autoptr(HeronAccountConfig) config = widgets_test_config_new (server, user);
  g_autoptr(HeronAccount) account = NULL;
  const char *fingerprint = NULL;
  AdwMessageDialog *dialog;

  account = widgets_test_add_account (manager, config, heron_test_server_get_user_password (server, user));
  widgets_test_wait_until (check_untrusted, account, "the untrusted certificate");
  g_assert_nonnull (heron_account_get_untrusted_certificate (account, &fingerprint));

  heron_certificate_dialog_present (NULL, account);
  dialog = ADW_MESSAGE_DIALOG (widgets_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpuint (widgets_test_screenshot (GTK_WIDGET (dialog), "certificate-dialog.png"), >, 16);
  adw_message_dialog_response (dialog, "trust");
  gtk_window_close (GTK_WINDOW (dialog));

  widgets_test_wait_state (account, HERON_SYNC_STATE_ONLINE);
  g_assert_nonnull (heron_account_server_get_pinned_certificate_pem (heron_account_config_get_imap (heron_account_get_config (account))));
  heron_account_manager_shutdown (manager);
}

static gboolean
check_no_accounts (gpointer data)
{
  return g_list_model_get_n_items (heron_account_manager_get_accounts (data)) == 0;
}

static gboolean
check_prefetch (gpointer data)
{
  return heron_account_config_get_prefetch_days (heron_account_get_config (data)) == 7;
}

static gboolean
check_subpage_closed (gpointer data)
{
  return widgets_test_find_named (data, "account-page") == NULL
         || !gtk_widget_get_mapped (widgets_test_find_named (data, "account-page"));
}

static void
test_preferences_edit_and_remove (void)
{
  g_autoptr(HeronAccountManager) manager = widgets_test_manager_new (server, TRUE, NULL);
  g_autofree char *user = new_user ("prefs");
  g_autoptr(HeronAccountConfig) config = widgets_test_config_new (server, user);
  g_autoptr(HeronAccount) account = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.heronmail.Heron");
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  g_auto(GStrv) senders = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *window;
  GtkWidget *page;
  GtkWidget *combo;

  account = widgets_test_add_account (manager, config, heron_test_server_get_user_password (server, user));
  id = g_strdup (heron_account_get_id (account));
  widgets_test_wait_state (account, HERON_SYNC_STATE_ONLINE);

  window = GTK_WIDGET (heron_preferences_window_new (NULL, manager, settings));
  gtk_window_present (GTK_WINDOW (window));
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_assert_cmpuint (widgets_test_screenshot (window, "preferences-accounts.png"), >, 16);

  /* Reading: the policy row and the allowed senders write the settings. */
  combo = widgets_test_find_named (window, "remote-content");
  adw_combo_row_set_selected (ADW_COMBO_ROW (combo), 1);
  g_assert_cmpstr (g_settings_get_string (settings, "load-remote-content"), ==, "known-senders");
  set_text (window, "add-sender", "news@example.org");
  g_signal_emit_by_name (widgets_test_find_named (window, "add-sender"), "apply");
  senders = g_settings_get_strv (settings, "remote-content-senders");
  g_assert_cmpuint (g_strv_length (senders), ==, 1);
  g_assert_cmpstr (senders[0], ==, "news@example.org");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "general");
  g_assert_cmpuint (widgets_test_screenshot (window, "preferences-reading.png"), >, 16);
  g_assert_true (gtk_widget_activate_action (window, "preferences.remove-sender", "s", "news@example.org"));
  g_clear_pointer (&senders, g_strfreev);
  senders = g_settings_get_strv (settings, "remote-content-senders");
  g_assert_cmpuint (g_strv_length (senders), ==, 0);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "accounts");

  /* Edit: the offline window, saved through the manager. */
  g_assert_true (gtk_widget_activate_action (window, "preferences.edit-account", "s", id));
  page = widgets_test_find_named (window, "account-page");
  g_assert_nonnull (page);
  g_assert_cmpstr (get_text (page, "imap-host"), ==, heron_test_server_get_host (server));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (widgets_test_find_named (page, "prefetch-days")), 7);
  g_assert_cmpuint (widgets_test_screenshot (window, "preferences-account.png"), >, 16);
  g_assert_true (gtk_widget_activate_action (window, "preferences.save-account", NULL));
  widgets_test_wait_until (check_prefetch, account, "the account saved");
  widgets_test_wait_until (check_subpage_closed, window, "the account page closed");

  /* A bad edit is refused in words and saves nothing. */
  g_assert_true (gtk_widget_activate_action (window, "preferences.edit-account", "s", id));
  widgets_test_spin (300);
  page = widgets_test_find_named (window, "account-page");
  /* The port follows the security while it is a standard one, as in the setup window. */
  {
    GtkSpinButton *port = GTK_SPIN_BUTTON (widgets_test_find_named (page, "smtp-port"));
    AdwComboRow *security = ADW_COMBO_ROW (widgets_test_find_named (page, "smtp-security"));

    adw_combo_row_set_selected (security, HERON_ACCOUNT_SECURITY_TLS);
    gtk_spin_button_set_value (port, 465);
    adw_combo_row_set_selected (security, HERON_ACCOUNT_SECURITY_STARTTLS);
    g_assert_cmpint (gtk_spin_button_get_value_as_int (port), ==, 587);
    gtk_spin_button_set_value (port, 2525);
    adw_combo_row_set_selected (security, HERON_ACCOUNT_SECURITY_TLS);
    g_assert_cmpint (gtk_spin_button_get_value_as_int (port), ==, 2525);
  }
  set_text (page, "imap-host", "not a host");
  g_assert_true (gtk_widget_activate_action (window, "preferences.save-account", NULL));
  g_assert_true (widget_visible (page, "account-error"));
  g_test_message ("bad host: %s", label_text (page, "account-error"));
  g_assert_cmpstr (heron_account_server_get_host (heron_account_config_get_imap (heron_account_get_config (account))),
                   ==, heron_test_server_get_host (server));

  /* Remove, after confirming. */
  g_assert_true (gtk_widget_activate_action (window, "preferences.remove-account", NULL));
  dialog = ADW_MESSAGE_DIALOG (widgets_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpuint (widgets_test_screenshot (GTK_WIDGET (dialog), "preferences-remove-account.png"), >, 16);
  adw_message_dialog_response (dialog, "remove");
  gtk_window_close (GTK_WINDOW (dialog));
  widgets_test_wait_until (check_no_accounts, manager, "the account removed");

  g_assert_null (heron_account_manager_lookup (manager, id));
  secret = widgets_test_lookup_password (account);
  g_assert_null (secret);
  widgets_test_wait_until (check_subpage_closed, window, "the account page closed");

  gtk_window_destroy (GTK_WINDOW (window));
  heron_account_manager_shutdown (manager);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestAccountResolver) resolver = NULL;
  int status;

  /* at-spi2-registryd, started by the accessibility bus, may print to stdout, which is TAP
   * here; these tests drive the widgets directly. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  server = heron_test_server_new (&error);
  g_assert_no_error (error);
  add_users ();

  resolver = test_account_resolver_new ();
  test_account_resolver_add_host (resolver, "imap.example.test", heron_test_server_get_host (server));
  test_account_resolver_add_host (resolver, "smtp.example.test", heron_test_server_get_host (server));
  g_resolver_set_default (G_RESOLVER (resolver));

  g_test_add_func ("/heron/widgets/account-setup/adds-account", test_setup_adds_account);
  g_test_add_func ("/heron/widgets/account-setup/wrong-password", test_setup_wrong_password);
  g_test_add_func ("/heron/widgets/password-dialog/brings-account-online", test_password_dialog);
  g_test_add_func ("/heron/widgets/certificate-dialog/pins-certificate", test_certificate_dialog);
  g_test_add_func ("/heron/widgets/preferences/edit-and-remove-account", test_preferences_edit_and_remove);

  status = g_test_run ();
  heron_test_server_free (server);
  return status;
}
