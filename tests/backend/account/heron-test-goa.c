/* heron-test-goa.c: the real GNOME Online Accounts daemon on the private bus of a test
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>

#include "heron-test-goa.h"

#define GOA_NAME "org.gnome.OnlineAccounts"
#define WAIT_MS 60000

struct _HeronTestGoa
{
  GSubprocess *process;
  char        *log_path;
};

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
heron_test_goa_wait (const gboolean *done,
                     const char     *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_MS, on_timeout, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %u ms waiting for %s", WAIT_MS, what);
  g_source_remove (id);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  /* the first call says the name is not there yet; the caller waits on its own flag */
}

static void
on_name_gone (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

HeronTestGoa *
heron_test_goa_start (GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  HeronTestGoa *goa;
  gboolean appeared = FALSE;
  guint watch;

  if (!g_file_test (HERON_TEST_GOA_DAEMON, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s is missing: install gnome-online-accounts (build-aux/setup-deps)",
                   HERON_TEST_GOA_DAEMON);
      return NULL;
    }

  goa = g_new0 (HeronTestGoa, 1);
  goa->log_path = g_build_filename (g_get_user_runtime_dir (), "goa-daemon.log", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_stdout_file_path (launcher, goa->log_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, goa->log_path);
  goa->process = g_subprocess_launcher_spawn (launcher, error, HERON_TEST_GOA_DAEMON, NULL);
  if (goa->process == NULL)
    {
      g_free (goa->log_path);
      g_free (goa);
      return NULL;
    }

  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, GOA_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                            on_name_appeared, on_name_vanished, &appeared, NULL);
  heron_test_goa_wait (&appeared, "goa-daemon on the bus");
  g_bus_unwatch_name (watch);
  return goa;
}

void
heron_test_goa_stop (HeronTestGoa *goa)
{
  gboolean gone = FALSE;
  guint watch;

  if (goa == NULL)
    return;
  g_subprocess_send_signal (goa->process, SIGTERM);
  g_subprocess_wait (goa->process, NULL, NULL);
  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, GOA_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                            NULL, on_name_gone, &gone, NULL);
  heron_test_goa_wait (&gone, "goa-daemon to leave the bus");
  g_bus_unwatch_name (watch);
  g_clear_object (&goa->process);
  g_free (goa->log_path);
  g_free (goa);
}

char *
heron_test_goa_dup_log (HeronTestGoa *goa)
{
  char *text = NULL;

  if (!g_file_get_contents (goa->log_path, &text, NULL, NULL))
    return g_strdup ("(no log)");
  return text;
}

char *
heron_test_goa_add_imap_smtp (const char  *identity,
                              const char  *password,
                              GError     **error,
                              const char  *first_key,
                              ...)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder credentials;
  GVariantBuilder details;
  const char *path;
  va_list args;

  if (bus == NULL)
    return NULL;

  g_variant_builder_init (&credentials, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&credentials, "{sv}", "imap-password", g_variant_new_string (password));
  g_variant_builder_add (&credentials, "{sv}", "smtp-password", g_variant_new_string (password));
  g_variant_builder_init (&details, G_VARIANT_TYPE ("a{ss}"));
  va_start (args, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (args, const char *))
    g_variant_builder_add (&details, "{ss}", key, va_arg (args, const char *));
  va_end (args);

  reply = g_dbus_connection_call_sync (bus, GOA_NAME, "/org/gnome/OnlineAccounts/Manager",
                                       "org.gnome.OnlineAccounts.Manager", "AddAccount",
                                       g_variant_new ("(sss@a{sv}@a{ss})", "imap_smtp", identity,
                                                      identity,
                                                      g_variant_builder_end (&credentials),
                                                      g_variant_builder_end (&details)),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(&o)", &path);
  return g_path_get_basename (path);
}
