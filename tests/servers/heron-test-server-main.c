/* heron-test-server-main.c: the heron-test-server command, a private Dovecot and Postfix for the
 * demo, benchmarks and trying Heron by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   heron-test-server --env-file PATH [--demo] [--count N [--folder NAME]] [--seed S]
 *                     [--keep-going] [--no-smtp]
 *
 * Starts the servers, seeds what was asked, writes PATH (shell-sourceable KEY='value' lines:
 * HERON_TEST_HOST, HERON_TEST_IMAP_PORT, HERON_TEST_IMAPS_PORT, HERON_TEST_SMTP_PORT,
 * HERON_TEST_SMTPS_PORT, HERON_TEST_LMTP_PORT, HERON_TEST_USER, HERON_TEST_PASSWORD,
 * HERON_TEST_CA_FILE, HERON_TEST_DIR, HERON_TEST_DOVECOT_CONFIG), then prints "ready" on stdout.
 *
 * It runs until SIGINT, SIGTERM or SIGHUP, or until its standard input reaches end of file
 * (so a parent that holds a pipe to it stops it by closing the pipe or by dying); --keep-going
 * ignores standard input. On the way out it stops the servers and removes everything, the env
 * file included. Killed with SIGKILL, its guardian process stops the servers and removes the
 * directory (not the env file) within a fraction of a second. See README.md.
 */

#include "heron-test-server.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

typedef struct {
  const char *folder;
  guint       count;
  guint64     seed;
  gint64      age;      /* seconds before now of the folder's newest message */
} DemoFolder;

static const DemoFolder demo_folders[] = {
  { "INBOX",        2000, 1, 10 * 60 },
  { "Archive",      1200, 2, 30 * 24 * 3600 },
  { "Sent",          300, 3, 60 * 60 },
  { "Lists/GNOME",   600, 4, 20 * 60 },
  { "Lists/Debian",  400, 5, 2 * 3600 },
  { "Drafts",          5, 6, 24 * 3600 },
};

static gboolean
seed_folder (HeronTestServer  *server,
             const char       *folder,
             guint             count,
             guint64           seed,
             gint64            newest_date,
             GError          **error)
{
  HeronSeedSpec spec = {
    .seed = seed,
    .first_index = 0,
    .count = count,
    .newest_date = newest_date,
    .owner_address = heron_test_server_get_user (server),
  };
  gint64 start = g_get_monotonic_time ();

  g_printerr ("heron-test-server: seeding %s with %u messages…\n", folder, count);
  if (!heron_test_server_seed (server, heron_test_server_get_user (server), folder, &spec, error))
    return FALSE;
  g_printerr ("heron-test-server: %s done in %.1f s\n", folder,
              (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  return TRUE;
}

static void
append_var (GString    *env,
            const char *name,
            const char *value)
{
  g_autofree char *quoted = g_shell_quote (value);
  g_string_append_printf (env, "%s=%s\n", name, quoted);
}

static void
append_port (GString    *env,
             const char *name,
             guint16     port)
{
  g_autofree char *value = g_strdup_printf ("%u", port);
  append_var (env, name, value);
}

static gboolean
write_env_file (HeronTestServer  *server,
                const char       *path,
                GError          **error)
{
  g_autoptr(GString) env = g_string_new ("# Written by heron-test-server; source it with\n"
                                         "#   set -a; . THIS_FILE; set +a\n");

  append_var (env, "HERON_TEST_HOST", heron_test_server_get_host (server));
  append_port (env, "HERON_TEST_IMAP_PORT", heron_test_server_get_imap_port (server));
  append_port (env, "HERON_TEST_IMAPS_PORT", heron_test_server_get_imaps_port (server));
  append_port (env, "HERON_TEST_SMTP_PORT", heron_test_server_get_smtp_port (server));
  append_port (env, "HERON_TEST_SMTPS_PORT", heron_test_server_get_smtps_port (server));
  append_port (env, "HERON_TEST_LMTP_PORT", heron_test_server_get_lmtp_port (server));
  append_var (env, "HERON_TEST_USER", heron_test_server_get_user (server));
  append_var (env, "HERON_TEST_PASSWORD", heron_test_server_get_password (server));
  append_var (env, "HERON_TEST_CA_FILE", heron_test_server_get_ca_file (server));
  append_var (env, "HERON_TEST_DIR", heron_test_server_get_dir (server));
  append_var (env, "HERON_TEST_DOVECOT_CONFIG", heron_test_server_get_dovecot_config (server));

  /* It holds a password: readable by the owner only. */
  return g_file_set_contents_full (path, env->str, env->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  char buffer[256];
  gssize n;

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);

  if (n > 0)
    return G_SOURCE_CONTINUE;  /* input is ignored; only its end matters */
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeronTestServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *env_file = NULL;
  g_autofree char *folder = NULL;
  gboolean demo = FALSE;
  gboolean keep_going = FALSE;
  gboolean no_smtp = FALSE;
  gint count = 0;
  gint64 seed = 1;
  gint64 start;
  const GOptionEntry entries[] = {
    { "env-file", 0, 0, G_OPTION_ARG_FILENAME, &env_file,
      "Write the connection settings here (required)", "PATH" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &demo,
      "Seed a few thousand messages in several folders for the demo", NULL },
    { "count", 0, 0, G_OPTION_ARG_INT, &count,
      "Seed N messages into one folder (benchmarks; 100000 is fine)", "N" },
    { "folder", 0, 0, G_OPTION_ARG_STRING, &folder,
      "The folder for --count (default INBOX)", "NAME" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      "The corpus seed for --count (default 1)", "S" },
    { "keep-going", 0, 0, G_OPTION_ARG_NONE, &keep_going,
      "Ignore standard input; run until SIGINT or SIGTERM", NULL },
    { "no-smtp", 0, 0, G_OPTION_ARG_NONE, &no_smtp,
      "Start Dovecot only (needed when not root: Postfix requires root)", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("— a private Dovecot and Postfix on loopback");
  g_option_context_set_summary (context,
    "Starts a real Dovecot and Postfix in a temporary directory on free 127.0.0.1 ports,\n"
    "writes the connection settings to the env file and prints “ready”. Runs until SIGINT,\n"
    "SIGTERM or SIGHUP, or until standard input reaches end of file (unless --keep-going);\n"
    "then stops the servers and removes the directory and the env file.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("heron-test-server: %s\n", error->message);
      return 2;
    }
  if (env_file == NULL || count < 0 || seed < 0 || (folder != NULL && count == 0))
    {
      g_printerr ("heron-test-server: --env-file is required; --folder goes with --count N\n");
      return 2;
    }

  start = g_get_monotonic_time ();
  server = heron_test_server_new_full (no_smtp ? HERON_TEST_SERVER_FLAGS_NO_SMTP
                                               : HERON_TEST_SERVER_FLAGS_NONE, &error);
  if (server == NULL)
    {
      g_printerr ("heron-test-server: %s\n", error->message);
      return 1;
    }
  g_printerr ("heron-test-server: servers up in %.2f s in %s\n",
              (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
              heron_test_server_get_dir (server));

  if (demo)
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      for (guint i = 0; i < G_N_ELEMENTS (demo_folders); i++)
        if (!seed_folder (server, demo_folders[i].folder, demo_folders[i].count,
                          demo_folders[i].seed, now - demo_folders[i].age, &error))
          {
            g_printerr ("heron-test-server: seeding %s: %s\n", demo_folders[i].folder,
                        error->message);
            return 1;
          }
    }
  if (count > 0 &&
      !seed_folder (server, folder != NULL ? folder : "INBOX", (guint) count, (guint64) seed,
                    0, &error))
    {
      g_printerr ("heron-test-server: seeding: %s\n", error->message);
      return 1;
    }

  if (!write_env_file (server, env_file, &error))
    {
      g_printerr ("heron-test-server: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGHUP, on_signal, loop);
  if (!keep_going)
    g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, loop);

  g_print ("ready\n");
  fflush (stdout);

  g_main_loop_run (loop);

  g_unlink (env_file);
  return 0;
}
