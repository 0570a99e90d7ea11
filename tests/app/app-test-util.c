/* app-test-util.c: see app-test-util.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "app-test-util.h"

static void
on_activate_run (GApplication *app,
                 gpointer      user_data)
{
  AppTestCheck check = (AppTestCheck) user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (HERON_IS_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  check (HERON_APPLICATION (app), HERON_WINDOW (window));
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

void
app_test_run (const char   *name,
              AppTestCheck  check)
{
  g_autoptr(HeronApplication) app = heron_application_new ();
  char *argv[] = { (char *) name, NULL };

  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate_run), (gpointer) check);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
}

HeronAccount *
app_test_get_account (HeronApplication *app,
                      const char       *account_id)
{
  HeronAccountManager *manager = heron_application_get_account_manager (app);
  HeronAccount *account;

  g_assert_nonnull (manager);
  account = heron_account_manager_lookup (manager, account_id);
  g_assert_nonnull (account);
  return account;
}
