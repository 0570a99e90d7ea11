/* heron-cli-mail-sync.c: heron-cli sync|flag|watch: the commands that run the account's sync
 * worker (backend/sync, docs/sync.md).
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "heron-cli.h"
#include "heron-cli-mail-private.h"
#include "sync/heron-account-worker.h"

/* How long flag waits for the server to confirm a change when the account is online. */
#define FLAG_REPLAY_TIMEOUT_MS 10000

static HeronAccountWorker *
start_worker (HeronCli           *cli,
              HeronAccountConfig *config,
              gboolean            idle,
              int                *out_exit)
{
  HeronAccountWorkerOptions options;
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(GError) error = NULL;

  heron_account_worker_options_init (&options);
  options.idle = idle;
  worker = heron_account_worker_new (config, &options, &error);
  if (worker == NULL)
    {
      *out_exit = heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
      return NULL;
    }
  heron_account_worker_start (worker);
  return g_steal_pointer (&worker);
}

/* The exit code and message for a failed worker request. */
static int
fail_sync_error (HeronCli     *cli,
                 const GError *error)
{
  if (g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH))
    return heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                           _("The server refused the password (the keyring's, as kept by "
                             "heron-cli account add)"));
  if (g_error_matches (error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_NOT_FOUND))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_NOT_FOUND, error);
  return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
}

static gboolean
on_deadline (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_REMOVE;
}

/* As heron_cli_wait(), for at most @timeout_ms: FALSE when the time ran out. The caller must still
 * wait for *@result later (after stopping the worker it comes at once). */
static gboolean
wait_for (GAsyncResult **result,
          guint          timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, on_deadline, &expired);

  while (*result == NULL && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return *result != NULL;
}

/* The worker could not open the cache (its first error event, for no folder): it runs no request
 * then, so a wait for one must stop. */
static void
on_cache_error (HeronAccountWorker *worker,
                HeronSyncEvent     *event,
                GError            **cache_error)
{
  if (event->folder == NULL && event->error->domain == HERON_STORE_ERROR && *cache_error == NULL)
    {
      *cache_error = g_error_copy (event->error);
      g_main_context_wakeup (NULL);
    }
}

/* As heron_cli_wait(), unless the cache could not be opened: then the worker is stopped, which
 * ends the request, and FALSE is returned. */
static gboolean
wait_unless_cache_error (HeronAccountWorker  *worker,
                         GAsyncResult       **result,
                         GError             **cache_error)
{
  while (*result == NULL && *cache_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (*result != NULL)
    return TRUE;
  heron_account_worker_stop (worker);
  heron_cli_wait (result);
  return FALSE;
}

static char *
format_uids (const GArray *uids)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; uids != NULL && i < uids->len; i++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            g_array_index (uids, gint64, i));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- sync ---- */

static void
on_sync_event (HeronAccountWorker *worker,
               HeronSyncEvent     *event,
               HeronCli           *cli)
{
  if (cli->json)
    return;
  if (event->kind == HERON_SYNC_EVENT_PROGRESS)
    g_print (_("%s: %u of %u messages\n"), event->folder, event->done, event->total);
  else if (event->kind == HERON_SYNC_EVENT_STATE)
    g_print (_("Account: %s\n"), heron_sync_state_to_string (event->state));
  else if (event->kind == HERON_SYNC_EVENT_ERROR)
    g_printerr ("heron-cli: %s%s%s\n", event->folder != NULL ? event->folder : "",
                event->folder != NULL ? ": " : "", event->error->message);
  fflush (stdout);
}

static gboolean
sync_one (HeronAccountWorker  *worker,
          const char          *folder,
          GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  heron_account_worker_sync_folder_async (worker, folder, NULL, heron_cli_async_done, &result);
  heron_cli_wait (&result);
  return heron_account_worker_sync_folder_finish (worker, result, error);
}

/* The bodies inside the account's prefetch window (prefetch-days). */
static gboolean
prefetch_one (HeronAccountWorker  *worker,
              const char          *folder,
              GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  heron_account_worker_prefetch_bodies_async (worker, folder, NULL, heron_cli_async_done, &result);
  heron_cli_wait (&result);
  return heron_account_worker_prefetch_bodies_finish (worker, result, error);
}

int
heron_cli_sync (HeronCli *cli,
                int       argc,
                char    **argv)
{
  g_autofree char *only = NULL;
  gboolean bodies = FALSE;
  const GOptionEntry entries[] = {
    { "folder", 0, 0, G_OPTION_ARG_STRING, &only, N_("Sync this folder only (after the folder list)"), N_("FOLDER") },
    { "bodies", 0, 0, G_OPTION_ARG_NONE, &bodies, N_("Also download the bodies of the messages inside the account's prefetch window"), NULL },
    { NULL }
  };
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) synced = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_folder_free);
  g_autoptr(GError) cache_error = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!heron_cli_mail_parse (cli, _("[ACCOUNT] — bring the cache up to date"),
                             _("Connects to the account's IMAP server (the password comes from the "
                               "keyring), syncs the folder list and then every folder, and prints "
                               "the progress."),
                             entries, &argc, &argv, &status))
    return status;
  if (argc > 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[2]);
  if ((status = heron_cli_mail_find_account (cli, argc == 2 ? argv[1] : NULL, &config)) != 0)
    return status;

  worker = start_worker (cli, config, FALSE, &status);
  if (worker == NULL)
    return status;
  g_signal_connect (worker, "event", G_CALLBACK (on_sync_event), cli);
  g_signal_connect (worker, "event::error", G_CALLBACK (on_cache_error), &cache_error);

  heron_account_worker_sync_folders_async (worker, NULL, heron_cli_async_done, &result);
  if (!wait_unless_cache_error (worker, &result, &cache_error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, cache_error);
  if (!heron_account_worker_sync_folders_finish (worker, result, &error))
    return fail_sync_error (cli, error);

  reader = heron_store_reader_open (heron_account_worker_get_store_path (worker), &error);
  if (reader == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  if (only != NULL)
    {
      HeronStoreFolder *folder = NULL;

      if ((status = heron_cli_mail_find_folder (cli, reader, only, &folder)) != 0)
        return status;
      folders = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_folder_free);
      g_ptr_array_add (folders, folder);
    }
  else if ((folders = heron_store_reader_get_folders (reader, &error)) == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);

  for (guint i = 0; i < folders->len; i++)
    {
      HeronStoreFolder *folder = g_ptr_array_index (folders, i);
      HeronStoreFolder *now;

      if (folder->attributes & (HERON_STORE_FOLDER_NOSELECT | HERON_STORE_FOLDER_NONEXISTENT))
        continue;
      if (!sync_one (worker, folder->name, &error))
        return fail_sync_error (cli, error);
      if (bodies && !prefetch_one (worker, folder->name, &error))
        return fail_sync_error (cli, error);
      now = heron_store_reader_get_folder (reader, folder->id, &error);
      if (now == NULL)
        return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
      g_ptr_array_add (synced, now);
      if (!cli->json)
        g_print (_("%s: up to date, %u messages, %u unread\n"), now->name, now->n_messages, now->n_unread);
      fflush (stdout);
    }
  heron_account_worker_stop (worker);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "account");
      json_builder_add_string_value (builder, heron_account_config_get_id (config));
      json_builder_set_member_name (builder, "folders");
      json_builder_begin_array (builder);
      for (guint i = 0; i < synced->len; i++)
        {
          HeronStoreFolder *folder = g_ptr_array_index (synced, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, folder->name);
          json_builder_set_member_name (builder, "messages");
          json_builder_add_int_value (builder, folder->n_messages);
          json_builder_set_member_name (builder, "unread");
          json_builder_add_int_value (builder, folder->n_unread);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  return HERON_CLI_EXIT_OK;
}

/* ---- flag ---- */

/* "+\Seen", "-$Label": adds to the flags or keywords to add or remove. FALSE when it is not one. */
static gboolean
parse_flag_change (const char *arg,
                   guint      *add_flags,
                   guint      *remove_flags,
                   GPtrArray  *add_keywords,
                   GPtrArray  *remove_keywords)
{
  gboolean add = arg[0] == '+';
  const char *name = arg + 1;

  if ((arg[0] != '+' && arg[0] != '-') || name[0] == '\0')
    return FALSE;
  if (name[0] == '\\')
    {
      guint flag = heron_cli_mail_system_flag_from_string (name);

      if (flag == 0)
        return FALSE;
      *(add ? add_flags : remove_flags) |= flag;
      return TRUE;
    }
  /* A keyword is an IMAP atom. */
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p <= ' ' || (guchar) *p >= 0x7f || strchr ("(){%*\"\\]", *p) != NULL)
      return FALSE;
  g_ptr_array_add (add ? add_keywords : remove_keywords, g_strdup (name));
  return TRUE;
}

/* A flag change looks like an option ("-\Flagged"): take them out before GOption sees them. */
static gboolean
looks_like_flag_change (const char *arg)
{
  return (arg[0] == '+' || (arg[0] == '-' && arg[1] != '-' && arg[1] != '\0' &&
                            !g_str_equal (arg, "-h") && !g_str_equal (arg, "-?")));
}

typedef struct {
  const char *folder;
  GError     *refused;  /* the server refused a change of the journal for this folder */
} FlagReplay;

static void
on_flag_event (HeronAccountWorker *worker,
               HeronSyncEvent     *event,
               FlagReplay         *replay)
{
  /* Connection failures come for no folder and keep the change journaled; a refusal names the
   * folder and carries the server's answer. */
  if (replay->refused == NULL && g_strcmp0 (event->folder, replay->folder) == 0 &&
      event->error->domain != G_IO_ERROR && event->error->domain != HERON_SYNC_ERROR &&
      event->error->domain != HERON_STORE_ERROR)
    replay->refused = g_error_copy (event->error);
}

int
heron_cli_flag (HeronCli *cli,
                int       argc,
                char    **argv)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new ();
  g_autoptr(GPtrArray) positional = g_ptr_array_new ();
  g_autoptr(GPtrArray) add_keywords = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) remove_keywords = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronStoreReader) reader = NULL;
  g_autoptr(HeronStoreFolder) folder = NULL;
  g_autoptr(HeronStoreMessage) message = NULL;
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) sync_result = NULL;
  g_autoptr(GError) error = NULL;
  FlagReplay replay = { NULL, NULL };
  g_autoptr(GError) cache_error = NULL;
  g_autofree char **args = g_new0 (char *, argc + 1);
  int n_args = 0;
  guint add_flags = 0, remove_flags = 0;
  gboolean on_server = FALSE;
  gint64 uid;
  char *end = NULL;
  int status;

  for (int i = 0; i < argc; i++)
    if (i > 0 && looks_like_flag_change (argv[i]))
      g_ptr_array_add (changes, argv[i]);
    else
      args[n_args++] = argv[i];
  argv = args;
  argc = n_args;
  if (!heron_cli_mail_parse (cli, _("FOLDER UID +FLAG|-FLAG... [ACCOUNT] — change a message's flags"),
                             _("Adds (+) or removes (-) flags: \\Seen, \\Answered, \\Flagged, \\Deleted, "
                               "\\Draft, or a keyword such as $Label. The change is made in the cache "
                               "and journaled at once, then sent to the server when it can be reached "
                               "(waiting up to 10 seconds for it)."),
                             NULL, &argc, &argv, &status))
    return status;
  if (argc < 3 || changes->len == 0)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                           _("Name a folder, a UID and a change such as +\\Seen (see heron-cli flag --help)"));
  if (argc > 4)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[4]);
  uid = g_ascii_strtoll (argv[2], &end, 10);
  if (end == argv[2] || *end != '\0' || uid <= 0 || uid > G_MAXUINT32)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("“%s” is not a UID"), argv[2]);
  for (guint i = 0; i < changes->len; i++)
    if (!parse_flag_change (g_ptr_array_index (changes, i), &add_flags, &remove_flags,
                            add_keywords, remove_keywords))
      return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE,
                             _("“%s” is not a flag change: +\\Seen, -\\Flagged, +$Label…"),
                             (char *) g_ptr_array_index (changes, i));
  g_ptr_array_add (add_keywords, NULL);
  g_ptr_array_add (remove_keywords, NULL);

  if ((status = heron_cli_mail_find_account (cli, argc == 4 ? argv[3] : NULL, &config)) != 0 ||
      (status = heron_cli_mail_open_cache (cli, config, &reader)) != 0 ||
      (status = heron_cli_mail_find_folder (cli, reader, argv[1], &folder)) != 0)
    return status;
  message = heron_store_reader_get_message (reader, folder->id, uid, &error);
  if (message == NULL && g_error_matches (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
    return heron_cli_fail (cli, HERON_CLI_EXIT_NOT_FOUND, _("There is no message %s in “%s”"),
                           argv[2], folder->name);
  if (message == NULL)
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, error);
  g_clear_pointer (&message, heron_store_message_free);

  worker = start_worker (cli, config, FALSE, &status);
  if (worker == NULL)
    return status;
  replay.folder = folder->name;
  g_signal_connect (worker, "event::error", G_CALLBACK (on_flag_event), &replay);
  g_signal_connect (worker, "event::error", G_CALLBACK (on_cache_error), &cache_error);

  heron_account_worker_set_flags_async (worker, folder->name, &uid, 1, add_flags, remove_flags,
                                        (const char * const *) add_keywords->pdata,
                                        (const char * const *) remove_keywords->pdata,
                                        NULL, heron_cli_async_done, &result);
  if (!wait_unless_cache_error (worker, &result, &cache_error))
    return heron_cli_fail_error (cli, HERON_CLI_EXIT_FAILURE, cache_error);
  if (!heron_account_worker_set_flags_finish (worker, result, &error))
    return fail_sync_error (cli, error);

  /* Online, the replay was queued before this sync: when the sync is done, so is the replay, and
   * the cache shows what the server has. Offline, the sync fails at once. */
  heron_account_worker_sync_folder_async (worker, folder->name, NULL, heron_cli_async_done, &sync_result);
  if (wait_for (&sync_result, FLAG_REPLAY_TIMEOUT_MS))
    on_server = heron_account_worker_sync_folder_finish (worker, sync_result, &error) && replay.refused == NULL;
  heron_account_worker_stop (worker);
  heron_cli_wait (&sync_result);
  g_signal_handlers_disconnect_by_data (worker, &replay);
  g_signal_handlers_disconnect_by_data (worker, &cache_error);

  if (replay.refused != NULL)
    {
      status = heron_cli_fail (cli, HERON_CLI_EXIT_FAILURE,
                               _("The change is in the cache, but the server refused it: %s"),
                               replay.refused->message);
      g_error_free (replay.refused);
      return status;
    }

  message = heron_store_reader_get_message (reader, folder->id, uid, NULL);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_auto(GStrv) flags = message != NULL ? heron_cli_mail_dup_flags (message) : NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, folder->name);
      json_builder_set_member_name (builder, "uid");
      json_builder_add_int_value (builder, uid);
      json_builder_set_member_name (builder, "flags");
      json_builder_begin_array (builder);
      for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
        json_builder_add_string_value (builder, flags[i]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "on-server");
      json_builder_add_boolean_value (builder, on_server);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      heron_cli_print_json (root);
    }
  else if (on_server)
    g_print (_("Changed in the cache and on the server.\n"));
  else
    g_print (_("Changed in the cache; the server could not be reached (%s), so the change is "
               "journaled and will be sent when the account is next online.\n"),
             error != NULL ? error->message : _("no answer in 10 seconds"));
  return HERON_CLI_EXIT_OK;
}

/* ---- watch ---- */

typedef struct {
  HeronCli  *cli;
  GMainLoop *loop;
  int        status;
} Watch;

static void
print_event_json (const HeronSyncEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, heron_sync_event_kind_to_string (event->kind));
  if (event->kind == HERON_SYNC_EVENT_STATE)
    {
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, heron_sync_state_to_string (event->state));
    }
  if (event->folder != NULL)
    {
      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, event->folder);
    }
  if (event->uids != NULL)
    {
      json_builder_set_member_name (builder, "uids");
      json_builder_begin_array (builder);
      for (guint i = 0; i < event->uids->len; i++)
        json_builder_add_int_value (builder, g_array_index (event->uids, gint64, i));
      json_builder_end_array (builder);
    }
  if (event->kind == HERON_SYNC_EVENT_PROGRESS)
    {
      json_builder_set_member_name (builder, "done");
      json_builder_add_int_value (builder, event->done);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, event->total);
    }
  if (event->error != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, event->error->message);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
print_event_line (const HeronSyncEvent *event)
{
  g_autoptr(GString) line = g_string_new (heron_sync_event_kind_to_string (event->kind));

  if (event->kind == HERON_SYNC_EVENT_STATE)
    g_string_append_printf (line, " %s", heron_sync_state_to_string (event->state));
  if (event->folder != NULL)
    g_string_append_printf (line, " %s", event->folder);
  if (event->uids != NULL)
    {
      g_autofree char *uids = format_uids (event->uids);

      g_string_append_printf (line, " uids=%s", uids);
    }
  if (event->kind == HERON_SYNC_EVENT_PROGRESS)
    g_string_append_printf (line, " %u/%u", event->done, event->total);
  if (event->error != NULL)
    g_string_append_printf (line, ": %s", event->error->message);
  g_print ("%s\n", line->str);
}

static void
on_watch_event (HeronAccountWorker *worker,
                HeronSyncEvent     *event,
                Watch              *watch)
{
  /* the worker's housekeeping, not a change of the mail */
  if (event->kind == HERON_SYNC_EVENT_CACHE_SETTLED)
    return;
  if (watch->cli->json)
    print_event_json (event);
  else
    print_event_line (event);
  fflush (stdout);

  /* A refused password is not retried: nothing more will come. */
  if (event->kind == HERON_SYNC_EVENT_ERROR &&
      g_error_matches (event->error, HERON_SYNC_ERROR, HERON_SYNC_ERROR_AUTH))
    {
      g_printerr ("heron-cli: %s\n", _("The server refused the password"));
      watch->status = HERON_CLI_EXIT_FAILURE;
      g_main_loop_quit (watch->loop);
    }
}

static gboolean
on_watch_signal (gpointer user_data)
{
  Watch *watch = user_data;

  g_main_loop_quit (watch->loop);
  return G_SOURCE_CONTINUE;
}

int
heron_cli_watch (HeronCli *cli,
                 int       argc,
                 char    **argv)
{
  g_autoptr(HeronAccountConfig) config = NULL;
  g_autoptr(HeronAccountWorker) worker = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Watch watch = { cli, NULL, HERON_CLI_EXIT_OK };
  guint sigint_id, sigterm_id;
  int status;

  if (!heron_cli_mail_parse (cli, _("[ACCOUNT] — print the account's sync events"),
                             _("Runs the account's sync worker, watching INBOX with IDLE, and prints "
                               "each event on a line (a JSON object with --json) until SIGINT or "
                               "SIGTERM."),
                             NULL, &argc, &argv, &status))
    return status;
  if (argc > 2)
    return heron_cli_fail (cli, HERON_CLI_EXIT_USAGE, _("Unexpected argument “%s”"), argv[2]);
  if ((status = heron_cli_mail_find_account (cli, argc == 2 ? argv[1] : NULL, &config)) != 0)
    return status;

  loop = g_main_loop_new (NULL, FALSE);
  watch.loop = loop;
  sigint_id = g_unix_signal_add (SIGINT, on_watch_signal, &watch);
  sigterm_id = g_unix_signal_add (SIGTERM, on_watch_signal, &watch);

  worker = start_worker (cli, config, TRUE, &status);
  if (worker == NULL)
    {
      g_source_remove (sigint_id);
      g_source_remove (sigterm_id);
      return status;
    }
  g_signal_connect (worker, "event", G_CALLBACK (on_watch_event), &watch);

  g_main_loop_run (loop);

  heron_account_worker_stop (worker);
  g_signal_handlers_disconnect_by_data (worker, &watch);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  return watch.status;
}
