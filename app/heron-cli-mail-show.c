/* heron-cli-mail-show.c: heron-cli show: one message of the cache, its body fetched from the
 * server when it is not local yet (docs/cli.md, docs/sync.md "Bodies").
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <stdio.h>
#include <unistd.h>

#include "heron-cli.h"
#include "heron-cli-mail-private.h"
#include "sync/heron-account-worker.h"

static gboolean
parse_uid (const char *text,
           gint64     *out_uid)
{
  char *end = NULL;
  gint64 uid = g_ascii_strtoll (text, &end, 10);

  if (end == text || *end != '\0' || uid <= 0 || uid > G_MAXUINT32)
    return FALSE;
  *out_uid = uid;
  return TRUE;
}

/* The body is not local: fetch it through the account's worker (which needs the server). */
static int
fetch_body (HeronCli           *cli,
            HeronAccountConfig *config,
            const char         *folder,
            gint64              uid)
{
  HeronAccountWorkerOptions options;
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  heron_account_worker_options_init (&options);
  options.idle = FALSE;
  worker = heron_account_worker_new (config, &options, &error);
  if (worker == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  heron_account_worker_start (worker);
  heron_account_worker_fetch_body_async (worker, folder, uid, NULL, heron_cli_async_done, &result);
  heron_cli_wait (&result);
  if (!heron_account_worker_fetch_body_finish (worker, result, &error))
    {
      heron_account_worker_stop (worker);
      if (g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND))
        return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND, _("The message is not on the server: %s"),
                               error->message);
      if (g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_OFFLINE))
        return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                               _("The message is not in the cache and the server cannot be reached: %s"),
                               error->message);
      if (g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH))
        return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                               _("The server refused the password (the keyring's, as kept by "
                                 "heron-cli account add)"));
      return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
    }
  heron_account_worker_stop (worker);
  return HERON_CLI_EXIT_OK;
}

/* Copies the source to @out. */
static gboolean
copy_source (GInputStream  *source,
             GOutputStream *out,
             GError       **error)
{
  return g_output_stream_splice (out, source, G_OUTPUT_STREAM_SPLICE_NONE, NULL, error) >= 0 &&
         g_output_stream_flush (out, NULL, error);
}

int
heron_cli_show (HeronCli *cli,
                int       argc,
                char    **argv)
{
  gboolean raw = FALSE;
  gboolean html = FALSE;
  const GOptionEntry entries[] = {
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw, N_("Print the message's source as the server sent it"), NULL },
    { "html", 0, 0, G_OPTION_ARG_NONE, &html, N_("Print the HTML body as it is, when there is one"), NULL },
    { NULL }
  };
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronStoreMessage) message = NULL;
  g_autoptr(GInputStream) source = NULL;
  g_autoptr(GError) error = NULL;
  const char *account = NULL;
  const char *folder_name;
  gint64 uid;
  int status;

  if (!heron_cli_mail_parse (cli, _("FOLDER UID [ACCOUNT] — show one message"),
                             _("Prints a message of the cache as Heron shows it (as heron-cli render "
                               "does: the headers, the body as text, the attachments), or its source "
                               "with --raw. A body that is not in the cache yet is fetched from the "
                               "server first and kept. “ACCOUNT FOLDER UID” is understood too."),
                             entries, &argc, &argv, &status))
    return status;
  if (raw && (html || cli->json))
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("--raw prints the source: not with --html or --json"));
  if (argc < 3)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Name a folder and a UID (see heron-cli show --help)"));
  if (argc > 4)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[4]);
  if (parse_uid (argv[2], &uid))
    {
      folder_name = argv[1];
      account = argc == 4 ? argv[3] : NULL;
    }
  else if (argc == 4 && parse_uid (argv[3], &uid))
    {
      account = argv[1];
      folder_name = argv[2];
    }
  else
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("“%s” is not a UID"), argc == 4 ? argv[3] : argv[2]);

  if ((status = heron_cli_mail_find_account (cli, account, &config)) != 0 ||
      (status = heron_cli_mail_open_cache (cli, config, &reader)) != 0 ||
      (status = heron_cli_mail_find_folder (cli, reader, folder_name, &folder)) != 0)
    return status;
  message = heron_store_reader_get_message (reader, folder->id, uid, &error);
  if (message == NULL && g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
    return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND, _("There is no message %" G_GINT64_FORMAT " in “%s”"),
                           uid, folder->name);
  if (message == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  source = heron_store_reader_open_source (reader, folder->id, uid, NULL, &error);
  if (source == NULL && g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
    {
      /* not local (or its file went missing): from the server */
      g_clear_error (&error);
      if ((status = fetch_body (cli, config, folder->name, uid)) != 0)
        return status;
      source = heron_store_reader_open_source (reader, folder->id, uid, NULL, &error);
    }
  if (source == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  if (raw)
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      fflush (stdout);
      if (!copy_source (source, out, &error))
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
      return HERON_CLI_EXIT_OK;
    }

  /* The display model as render prints it, from a private copy of the source */
  {
    g_autofree char *path = NULL;
    g_autoptr(GFile) file = NULL;
    g_autoptr(GPtrArray) render_argv = g_ptr_array_new ();
    int fd;

    fd = g_file_open_tmp ("heron-cli-show-XXXXXX.eml", &path, &error);
    if (fd < 0)
      return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
    close (fd);
    file = g_file_new_for_path (path);
    {
      g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error);

      if (out == NULL || !copy_source (source, G_OUTPUT_STREAM (out), &error) ||
          !g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error))
        {
          g_unlink (path);
          return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
        }
    }
    g_ptr_array_add (render_argv, (gpointer) "render");
    if (html)
      g_ptr_array_add (render_argv, (gpointer) "--html");
    if (cli->json)
      g_ptr_array_add (render_argv, (gpointer) "--json");
    g_ptr_array_add (render_argv, path);
    g_ptr_array_add (render_argv, NULL);
    status = heron_cli_render (cli, render_argv->len - 1, (char **) render_argv->pdata);
    g_unlink (path);
    return status;
  }
}
